import { type ComponentType, type LazyExoticComponent, Suspense, lazy } from 'react';
import { Navigate, Outlet, createBrowserRouter, type RouteObject } from 'react-router';
import { ShellSkeleton } from './components/Skeleton';
import { RequireSession } from './features/auth/SessionGuard';
import { AppShell } from './features/shell/AppShell';
import { RequireOrganization } from './features/shell/RequireOrganization';
import RouteErrorPage from './features/shell/RouteErrorPage';

const SignInPage = lazy(() => import('./features/auth/SignInPage'));
const AuthCallbackPage = lazy(() => import('./features/auth/AuthCallbackPage'));
const InvitePage = lazy(() => import('./features/onboarding/InvitePage'));
const ResetPasswordPage = lazy(() => import('./features/account/ResetPasswordPage'));
const VerifyEmailPage = lazy(() => import('./features/account/VerifyEmailPage'));
const OnboardingPage = lazy(() => import('./features/onboarding/OnboardingPage'));
const ChatPage = lazy(() => import('./features/chat/ChatPage'));
const SourcesPage = lazy(() => import('./features/sources/SourcesPage'));
const DashboardsPage = lazy(() => import('./features/dashboards/DashboardsPage'));
const DashboardPage = lazy(() => import('./features/dashboards/DashboardPage'));
const ExplorerPage = lazy(() => import('./features/explorer/ExplorerPage'));
const TeamPage = lazy(() => import('./features/team/TeamPage'));
const ProfilePage = lazy(() => import('./features/profile/ProfilePage'));
const NotFoundPage = lazy(() => import('./features/shell/NotFoundPage'));

function page<P extends object>(Component: LazyExoticComponent<ComponentType<P>>, props: P) {
  return (
    <Suspense fallback={<ShellSkeleton />}>
      <Component {...props} />
    </Suspense>
  );
}

/** Client-side routes; the server answers index.html for all of them. */
export const routes: RouteObject[] = [
  {
    errorElement: <RouteErrorPage />,
    children: [
      { path: 'sign-in', element: page(SignInPage, { mode: 'sign-in' as const }) },
      { path: 'sign-up', element: page(SignInPage, { mode: 'sign-up' as const }) },
      { path: 'auth/callback', element: page(AuthCallbackPage, {}) },
      { path: 'invite/:token', element: page(InvitePage, {}) },
      { path: 'reset-password/:token', element: page(ResetPasswordPage, {}) },
      { path: 'verify-email/:token', element: page(VerifyEmailPage, {}) },
      {
        element: (
          <RequireSession>
            <Outlet />
          </RequireSession>
        ),
        children: [
          { path: 'onboarding', element: page(OnboardingPage, {}) },
          {
            element: (
              <RequireOrganization>
                <AppShell />
              </RequireOrganization>
            ),
            children: [
              { index: true, element: <Navigate to="/chat" replace /> },
              // One route for both, so the screen (and a streaming answer) survives the move from
              // /chat to /chat/:id when a new conversation is created.
              { path: 'chat/:conversationId?', element: <ChatPage /> },
              { path: 'sources', element: <SourcesPage /> },
              { path: 'dashboards', element: <DashboardsPage /> },
              { path: 'dashboards/:dashboardId', element: <DashboardPage /> },
              { path: 'explorer', element: <ExplorerPage /> },
              { path: 'team', element: <TeamPage /> },
              { path: 'profile', element: <ProfilePage /> },
              { path: '*', element: <NotFoundPage /> },
            ],
          },
        ],
      },
    ],
  },
];

export const router = createBrowserRouter(routes);
