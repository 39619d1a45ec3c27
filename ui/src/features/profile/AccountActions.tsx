import { type FormEvent, type ReactNode, useState } from 'react';
import { Link, useNavigate } from 'react-router';
import { toast } from 'sonner';
import { isApiError } from '../../api/client';
import { ErrorAlert } from '../../components/Alert';
import { Button } from '../../components/Button';
import { Dialog } from '../../components/Dialog';
import { TextField } from '../../components/TextField';
import { useSignOut } from '../auth/hooks';
import { useSession } from '../auth/sessionStore';
import { useDeleteAccount, useLeaveOrganization } from './hooks';

/** 409s here are the server's rules: the last admin and the only member cannot go. */
const CANNOT_GO = (verb: string) => ({ conflict: `You can't ${verb} yet.` });

/** Where to make someone else an admin, when the server said that is what is missing. */
function TeamLink({ error }: { error: unknown }) {
  if (!isApiError(error) || error.code !== 'conflict') return null;
  return (
    <Link to="/team" className="mt-1 inline-block font-medium underline">
      Go to Team
    </Link>
  );
}

function ConfirmCard({ title, children }: { title: string; children: ReactNode }) {
  return (
    <div className="m-4 rounded-xl bg-white p-5 shadow-xl">
      <h2 className="text-lg font-semibold text-slate-900">{title}</h2>
      {children}
    </div>
  );
}

/**
 * Leaving the organization (see `seats::vacate` on the server): the account stays without one
 * and goes to onboarding; conversations and personal connections there go; saved reports and
 * CRM records stay.
 */
export function LeaveOrganization({ organizationName, emailDomain }: { organizationName: string; emailDomain: string | null | undefined }) {
  const [open, setOpen] = useState(false);
  const leave = useLeaveOrganization();
  const close = () => {
    setOpen(false);
    leave.reset();
  };

  return (
    <section aria-labelledby="leave-title" className="rounded-xl border border-slate-200 bg-white p-5">
      <h2 id="leave-title" className="text-lg font-semibold">
        Leave {organizationName}
      </h2>
      <p className="mt-1 text-sm text-slate-700">
        Your account stays, without an organization: you can then create one or join another.
      </p>
      <Button variant="secondary" className="mt-4" onClick={() => setOpen(true)}>
        Leave organization
      </Button>

      <Dialog open={open} onClose={close} label={`Leave ${organizationName}`} className="w-full max-w-lg">
        <ConfirmCard title={`Leave ${organizationName}?`}>
          <ul className="mt-2 list-disc space-y-1 pl-5 text-sm text-slate-700">
            <li>You lose access to {organizationName}&apos;s data at once.</li>
            <li>Your conversations in {organizationName}, and data sources you connected for yourself, are deleted.</li>
            <li>Reports you saved stay with {organizationName}, as do CRM records you own.</li>
            <li>
              Your account stays. To come back you need a new invitation
              {emailDomain ? `, or a verified @${emailDomain} email address to join by domain` : ''}.
            </li>
          </ul>
          {leave.error && (
            <ErrorAlert error={leave.error} overrides={CANNOT_GO('leave')} className="mt-3">
              <TeamLink error={leave.error} />
            </ErrorAlert>
          )}
          <div className="mt-5 flex flex-wrap justify-end gap-2">
            <Button variant="secondary" onClick={close}>
              Cancel
            </Button>
            <Button
              variant="danger"
              busy={leave.isPending}
              onClick={() => leave.mutate(undefined, { onSuccess: () => toast.success(`You left ${organizationName}.`) })}
            >
              {leave.isPending ? 'Leaving…' : `Leave ${organizationName}`}
            </Button>
          </div>
        </ConfirmCard>
      </Dialog>
    </section>
  );
}

/**
 * Deleting the account (see `account::delete_account` on the server), confirmed by typing one's
 * email (or "delete" for an account without one).
 */
export function DeleteAccount({
  email,
  organizationName,
  supabase,
}: {
  email: string | null | undefined;
  organizationName: string;
  /** Signed in with Google through Supabase: that sign-in itself remains. */
  supabase: boolean;
}) {
  const [open, setOpen] = useState(false);
  const [typed, setTyped] = useState('');
  const remove = useDeleteAccount();
  const signOut = useSignOut();
  const navigate = useNavigate();
  const expected = email ?? 'delete';
  const matches = typed.trim().toLowerCase() === expected.toLowerCase();

  const close = () => {
    setOpen(false);
    setTyped('');
    remove.reset();
  };

  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (!matches) return;
    remove.mutate(undefined, {
      onSuccess: () => {
        toast.success('Your account was deleted.');
        // Every session ended on the server: forget this one first (so nothing reports it as
        // expired), then sign out as usual (Supabase, drafts, cached data).
        useSession.getState().signOut();
        navigate('/sign-in', { replace: true });
        signOut.mutate();
      },
    });
  };

  return (
    <section aria-labelledby="delete-title" className="rounded-xl border border-rose-200 bg-white p-5">
      <h2 id="delete-title" className="text-lg font-semibold text-rose-900">
        Delete your account
      </h2>
      <p className="mt-1 text-sm text-slate-700">Removes your account for good. This cannot be undone.</p>
      <Button variant="danger" className="mt-4" onClick={() => setOpen(true)}>
        Delete account
      </Button>

      <Dialog open={open} onClose={close} label="Delete your account" className="w-full max-w-lg">
        <ConfirmCard title="Delete your account?">
          <form onSubmit={submit} aria-label="Delete your account" noValidate>
            <p className="mt-2 text-sm font-medium text-slate-900">This cannot be undone.</p>
            <ul className="mt-2 list-disc space-y-1 pl-5 text-sm text-slate-700">
              <li>Your sign-in, name, email and picture are removed, and you are signed out everywhere.</li>
              <li>Your conversations, and data sources you connected for yourself, are deleted.</li>
              <li>Reports you saved stay with {organizationName}.</li>
              <li>If your account came from your CRM (you own deals there), that CRM owner record stays, so its deals keep their owner.</li>
              {supabase && <li>Your Google account is not touched: signing in with it again starts a new, empty Revtops account.</li>}
            </ul>
            {remove.error && (
              <ErrorAlert error={remove.error} overrides={CANNOT_GO('delete your account')} className="mt-3">
                <TeamLink error={remove.error} />
              </ErrorAlert>
            )}
            <TextField
              className="mt-4"
              label={email ? 'Type your email address to confirm' : 'Type “delete” to confirm'}
              name="confirm-delete"
              autoComplete="off"
              value={typed}
              onChange={(e) => setTyped(e.target.value)}
              hint={email ? email : null}
            />
            <div className="mt-5 flex flex-wrap justify-end gap-2">
              <Button variant="secondary" onClick={close}>
                Cancel
              </Button>
              <Button type="submit" variant="danger" busy={remove.isPending} disabled={!matches}>
                {remove.isPending ? 'Deleting…' : 'Delete my account'}
              </Button>
            </div>
          </form>
        </ConfirmCard>
      </Dialog>
    </section>
  );
}
