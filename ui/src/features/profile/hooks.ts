/** One's own account from the profile page: password, leaving the organization, deletion. */
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { api, unwrap } from '../../api/client';
import type { components } from '../../api/schema.gen';
import { configQueryKey } from '../auth/config';
import { meQueryKey } from '../auth/hooks';
import { rotatingToken } from '../chat/chatSocket';
import { useSession } from '../auth/sessionStore';

export type ChangePasswordBody = components['schemas']['ChangePasswordRequest'];

/**
 * Changes the password (local accounts). Every other session ends; this one continues with the
 * session the server returns.
 */
export function useChangePassword() {
  return useMutation({
    mutationFn: (body: ChangePasswordBody) =>
      rotatingToken(async () => {
        const session = await unwrap(api.POST('/auth/password', { body }));
        useSession.getState().signIn(session.token, session.expires_at);
        return session;
      }),
  });
}

/**
 * Leaves the organization. The account may continue on another row (it came from the CRM): then
 * the old token stopped working and the server hands out a new session. Whatever was cached
 * belonged to the organization; reloading "me" sends the user to onboarding.
 */
export function useLeaveOrganization() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: () =>
      rotatingToken(async () => {
        const left = await unwrap(api.POST('/auth/organizations/current/leave'));
        if (left.session) useSession.getState().signIn(left.session.token, left.session.expires_at);
        return left;
      }),
    onSuccess: async () => {
      queryClient.removeQueries({ predicate: (q) => q.queryKey[0] !== configQueryKey[0] && q.queryKey[0] !== meQueryKey[0] });
      await queryClient.invalidateQueries({ queryKey: meQueryKey });
    },
  });
}

/** Deletes the account; every session ends on the server (the caller signs out locally). */
export function useDeleteAccount() {
  return useMutation({
    mutationFn: () => unwrap(api.DELETE('/auth/me')),
  });
}
