import { useEffect, useState } from 'react';
import { toast } from 'sonner';
import { ErrorAlert } from '../../components/Alert';
import { Button } from '../../components/Button';
import { Dialog } from '../../components/Dialog';
import { LoadingBlock } from '../../components/Skeleton';
import { formatDay, formatMoment } from './format';
import { type PendingInvitation, useInvitations, useRevokeInvitation } from './hooks';
import { Cell, ResponsiveTable, Row } from './ResponsiveTable';

function RevokeDialog({ invitation, onClose }: { invitation: PendingInvitation | null; onClose: () => void }) {
  const revoke = useRevokeInvitation();
  const { reset } = revoke;
  useEffect(() => reset(), [invitation, reset]);
  const email = invitation?.email ?? '';

  const confirm = () => {
    if (!invitation) return;
    revoke.mutate(invitation.id, {
      onSuccess: () => {
        toast.success(`The invitation for ${email} was revoked.`);
        onClose();
        // Once the dialog has closed: its row, and the button that opened it, are gone.
        setTimeout(() => document.getElementById('invitations-title')?.focus(), 0);
      },
    });
  };

  return (
    <Dialog open={invitation !== null} onClose={onClose} label="Revoke invitation" className="w-full max-w-md">
      <div className="m-4 rounded-xl bg-white p-5 shadow-xl">
        <h2 className="text-lg font-semibold text-slate-900">Revoke the invitation for {email}?</h2>
        <p className="mt-2 text-sm text-slate-700">
          Its link stops working at once. You can invite {email} again later; they get a new link.
        </p>
        {revoke.error && (
          <ErrorAlert error={revoke.error} overrides={{ not_found: 'This invitation was already accepted or revoked.' }} className="mt-3" />
        )}
        <div className="mt-5 flex flex-wrap justify-end gap-2">
          <Button variant="secondary" onClick={onClose}>
            Cancel
          </Button>
          <Button variant="danger" busy={revoke.isPending} onClick={confirm}>
            {revoke.isPending ? 'Revoking…' : 'Revoke invitation'}
          </Button>
        </div>
      </div>
    </Dialog>
  );
}

/** Invitations nobody accepted yet (admins), expired ones flagged, each revocable. */
export function InvitationList() {
  const invitations = useInvitations(true);
  const [revoking, setRevoking] = useState<PendingInvitation | null>(null);

  return (
    <section aria-labelledby="invitations-title">
      <h2 id="invitations-title" tabIndex={-1} className="text-lg font-semibold">
        Pending invitations
      </h2>
      <div className="mt-3">
        {invitations.isPending ? (
          <div className="rounded-xl border border-slate-200 bg-white p-5">
            <LoadingBlock label="Loading invitations…" lines={2} />
          </div>
        ) : invitations.isError ? (
          <ErrorAlert error={invitations.error}>
            <Button variant="secondary" className="mt-3" onClick={() => void invitations.refetch()}>
              Try again
            </Button>
          </ErrorAlert>
        ) : invitations.data.length === 0 ? (
          <p className="rounded-xl border border-dashed border-slate-300 px-5 py-4 text-sm text-slate-700">
            No invitations are waiting to be accepted.
          </p>
        ) : (
          <ResponsiveTable
            caption="Pending invitations"
            columns={[{ label: 'Email' }, { label: 'Role', className: 'w-28' }, { label: 'Status', className: 'w-56' }, { label: '', srLabel: 'Actions', className: 'w-32' }]}
          >
            {invitations.data.map((invitation) => (
              <Row key={invitation.id}>
                <Cell header>
                  <p className="truncate font-medium text-slate-900" title={invitation.email}>
                    {invitation.email}
                  </p>
                  <p className="text-slate-600">Invited {formatDay(invitation.created_at)}</p>
                </Cell>
                <Cell label="Role">{invitation.role === 'admin' ? 'Admin' : 'Member'}</Cell>
                <Cell label="Status">
                  {invitation.expired ? (
                    <>
                      <span className="inline-flex items-center rounded-full bg-rose-50 px-2 py-0.5 text-xs font-medium text-rose-800 ring-1 ring-inset ring-rose-200">
                        Expired
                      </span>
                      <span className="mt-0.5 block text-xs text-slate-600">Invite again for a new link.</span>
                    </>
                  ) : (
                    <span className="text-slate-700">Works until {formatMoment(invitation.expires_at)}</span>
                  )}
                </Cell>
                <Cell className="@2xl:text-right">
                  <Button variant="secondary" onClick={() => setRevoking(invitation)} aria-label={`Revoke the invitation for ${invitation.email}`}>
                    Revoke
                  </Button>
                </Cell>
              </Row>
            ))}
          </ResponsiveTable>
        )}
      </div>
      <RevokeDialog invitation={revoking} onClose={() => setRevoking(null)} />
    </section>
  );
}
