/**
 * The app's one chat socket, tied to the session: it connects with the session token, reconnects
 * with the new token when Supabase refreshes it, closes on sign-out, and when the server closes it
 * because the session ended (1008/4401) the session ends too (drafts are kept). When the user's
 * access changed (4403: removed from the organization, another role) everything known about them
 * is reloaded while the socket reconnects.
 */
import { ChatSocket, type ChatSocketOptions } from '../../api/socket';
import { currentToken, useSession } from '../auth/sessionStore';

export function createSessionSocket(options: Partial<ChatSocketOptions> = {}): { socket: ChatSocket; dispose: () => void } {
  const socket = new ChatSocket({ getToken: currentToken, ...options });
  const stopEnded = socket.onSessionEnded(() => useSession.getState().endSession());
  const stopChanged = socket.onAccessChanged(() => useSession.getState().accessChanged());
  const stopSession = useSession.subscribe((state, previous) => {
    if (state.token === previous.token) return;
    if (!state.token) socket.close();
    else if (previous.token) socket.reconnectNow();
  });
  return {
    socket,
    dispose: () => {
      stopEnded();
      stopChanged();
      stopSession();
      socket.close();
    },
  };
}

let shared: ChatSocket | null = null;

/** The shared socket, created on first use (the chat screen connects it). */
export function chatSocket(): ChatSocket {
  shared ??= createSessionSocket().socket;
  return shared;
}

/** Replaces the shared socket (tests give it a fake transport); null makes the next use create one. */
export function setChatSocket(socket: ChatSocket | null): void {
  if (shared && shared !== socket) shared.close();
  shared = socket;
}
