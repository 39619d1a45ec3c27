import { createBrowserRouter } from 'react-router';
import { AppShell } from './components/AppShell';
import { ArtifactsPage } from './pages/ArtifactsPage';
import { ChatPage } from './pages/ChatPage';
import { HomePage } from './pages/HomePage';
import { NotFoundPage } from './pages/NotFoundPage';
import { SettingsPage } from './pages/SettingsPage';
import { SourcesPage } from './pages/SourcesPage';

/** Client-side routes; the server answers index.html for all of them. */
export const router = createBrowserRouter([
  {
    path: '/',
    element: <AppShell />,
    children: [
      { index: true, element: <HomePage /> },
      { path: 'chat', element: <ChatPage /> },
      { path: 'chat/:conversationId', element: <ChatPage /> },
      { path: 'sources', element: <SourcesPage /> },
      { path: 'artifacts', element: <ArtifactsPage /> },
      { path: 'settings', element: <SettingsPage /> },
      { path: '*', element: <NotFoundPage /> },
    ],
  },
]);
