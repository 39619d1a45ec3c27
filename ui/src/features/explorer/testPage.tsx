/** Renders the app at /explorer for the explorer's component tests (not imported by the app). */
import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { render } from '@testing-library/react';
import { RouterProvider, createMemoryRouter } from 'react-router';
import { Toaster } from 'sonner';
import { routes } from '../../router';
import { type Handler, mockApi } from '../../test/mockApi';
import { CONFIG, ORG, USER, signedIn } from '../../test/render';
import { useExplorerStore } from './explorerStore';
import { TABLES, result } from './fixtures';

/**
 * Signs in, fakes the server (schema, a query result, `routes` on top) and opens /explorer with
 * `state` as the router state. `sql` is the editor's saved text; `keep` leaves the store alone.
 */
export function explorer({
  routes: extra = {},
  state,
  sql,
  keep = false,
}: { routes?: Record<string, Handler | unknown>; state?: unknown; sql?: string; keep?: boolean } = {}) {
  signedIn();
  if (!keep) useExplorerStore.setState({ sqlByUser: sql === undefined ? {} : { [USER.id]: sql }, schemaOpen: false });
  const api = mockApi({
    'GET /api/config': CONFIG,
    'GET /api/auth/me': { user: USER, organization: ORG },
    'GET /api/schema': { tables: TABLES },
    'POST /api/query': result(),
    ...extra,
  });
  const queryClient = new QueryClient({
    defaultOptions: { queries: { retry: false, refetchOnWindowFocus: false }, mutations: { retry: false } },
  });
  const router = createMemoryRouter(routes, { initialEntries: [{ pathname: '/explorer', state }] });
  const view = render(
    <QueryClientProvider client={queryClient}>
      <RouterProvider router={router} />
      <Toaster />
    </QueryClientProvider>,
  );
  return { api, router, view };
}
