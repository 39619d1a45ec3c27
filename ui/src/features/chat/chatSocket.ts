/**
 * The app's one chat socket, tied to the session: it connects with the session token, reconnects
 * with the new token when Supabase refreshes it, closes on sign-out, and when the server closes it
 * because the session ended (1008/4401) the session ends too (drafts are kept). When the user's
 * access changed (4403: removed from the organization, another role) everything known about them
 * is reloaded while the socket reconnects. A request that replaces this tab's token (a password
 * change ends every older session, this tab's socket included) runs through `rotatingToken`: a
 * "session ended" close meanwhile was for the old token, so the socket reconnects with the new one.
 */
import { ChatSocket, type ChatSocketOptions } from '../../api/socket';
import { currentToken, useSession } from '../auth/sessionStore';

let rotations = 0;
let afterRotation: (() => void)[] = [];

/**
 * Runs a request that hands this tab a new token (e.g. a password change); `request` stores the
 * new token itself before it resolves.
 */
export async function rotatingToken<T>(request: () => Promise<T>): Promise<T> {
  rotations += 1;
  try {
    return await request();
  } finally {
    rotations -= 1;
    if (rotations === 0) {
      const waiting = afterRotation;
      afterRotation = [];
      for (const run of waiting) run();
    }
  }
}

export function createSessionSocket(options: Partial<ChatSocketOptions> = {}): { socket: ChatSocket; dispose: () => void } {
  let usedToken: string | null = null;
  const socket = new ChatSocket({
    getToken: () => {
      usedToken = currentToken();
      return usedToken;
    },
    ...options,
  });
  const stopEnded = socket.onSessionEnded(() => {
    const decide = () => {
      const now = currentToken();
      // The server ended the token this socket used, not the session the tab holds now.
      if (now && now !== usedToken) socket.connect();
      else useSession.getState().endSession();
    };
    if (rotations > 0) afterRotation.push(decide);
    else decide();
  });
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
