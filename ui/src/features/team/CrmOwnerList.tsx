import { MailPlus } from 'lucide-react';
import type { UserView } from '../../api/types';
import { Button } from '../../components/Button';
import { displayName } from './hooks';
import { PersonCell } from './MemberList';
import { Cell, ResponsiveTable, Row } from './ResponsiveTable';

/**
 * People who own deals, accounts or activities in the CRM data (HubSpot owners, demo reps) but
 * have no Revtops account. Inviting one with the same email makes them a member, their records
 * already theirs.
 */
export function CrmOwnerList({
  owners,
  canManage,
  onInvite,
}: {
  owners: UserView[];
  canManage: boolean;
  /** Fills in the invite form with this email. */
  onInvite: (email: string) => void;
}) {
  return (
    <section aria-labelledby="crm-owners-title">
      <h2 id="crm-owners-title" className="text-lg font-semibold">
        CRM owners without an account
      </h2>
      <p className="mt-1 text-sm text-slate-700">
        These people own deals, accounts or activities in your CRM data (from HubSpot or the demo data), so reports by rep
        include them, but they have not joined Revtops. They are not members and cannot sign in.{' '}
        {canManage
          ? 'Invite one with the same email address and they become a member, with their deals already theirs.'
          : 'When an admin invites one with the same email address, they become a member, with their deals already theirs.'}
      </p>
      <div className="mt-3">
        <ResponsiveTable
          caption="CRM owners without an account"
          columns={[{ label: 'Name' }, ...(canManage ? [{ label: '', srLabel: 'Actions', className: 'w-44' }] : [])]}
        >
          {owners.map((owner) => (
            <Row key={owner.id}>
              <PersonCell person={owner} />
              {canManage && (
                <Cell className="@2xl:text-right">
                  {owner.email ? (
                    <Button variant="secondary" onClick={() => onInvite(owner.email!)} aria-label={`Invite ${displayName(owner)}`}>
                      <MailPlus className="size-4" aria-hidden="true" />
                      Invite
                    </Button>
                  ) : (
                    <span className="text-xs text-slate-600">No email in the CRM</span>
                  )}
                </Cell>
              )}
            </Row>
          ))}
        </ResponsiveTable>
      </div>
    </section>
  );
}
