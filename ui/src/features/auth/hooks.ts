/** Server state of the signed-in user, and the sign-in / sign-up / sign-out calls. */
import { type QueryClient, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api, unwrap } from '../../api/client';
import type { MeView, SessionView } from '../../api/types';
import { useDrafts } from '../chat/draftsStore';
import { configQueryKey, useConfig } from './config';
import { useSession } from './sessionStore';

/**
 * Forgets every server answer that belonged to the session. The deployment's configuration is
 * not the session's: keeping it lets the sign-in page show at once instead of loading again.
 */
export function dropSessionData(queryClient: QueryClient) {
  queryClient.removeQueries({ predicate: (q) => q.queryKey[0] !== configQueryKey[0] });
}

export const meQueryKey = ['me'] as const;

export function useMe() {
  const token = useSession((s) => s.token);
  return useQuery({
    queryKey: meQueryKey,
    queryFn: ({ signal }) => unwrap(api.GET('/auth/me', { signal })),
    enabled: Boolean(token),
    staleTime: 60_000,
  });
}

/** The organization of the signed-in user (null until they create or join one). */
export const organizationOf = (me: MeView | undefined) => me?.organization ?? null;

export function useStartSession() {
  const queryClient = useQueryClient();
  const signIn = useSession((s) => s.signIn);
  return (session: SessionView) => {
    queryClient.removeQueries({ queryKey: meQueryKey });
    signIn(session.token, session.expires_at);
  };
}

export function useLogin() {
  const start = useStartSession();
  return useMutation({
    mutationFn: (body: { email: string; password: string }) => unwrap(api.POST('/auth/login', { body })),
    onSuccess: start,
  });
}

export function useRegister() {
  const start = useStartSession();
  return useMutation({
    mutationFn: (body: { email: string; password: string; name: string; invite_token?: string }) =>
      unwrap(api.POST('/auth/register', { body })),
    onSuccess: start,
  });
}

/**
 * Signs out on purpose: revokes the token on the server (best effort), clears the session, the
 * cached server data and the drafts (someone else may use this browser next).
 */
export function useSignOut() {
  const queryClient = useQueryClient();
  const { data: config } = useConfig();
  return useMutation({
    mutationFn: async () => {
      try {
        await unwrap(api.POST('/auth/logout'));
      } catch {
        // Already invalid, or offline: the local session is cleared anyway.
      }
      if (config?.auth_mode === 'supabase' && config.supabase) {
        const { signOutOfSupabase } = await import('./supabase');
        await signOutOfSupabase(config.supabase).catch(() => undefined);
      }
    },
    onSettled: () => {
      useSession.getState().signOut();
      useDrafts.getState().clearAll();
      dropSessionData(queryClient);
    },
  });
}
