/** Setup for component tests (jsdom). */
// First: the client captures Request when it is created.
import './polyfills';
import '@testing-library/jest-dom/vitest';
import { cleanup, configure } from '@testing-library/react';
import { afterEach, beforeEach, vi } from 'vitest';
import { wireApiToSession } from '../features/auth/wire';
import { useSession } from '../features/auth/sessionStore';
import { setChatSocket } from '../features/chat/chatSocket';
import { useDrafts } from '../features/chat/draftsStore';
import { FakeChatServer } from './fakeChatServer';
import { useUiStore } from '../stores/uiStore';

wireApiToSession();

// Lazy route chunks are transformed on first use; with every file running at once on two cores
// that can take longer than testing-library's default second.
configure({ asyncUtilTimeout: 3000 });

beforeEach(() => {
  localStorage.clear();
  useSession.setState({ token: null, expiresAt: null, endedNotice: false });
  useDrafts.setState({ drafts: {} });
  useUiStore.setState({ sidebarCollapsed: false, mobileNavOpen: false });
  // No test talks to a real socket; chat tests make their own FakeChatServer.
  new FakeChatServer();
});

afterEach(() => {
  cleanup();
  setChatSocket(null);
  vi.useRealTimers();
});
