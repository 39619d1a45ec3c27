import { type ReactNode, useEffect } from 'react';
import { toast } from 'sonner';
import type { UserView } from '../../api/types';
import { Alert, ErrorAlert } from '../../components/Alert';
import { Button } from '../../components/Button';
import { Dialog } from '../../components/Dialog';
import { CopyField } from './CopyField';
import { formatMoment } from './format';
import { LAST_ADMIN_ERRORS, displayName, useIssuePasswordReset, useRemoveMember } from './hooks';

function DialogCard({ title, children }: { title: string; children: ReactNode }) {
  return (
    <div className="m-4 rounded-xl bg-white p-5 shadow-xl">
      <h2 className="text-lg font-semibold text-slate-900">{title}</h2>
      {children}
    </div>
  );
}

/**
 * Asks before a member is removed, saying what happens (see `seats::vacate` on the server):
 * their account stays without an organization, their conversations and personal connections
 * go, saved reports and CRM records stay.
 */
export function RemoveMemberDialog({
  member,
  organizationName,
  onClose,
  onRemoved,
}: {
  member: UserView | null;
  organizationName: string;
  onClose: () => void;
  /** After the dialog closed: the row (and the button that opened it) is gone. */
  onRemoved?: () => void;
}) {
  const remove = useRemoveMember();
  const { reset } = remove;
  useEffect(() => reset(), [member, reset]);
  const name = member ? displayName(member) : '';

  const confirm = () => {
    if (!member) return;
    remove.mutate(member.id, {
      onSuccess: () => {
        toast.success(`${name} was removed from ${organizationName}.`);
        onClose();
        // Once the dialog has closed (and tried to return focus to a button that is gone).
        setTimeout(() => onRemoved?.(), 0);
      },
    });
  };

  return (
    <Dialog open={member !== null} onClose={onClose} label={`Remove ${name}`} className="w-full max-w-lg">
      <DialogCard title={`Remove ${name} from ${organizationName}?`}>
        <div className="mt-2 space-y-2 text-sm text-slate-700">
          <p>They lose access to {organizationName} at once.</p>
          <ul className="list-disc space-y-1 pl-5">
            <li>Their conversations in {organizationName}, and data sources they connected for themselves, are deleted.</li>
            <li>Reports they saved stay with the organization.</li>
            <li>CRM records they own (deals, accounts, activities) stay in {organizationName} with their owner. If they came from your CRM, they are listed again as a CRM owner.</li>
            <li>Their Revtops account itself stays, without an organization. You can invite them again later.</li>
          </ul>
        </div>
        {remove.error && <ErrorAlert error={remove.error} overrides={LAST_ADMIN_ERRORS} className="mt-3" />}
        <div className="mt-5 flex flex-wrap justify-end gap-2">
          <Button variant="secondary" onClick={onClose}>
            Cancel
          </Button>
          <Button variant="danger" busy={remove.isPending} onClick={confirm}>
            {remove.isPending ? 'Removing…' : `Remove ${name}`}
          </Button>
        </div>
      </DialogCard>
    </Dialog>
  );
}

/** Asks before admins demote themselves: only another admin can undo it. */
export function StepDownDialog({
  open,
  organizationName,
  onClose,
  onConfirm,
}: {
  open: boolean;
  organizationName: string;
  onClose: () => void;
  onConfirm: () => void;
}) {
  return (
    <Dialog open={open} onClose={onClose} label="Step down as admin" className="w-full max-w-md">
      <DialogCard title="Step down as admin?">
        <p className="mt-2 text-sm text-slate-700">
          You become a member of {organizationName}: you can no longer invite people, change roles or manage shared data
          sources. Only another admin can make you an admin again.
        </p>
        <div className="mt-5 flex flex-wrap justify-end gap-2">
          <Button variant="secondary" onClick={onClose}>
            Cancel
          </Button>
          <Button variant="danger" onClick={onConfirm}>
            Step down
          </Button>
        </div>
      </DialogCard>
    </Dialog>
  );
}

/**
 * Issues a one-time reset link for a member (local accounts): emailed when the server sends
 * email, otherwise shown to pass on.
 */
export function PasswordResetDialog({ member, onClose }: { member: UserView | null; onClose: () => void }) {
  const issue = useIssuePasswordReset();
  const { reset } = issue;
  useEffect(() => reset(), [member, reset]);
  const name = member ? displayName(member) : '';
  const sent = issue.data;

  return (
    <Dialog open={member !== null} onClose={onClose} label={`Password reset for ${name}`} className="w-full max-w-lg">
      <DialogCard title={`Reset ${name}’s password`}>
        {sent ? (
          <div className="mt-3 space-y-3">
            {sent.emailed ? (
              <Alert
                tone="success"
                title={`We emailed ${name} a link to choose a new password.`}
                detail={`It works once, until ${formatMoment(sent.expires_at)}.`}
              />
            ) : (
              <>
                <Alert
                  tone="info"
                  title="This server sends no email: pass the link on yourself."
                  detail={`Send it only to ${name}. It works once, until ${formatMoment(sent.expires_at)}.`}
                />
                <CopyField label="Password reset link" value={sent.link} />
              </>
            )}
            <div className="flex justify-end">
              <Button onClick={onClose}>Done</Button>
            </div>
          </div>
        ) : (
          <>
            <p className="mt-2 text-sm text-slate-700">
              Revtops makes a link with which {name} chooses a new password. It works once, for 24 hours, and replaces any
              earlier link. Their current password keeps working until they use it; then they are signed out everywhere.
            </p>
            {issue.error && (
              <ErrorAlert
                error={issue.error}
                overrides={{ conflict: 'This person has no password to reset.', not_found: "We couldn't find this member. They may have left." }}
                className="mt-3"
              />
            )}
            <div className="mt-5 flex flex-wrap justify-end gap-2">
              <Button variant="secondary" onClick={onClose}>
                Cancel
              </Button>
              <Button busy={issue.isPending} onClick={() => member && issue.mutate(member.id)}>
                {issue.isPending ? 'Creating link…' : 'Create reset link'}
              </Button>
            </div>
          </>
        )}
      </DialogCard>
    </Dialog>
  );
}
