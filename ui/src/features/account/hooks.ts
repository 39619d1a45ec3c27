/** One's own account: a new password from a reset link, email verification. */
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { api, unwrap } from '../../api/client';
import { meQueryKey, useStartSession } from '../auth/hooks';

export function useResetPassword() {
  const start = useStartSession();
  return useMutation({
    mutationFn: (body: { token: string; new_password: string }) => unwrap(api.POST('/auth/password-reset', { body })),
    onSuccess: start,
  });
}

export function useVerifyEmail() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (token: string) => unwrap(api.POST('/auth/email/verify', { body: { token } })),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: meQueryKey }),
  });
}

export function useSendVerification() {
  return useMutation({
    mutationFn: () => unwrap(api.POST('/auth/email/verification')),
  });
}
