/** Organizations, invitations and the workspace (demo data) as React Query hooks. */
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api, isApiError, unwrap } from '../../api/client';
import type { DemoJob, MembershipView, WorkspaceView } from '../../api/types';
import { meQueryKey } from '../auth/hooks';
import { useSession } from '../auth/sessionStore';

export const workspaceQueryKey = ['workspace'] as const;

/** Whether an organization exists for the user's own (verified) email domain. */
export function useDomainLookup(domain: string | null, enabled: boolean) {
  return useQuery({
    queryKey: ['organization-by-domain', domain],
    queryFn: ({ signal }) =>
      unwrap(api.GET('/auth/organizations/by-domain/{domain}', { params: { path: { domain: domain ?? '' } }, signal })),
    enabled: enabled && Boolean(domain),
    retry: false,
    staleTime: 60_000,
  });
}

/** After joining or creating an organization, everything about "me" changes. */
function useRefreshMe() {
  const queryClient = useQueryClient();
  return () => queryClient.invalidateQueries({ queryKey: meQueryKey });
}

export function useCreateOrganization() {
  const refresh = useRefreshMe();
  return useMutation({
    mutationFn: (body: { name: string; email_domain?: string }) => unwrap(api.POST('/auth/organizations', { body })),
    onSuccess: refresh,
  });
}

/**
 * After joining: when the account took over the organization's record of the user as a CRM owner
 * (their deals are now theirs), the server hands out a new session that replaces the old one.
 */
function useAfterJoin() {
  const refresh = useRefreshMe();
  const signIn = useSession((s) => s.signIn);
  return (joined: MembershipView) => {
    if (joined.session) signIn(joined.session.token, joined.session.expires_at);
    return refresh();
  };
}

export function useJoinOrganization() {
  const afterJoin = useAfterJoin();
  return useMutation({
    mutationFn: () => unwrap(api.POST('/auth/organizations/join')),
    onSuccess: afterJoin,
  });
}

export function useAcceptInvitation() {
  const afterJoin = useAfterJoin();
  return useMutation({
    mutationFn: (token: string) => unwrap(api.POST('/auth/invitations/accept', { body: { token } })),
    onSuccess: afterJoin,
  });
}

/** The organization and role an invitation link is for (public). */
export function useInvitationPreview(token: string) {
  return useQuery({
    queryKey: ['invitation', token],
    queryFn: ({ signal }) => unwrap(api.POST('/auth/invitations/preview', { body: { token }, signal })),
    retry: (count, error) => !(isApiError(error) && error.status < 500) && count < 2,
    staleTime: Infinity,
  });
}

const isRunning = (job: DemoJob | null | undefined) => job?.status === 'running';

/** What the organization has (counts, demo data). Polled every second while demo data loads. */
export function useWorkspace(enabled = true) {
  return useQuery({
    queryKey: workspaceQueryKey,
    queryFn: ({ signal }): Promise<WorkspaceView> => unwrap(api.GET('/workspace', { signal })),
    enabled,
    refetchInterval: (query) => (isRunning(query.state.data?.demo) ? 1000 : false),
  });
}

export function useLoadDemo() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: () => unwrap(api.POST('/workspace/demo')),
    onSuccess: (job) => {
      queryClient.setQueryData<WorkspaceView | null>(workspaceQueryKey, (ws) => (ws ? { ...ws, demo: job } : ws));
      void queryClient.invalidateQueries({ queryKey: workspaceQueryKey });
    },
    onError: () => void queryClient.invalidateQueries({ queryKey: workspaceQueryKey }),
  });
}

/** True when the organization has no data at all (nothing synced, no demo). */
/** No revenue data yet. (`reps` counts the members too, so a new organization has at least one.) */
export function isEmptyWorkspace(ws: WorkspaceView): boolean {
  const c = ws.counts;
  return !ws.has_synced_data && !ws.demo_loaded && c.accounts + c.contacts + c.deals + c.activities === 0;
}
