import { type ReactNode, useEffect } from 'react';
import { Navigate, useLocation } from 'react-router';
import { useConfig } from './config';
import { hasLiveSession, useSession } from './sessionStore';

/** Longest delay setTimeout handles (about 24.8 days). */
const MAX_TIMEOUT = 2 ** 31 - 1;

/** Ends the session when its token expires by the clock (also after the tab slept). */
function useExpiryTimer() {
  const expiresAt = useSession((s) => s.expiresAt);
  const token = useSession((s) => s.token);
  useEffect(() => {
    if (!token || expiresAt === null) return;
    const check = () => {
      if (!hasLiveSession(useSession.getState())) useSession.getState().endSession();
    };
    const timer = setTimeout(check, Math.min(MAX_TIMEOUT, Math.max(0, expiresAt - Date.now())));
    const onVisible = () => document.visibilityState === 'visible' && check();
    document.addEventListener('visibilitychange', onVisible);
    window.addEventListener('focus', check);
    return () => {
      clearTimeout(timer);
      document.removeEventListener('visibilitychange', onVisible);
      window.removeEventListener('focus', check);
    };
  }, [token, expiresAt]);
}

/** In Supabase mode, auth-js refreshes the token before it expires; keep the session in step. */
function useSupabaseRefresh() {
  const { data: config } = useConfig();
  const settings = config?.auth_mode === 'supabase' ? config.supabase : null;
  useEffect(() => {
    if (!settings) return;
    let stop: (() => void) | null = null;
    let cancelled = false;
    void import('./supabase').then(({ watchTokens }) => {
      if (cancelled) return;
      stop = watchTokens(settings, (token) => {
        if (token) useSession.getState().signIn(token.accessToken, token.expiresAt);
        else useSession.getState().endSession();
      });
    });
    return () => {
      cancelled = true;
      stop?.();
    };
  }, [settings]);
}

/** Renders its children only with a live session; otherwise sends the user to sign in. */
export function RequireSession({ children }: { children: ReactNode }) {
  const live = useSession((s) => hasLiveSession(s));
  const token = useSession((s) => s.token);
  const location = useLocation();
  useExpiryTimer();
  useSupabaseRefresh();
  useEffect(() => {
    // Expired while the page was closed: end it so sign-in explains what happened.
    if (token && !live) useSession.getState().endSession();
  }, [token, live]);
  if (!live) {
    const next = `${location.pathname}${location.search}`;
    return <Navigate to={`/sign-in?next=${encodeURIComponent(next)}`} replace />;
  }
  return <>{children}</>;
}
