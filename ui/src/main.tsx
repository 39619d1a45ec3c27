import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { RouterProvider } from 'react-router';
import { Toaster } from 'sonner';
import { isApiError } from './api/client';
import { ErrorBoundary } from './components/ErrorBoundary';
import { dropSessionData } from './features/auth/hooks';
import { useSession } from './features/auth/sessionStore';
import { wireApiToSession } from './features/auth/wire';
import { router } from './router';
import './index.css';

const queryClient = new QueryClient({
  defaultOptions: {
    queries: {
      refetchOnWindowFocus: false,
      // Client errors (4xx) will not change by asking again.
      retry: (count, error) => !(isApiError(error) && error.status >= 400 && error.status < 500) && count < 2,
    },
  },
});

wireApiToSession();

// Server data belongs to one session: drop it when the session ends or changes hands.
useSession.subscribe((state, previous) => {
  if (state.token === null && previous.token !== null) dropSessionData(queryClient);
  // Removed from the organization or given another role: everything about the user may differ.
  if (state.accessVersion !== previous.accessVersion) void queryClient.invalidateQueries();
});

const root = document.getElementById('root');
if (!root) throw new Error('#root element missing from index.html');

createRoot(root).render(
  <StrictMode>
    <ErrorBoundary>
      <QueryClientProvider client={queryClient}>
        <RouterProvider router={router} />
        {/* Bottom right: at the top a toast would cover the page heading and its actions. */}
        <Toaster position="bottom-right" closeButton />
      </QueryClientProvider>
    </ErrorBoundary>
  </StrictMode>,
);
