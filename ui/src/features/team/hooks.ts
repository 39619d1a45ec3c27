/**
 * The team of the caller's organization as React Query hooks: members (CRM-only owners
 * included), invitations, roles, removal, reset links and the organization's name. Every
 * change is the server's to allow: admins only, and never without an admin.
 */
import { type QueryClient, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api, unwrap } from '../../api/client';
import type { components } from '../../api/schema.gen';
import type { MeView, OrganizationView, UserView } from '../../api/types';
import { meQueryKey } from '../auth/hooks';
import { type ImageType, imageBody } from './images';

type Schemas = components['schemas'];
export type PendingInvitation = Schemas['PendingInvitationView'];
export type Invitation = Schemas['InvitationView'];
export type ResetLink = Schemas['ResetLinkView'];
export type InviteBody = Schemas['InviteRequest'];
export type ChangeRoleBody = Schemas['ChangeRoleRequest'];
export type UpdateOrganizationBody = Schemas['UpdateOrganizationRequest'];

export const membersQueryKey = ['team', 'members'] as const;
export const invitationsQueryKey = ['team', 'invitations'] as const;

/** Everyone in the organization: members and CRM-only owners (see `splitTeam`). */
export function useMembers() {
  return useQuery({
    queryKey: membersQueryKey,
    queryFn: ({ signal }) => unwrap(api.GET('/auth/organizations/current/members', { signal })),
  });
}

/** Invitations nobody accepted yet, expired ones included (admins only: others get 403). */
export function useInvitations(enabled: boolean) {
  return useQuery({
    queryKey: invitationsQueryKey,
    queryFn: ({ signal }) => unwrap(api.GET('/auth/organizations/current/invitations', { signal })),
    enabled,
  });
}

export function useInvite() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (body: InviteBody) => unwrap(api.POST('/auth/organizations/current/invitations', { body })),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: invitationsQueryKey }),
  });
}

export function useRevokeInvitation() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (invitationId: string) =>
      unwrap(
        api.DELETE('/auth/organizations/current/invitations/{invitation_id}', {
          params: { path: { invitation_id: invitationId } },
        }),
      ),
    onSuccess: (_, invitationId) =>
      queryClient.setQueryData<PendingInvitation[]>(invitationsQueryKey, (list) => list?.filter((i) => i.id !== invitationId)),
    onSettled: () => queryClient.invalidateQueries({ queryKey: invitationsQueryKey }),
  });
}

/** Replaces one member in the cached list (the server answers with the changed member). */
function replaceMember(list: UserView[] | undefined, changed: UserView): UserView[] | undefined {
  return list?.map((member) => (member.id === changed.id ? changed : member));
}

export function useChangeRole() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: ({ userId, body }: { userId: string; body: ChangeRoleBody }) =>
      unwrap(api.PATCH('/auth/organizations/current/members/{user_id}', { params: { path: { user_id: userId } }, body })),
    onSuccess: async (changed) => {
      queryClient.setQueryData<UserView[]>(membersQueryKey, (list) => replaceMember(list, changed));
      // One's own role decides what the app shows.
      if (queryClient.getQueryData<MeView>(meQueryKey)?.user.id === changed.id) {
        await queryClient.invalidateQueries({ queryKey: meQueryKey });
      }
    },
    // A refusal (last admin) may mean the list is out of date: someone else changed it.
    onError: () => queryClient.invalidateQueries({ queryKey: membersQueryKey }),
  });
}

export function useRemoveMember() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (userId: string) =>
      unwrap(api.DELETE('/auth/organizations/current/members/{user_id}', { params: { path: { user_id: userId } } })),
    onSuccess: (_, userId) => queryClient.setQueryData<UserView[]>(membersQueryKey, (list) => list?.filter((m) => m.id !== userId)),
    onSettled: () => queryClient.invalidateQueries({ queryKey: membersQueryKey }),
  });
}

export function useIssuePasswordReset() {
  return useMutation({
    mutationFn: (userId: string) =>
      unwrap(
        api.POST('/auth/organizations/current/members/{user_id}/password-reset', {
          params: { path: { user_id: userId } },
        }),
      ),
  });
}

/** The changed organization into "me" (the sidebar and every page read it from there). */
function saveOrganization(queryClient: QueryClient, organization: OrganizationView) {
  queryClient.setQueryData<MeView>(meQueryKey, (me) => (me ? { ...me, organization } : me));
  return queryClient.invalidateQueries({ queryKey: meQueryKey });
}

export function useRenameOrganization() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (body: UpdateOrganizationBody) => unwrap(api.PATCH('/auth/organizations/current', { body })),
    onSuccess: (organization) => saveOrganization(queryClient, organization),
  });
}

/** Uploads the organization's logo (admins; the server answers 403 to anyone else). */
export function useUploadLogo() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: ({ file, type }: { file: Blob; type: ImageType }) =>
      unwrap(api.PUT('/auth/organizations/current/logo', imageBody(file, type))),
    onSuccess: (organization) => saveOrganization(queryClient, organization),
  });
}

export function useRemoveLogo() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: () => unwrap(api.DELETE('/auth/organizations/current/logo')),
    onSuccess: (organization) => saveOrganization(queryClient, organization),
  });
}

export interface Team {
  /** People with an account (active, or invited in the old sense), admins first. */
  members: UserView[];
  /** CRM record owners (HubSpot, demo reps) who have not joined: they own deals, not a seat. */
  crmOnly: UserView[];
  /** Active admins: the server refuses to leave the organization without one. */
  adminCount: number;
}

const byName = (a: UserView, b: UserView) => displayName(a).localeCompare(displayName(b));

export function splitTeam(users: UserView[]): Team {
  const members = users.filter((u) => u.status !== 'crm_only');
  members.sort((a, b) => (a.role === b.role ? byName(a, b) : a.role === 'admin' ? -1 : 1));
  return {
    members,
    crmOnly: users.filter((u) => u.status === 'crm_only').sort(byName),
    adminCount: members.filter((u) => u.role === 'admin' && u.status === 'active').length,
  };
}

/** Whether the server would refuse to demote or remove this member (the only admin). */
export function isOnlyAdmin(member: UserView, team: Team): boolean {
  return member.role === 'admin' && member.status === 'active' && team.adminCount <= 1;
}

export function displayName(user: Pick<UserView, 'name' | 'email'>): string {
  return user.name?.trim() || user.email || 'Unnamed person';
}

/**
 * Error sentences for member changes. The only conflicts the page can run into are the
 * last-admin rule (CRM-only owners are never offered these actions); the server's message
 * (e.g. "the last admin cannot be demoted; promote someone else first") is the detail.
 */
export const LAST_ADMIN_ERRORS = {
  conflict: 'Every organization needs at least one admin.',
  forbidden: 'Only admins can change the team.',
  not_found: "We couldn't find this member. They may have left already.",
};
