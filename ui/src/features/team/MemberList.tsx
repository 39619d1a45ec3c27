import { KeyRound, UserMinus } from 'lucide-react';
import { useState } from 'react';
import { toast } from 'sonner';
import type { RoleView, UserView } from '../../api/types';
import { ErrorAlert } from '../../components/Alert';
import { Button } from '../../components/Button';
import { Avatar } from './Avatar';
import { LAST_ADMIN_ERRORS, type Team, displayName, isOnlyAdmin, useChangeRole } from './hooks';
import { PasswordResetDialog, RemoveMemberDialog, StepDownDialog } from './MemberDialogs';
import { Cell, ResponsiveTable, Row } from './ResponsiveTable';
import { ROLE_OPTIONS, SelectField } from './SelectField';

const ROLE_NAME: Record<RoleView, string> = { admin: 'Admin', member: 'Member' };

export function PersonCell({ person, you = false }: { person: UserView; you?: boolean }) {
  const name = displayName(person);
  return (
    <Cell header>
      <div className="flex min-w-0 items-center gap-3">
        <Avatar user={person} />
        <div className="min-w-0">
          <p className="flex flex-wrap items-center gap-x-2 font-medium text-slate-900">
            <span className="min-w-0 truncate" title={name}>
              {name}
            </span>
            {you && <span className="rounded-full bg-slate-100 px-2 py-0.5 text-xs font-medium text-slate-700">You</span>}
            {person.status === 'invited' && (
              <span className="rounded-full bg-amber-50 px-2 py-0.5 text-xs font-medium text-amber-800 ring-1 ring-inset ring-amber-200">
                Invited
              </span>
            )}
          </p>
          {person.email && person.email !== name && (
            <p className="truncate text-slate-600" title={person.email}>
              {person.email}
            </p>
          )}
        </div>
      </div>
    </Cell>
  );
}

/**
 * The members, as a table (cards when narrow). Admins change roles, issue reset links (local
 * accounts) and remove people; the only admin cannot be demoted, and says why. One's own row has
 * no actions: leaving is on the profile page.
 */
export function MemberList({
  team,
  meId,
  organizationName,
  canManage,
  canResetPasswords,
}: {
  team: Team;
  meId: string | undefined;
  organizationName: string;
  canManage: boolean;
  canResetPasswords: boolean;
}) {
  const changeRole = useChangeRole();
  const [removing, setRemoving] = useState<UserView | null>(null);
  const [resetting, setResetting] = useState<UserView | null>(null);
  const [steppingDown, setSteppingDown] = useState<UserView | null>(null);

  const applyRole = (member: UserView, role: RoleView) =>
    changeRole.mutate(
      { userId: member.id, body: { role } },
      {
        onSuccess: (changed) =>
          toast.success(`${displayName(changed)} is now ${changed.role === 'admin' ? 'an admin' : 'a member'}.`),
      },
    );

  const setRole = (member: UserView, role: RoleView) => {
    if (role === member.role) return;
    // Stepping down cannot be undone by oneself: ask first.
    if (member.id === meId && role === 'member') setSteppingDown(member);
    else applyRole(member, role);
  };

  const columns = [
    { label: 'Name' },
    { label: 'Role', className: 'w-36' },
    ...(canManage ? [{ label: '', srLabel: 'Actions', className: canResetPasswords ? 'w-80' : 'w-36' }] : []),
  ];

  return (
    <>
      {changeRole.error && (
        <ErrorAlert error={changeRole.error} overrides={LAST_ADMIN_ERRORS} className="mb-3">
          <button type="button" className="mt-1 font-medium underline" onClick={() => changeRole.reset()}>
            Dismiss
          </button>
        </ErrorAlert>
      )}
      <ResponsiveTable caption={`Members of ${organizationName}`} columns={columns}>
        {team.members.map((member) => {
          const you = member.id === meId;
          const onlyAdmin = isOnlyAdmin(member, team);
          const pendingRole =
            changeRole.isPending && changeRole.variables?.userId === member.id ? changeRole.variables.body.role : null;
          const hintId = `only-admin-${member.id}`;
          return (
            <Row key={member.id}>
              <PersonCell person={member} you={you} />
              <Cell label="Role">
                {canManage ? (
                  <SelectField
                      label={`Role of ${displayName(member)}`}
                      hideLabel
                      value={pendingRole ?? member.role}
                      disabled={onlyAdmin || pendingRole !== null}
                      aria-busy={pendingRole !== null || undefined}
                      aria-describedby={onlyAdmin ? hintId : undefined}
                      onChange={(e) => setRole(member, e.target.value as RoleView)}
                      className="max-w-40 @2xl:max-w-none"
                    >
                      {ROLE_OPTIONS.map((option) => (
                        <option key={option.value} value={option.value}>
                          {option.label}
                        </option>
                      ))}
                  </SelectField>
                ) : (
                  <span className="text-slate-900">{ROLE_NAME[member.role]}</span>
                )}
              </Cell>
              {canManage && (
                <Cell className="@2xl:text-right">
                  {/* Beside the role, where one's own row has no buttons. */}
                  {onlyAdmin && (
                    <p id={hintId} className="text-xs text-slate-600">
                      {you
                        ? 'You are the only admin: make someone else an admin before you step down.'
                        : 'The only admin: make someone else an admin first.'}
                    </p>
                  )}
                  {!you && (
                    <div className="flex flex-wrap gap-2 @2xl:flex-nowrap @2xl:justify-end">
                      {canResetPasswords && member.status === 'active' && (
                        <Button variant="secondary" className="whitespace-nowrap" onClick={() => setResetting(member)} aria-label={`Reset password of ${displayName(member)}`}>
                          <KeyRound className="size-4" aria-hidden="true" />
                          Reset password
                        </Button>
                      )}
                      <Button variant="secondary" className="whitespace-nowrap" onClick={() => setRemoving(member)} aria-label={`Remove ${displayName(member)}`}>
                        <UserMinus className="size-4" aria-hidden="true" />
                        Remove
                      </Button>
                    </div>
                  )}
                </Cell>
              )}
            </Row>
          );
        })}
      </ResponsiveTable>
      <RemoveMemberDialog
        member={removing}
        organizationName={organizationName}
        onClose={() => setRemoving(null)}
        onRemoved={() => document.getElementById('members-title')?.focus()}
      />
      <StepDownDialog
        open={steppingDown !== null}
        organizationName={organizationName}
        onClose={() => setSteppingDown(null)}
        onConfirm={() => {
          if (steppingDown) applyRole(steppingDown, 'member');
          setSteppingDown(null);
        }}
      />
      <PasswordResetDialog member={resetting} onClose={() => setResetting(null)} />
    </>
  );
}
