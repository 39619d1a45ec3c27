import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { render } from '@testing-library/react';
import { RouterProvider, type RouteObject, createMemoryRouter } from 'react-router';
import { Toaster } from 'sonner';
import { routes as appRoutes } from '../router';
import { useSession } from '../features/auth/sessionStore';

/** Renders the app (or `routes`) at `path` with a fresh query cache. */
export function renderApp(path: string, routes: RouteObject[] = appRoutes) {
  const queryClient = new QueryClient({
    defaultOptions: { queries: { retry: false, refetchOnWindowFocus: false }, mutations: { retry: false } },
  });
  const unsubscribe = useSession.subscribe((state, previous) => {
    if (state.token === null && previous.token !== null) queryClient.clear();
  });
  const router = createMemoryRouter(routes, { initialEntries: [path] });
  const view = render(
    <QueryClientProvider client={queryClient}>
      <RouterProvider router={router} />
      <Toaster />
    </QueryClientProvider>,
  );
  return { ...view, router, queryClient, unsubscribe };
}

/** Starts a session that is valid for an hour. */
export function signedIn(token = 'tok-1') {
  useSession.getState().signIn(token, Date.now() + 3_600_000);
}

export const USER = {
  id: 'u1',
  email: 'jane@acme.com',
  name: 'Jane Doe',
  email_verified: true,
  role: 'admin' as const,
  status: 'active' as const,
  created_at: '2026-01-01T00:00:00Z',
};

export const ORG = { id: 'o1', name: 'Acme', created_at: '2026-01-01T00:00:00Z', email_domain: 'acme.com' };

export const CONFIG = {
  auth_mode: 'local' as const,
  supabase: null,
  signup_open: true,
  features: { chat: true, integrations: true, demo_data: true, email: false },
  version: '1.2.3',
};

export const WORKSPACE_WITH_DATA = {
  organization_id: 'o1',
  counts: { accounts: 10, contacts: 20, deals: 30, activities: 40, reps: 5 },
  has_synced_data: true,
  demo_loaded: false,
  demo: null,
};

export const EMPTY_WORKSPACE = {
  organization_id: 'o1',
  counts: { accounts: 0, contacts: 0, deals: 0, activities: 0, reps: 1 },
  has_synced_data: false,
  demo_loaded: false,
  demo: null,
};
