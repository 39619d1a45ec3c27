/**
 * The session (token + expiry), persisted in localStorage so it survives a reload. UI state only:
 * who the user is comes from `GET /api/auth/me` through React Query.
 */
import { create } from 'zustand';
import { createJSONStorage, persist } from 'zustand/middleware';
import { browserStorage } from '../../lib/storage';

export type EndReason = 'expired' | 'signed_out';

interface SessionState {
  token: string | null;
  /** Epoch milliseconds. */
  expiresAt: number | null;
  /** Set when the session ended on its own (expiry, 401, closed socket): sign-in explains it. */
  endedNotice: boolean;
  /** Starts (or refreshes) a session. `expiresAt` is an ISO date or epoch milliseconds. */
  signIn: (token: string, expiresAt: string | number) => void;
  /** The session ended by itself: sign in again, drafts are kept. */
  endSession: () => void;
  /** The user signed out. */
  signOut: () => void;
  clearNotice: () => void;
  /** Bumped when the server says the user's organization or role changed: reload who they are. */
  accessVersion: number;
  accessChanged: () => void;
}

function toMillis(value: string | number): number | null {
  const ms = typeof value === 'number' ? value : Date.parse(value);
  return Number.isFinite(ms) ? ms : null;
}

export const useSession = create<SessionState>()(
  persist(
    (set, get) => ({
      token: null,
      expiresAt: null,
      endedNotice: false,
      signIn: (token, expiresAt) => set({ token, expiresAt: toMillis(expiresAt), endedNotice: false }),
      endSession: () => {
        if (get().token) set({ token: null, expiresAt: null, endedNotice: true });
      },
      signOut: () => set({ token: null, expiresAt: null, endedNotice: false }),
      clearNotice: () => set({ endedNotice: false }),
      accessVersion: 0,
      accessChanged: () => set({ accessVersion: get().accessVersion + 1 }),
    }),
    {
      name: 'revtops.session',
      storage: createJSONStorage(browserStorage),
      partialize: (s) => ({ token: s.token, expiresAt: s.expiresAt, endedNotice: s.endedNotice }),
    },
  ),
);

/** True when there is a token that has not expired (by the clock) yet. */
export function hasLiveSession(state: Pick<SessionState, 'token' | 'expiresAt'>, now = Date.now()): boolean {
  return Boolean(state.token) && (state.expiresAt === null || state.expiresAt > now);
}

/** The token for API calls, or null when there is none or it expired. */
export function currentToken(): string | null {
  const state = useSession.getState();
  return hasLiveSession(state) ? state.token : null;
}
