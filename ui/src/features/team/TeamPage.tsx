import { useMemo, useRef, useState } from 'react';
import { Link } from 'react-router';
import { Alert, ErrorAlert } from '../../components/Alert';
import { Button } from '../../components/Button';
import { LoadingBlock } from '../../components/Skeleton';
import { useConfig } from '../auth/config';
import { useMe } from '../auth/hooks';
import { CrmOwnerList } from './CrmOwnerList';
import { splitTeam, useMembers } from './hooks';
import { InvitationList } from './InvitationList';
import { InviteForm } from './InviteForm';
import { MemberList } from './MemberList';
import { OrganizationSettings } from './OrganizationSettings';

/**
 * `/team` (issue 12 §4): who is in the organization and what they can do. Admins rename it,
 * invite people, change roles, issue reset links and remove members; members see the same lists
 * read-only. CRM owners without an account are listed apart.
 */
export default function TeamPage() {
  const { data: me } = useMe();
  const { data: config } = useConfig();
  const members = useMembers();
  const team = useMemo(() => (members.data ? splitTeam(members.data) : null), [members.data]);
  const [inviteEmail, setInviteEmail] = useState('');
  const inviteSection = useRef<HTMLElement>(null);

  const organization = me?.organization;
  // RequireOrganization renders this page only once both are known.
  if (!me || !organization) return null;
  const isAdmin = me.user.role === 'admin';

  const inviteOwner = (email: string) => {
    setInviteEmail(email);
    const section = inviteSection.current;
    section?.scrollIntoView?.({ block: 'start', behavior: 'smooth' });
    section?.querySelector<HTMLInputElement>('input[name="invite-email"]')?.focus({ preventScroll: true });
  };

  return (
    <section aria-labelledby="page-title" className="mx-auto max-w-4xl space-y-8">
      <header>
        <h1 id="page-title" className="text-2xl font-semibold tracking-tight">
          Team
        </h1>
        <p className="mt-1 text-slate-700">Who is in {organization.name}, and what they can do.</p>
      </header>

      {!isAdmin && (
        <Alert
          tone="info"
          title="Admins manage the team."
          detail="You can see who is here. Only admins can rename the organization, invite people, change roles or remove members: ask one of them."
        />
      )}

      <OrganizationSettings organization={organization} canManage={isAdmin} />

      {isAdmin && (
        <InviteForm
          sectionRef={inviteSection}
          email={inviteEmail}
          onEmailChange={setInviteEmail}
          emailSent={config?.features.email === true}
        />
      )}

      <section aria-labelledby="members-title">
        <h2 id="members-title" tabIndex={-1} className="text-lg font-semibold">
          Members
          {team && <span className="ml-2 text-sm font-normal text-slate-600">{team.members.length}</span>}
        </h2>
        <p className="mt-1 text-sm text-slate-700">
          Admins manage the team and the data sources shared by the whole organization; everyone can ask questions.
        </p>
        <div className="mt-3">
          {members.isPending ? (
            <div className="rounded-xl border border-slate-200 bg-white p-5">
              <LoadingBlock label="Loading members…" lines={3} />
            </div>
          ) : members.isError ? (
            <ErrorAlert error={members.error}>
              <Button variant="secondary" className="mt-3" onClick={() => void members.refetch()}>
                Try again
              </Button>
            </ErrorAlert>
          ) : (
            <MemberList
              team={team!}
              meId={me.user.id}
              organizationName={organization.name}
              canManage={isAdmin}
              canResetPasswords={config?.auth_mode === 'local'}
            />
          )}
        </div>
      </section>

      {isAdmin && <InvitationList />}

      {team && team.crmOnly.length > 0 && <CrmOwnerList owners={team.crmOnly} canManage={isAdmin} onInvite={inviteOwner} />}

      <p className="border-t border-slate-200 pt-6 text-sm text-slate-700">
        To leave {organization.name}, or delete your account, go to{' '}
        <Link to="/profile" className="font-medium text-brand-700 underline">
          your profile
        </Link>
        .
      </p>
    </section>
  );
}
