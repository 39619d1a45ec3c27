import { type FormEvent, type Ref, useState } from 'react';
import type { RoleView } from '../../api/types';
import { Alert, ErrorAlert } from '../../components/Alert';
import { Button } from '../../components/Button';
import { TextField } from '../../components/TextField';
import { CopyField } from './CopyField';
import { formatMoment } from './format';
import { type Invitation, useInvite } from './hooks';
import { ROLE_OPTIONS, SelectField } from './SelectField';

const INVITE_ERRORS = {
  conflict: 'That person already has an account in an organization.',
  forbidden: 'Only admins can invite people.',
  validation_failed: "That email address doesn't look right.",
};

const looksLikeEmail = (text: string) => /^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(text);

/** What became of the last invitation: emailed, or a link to pass on by hand. */
function InviteResult({ invitation }: { invitation: Invitation }) {
  const until = `The link works once, until ${formatMoment(invitation.expires_at)}.`;
  if (invitation.emailed) {
    return <Alert tone="success" title={`Invitation emailed to ${invitation.email}.`} detail={until} />;
  }
  return (
    <Alert
      tone="info"
      title={`Invitation for ${invitation.email} created.`}
      detail={`This server is not set up to send email, so nothing was mailed: send this link to ${invitation.email} yourself. ${until}`}
    >
      <div className="mt-3">
        <CopyField label="Invitation link" value={invitation.link} />
      </div>
    </Alert>
  );
}

/**
 * Invite by email (admins). The email field is controlled by the page, so the CRM owners list
 * can fill it in.
 */
export function InviteForm({
  email,
  onEmailChange,
  sectionRef,
  emailSent,
}: {
  email: string;
  onEmailChange: (value: string) => void;
  /** The section, so the page can bring the form into view and focus its email field. */
  sectionRef?: Ref<HTMLElement>;
  /** The server sends email (`features.email`). */
  emailSent: boolean;
}) {
  const invite = useInvite();
  const [role, setRole] = useState<RoleView>('member');
  const [tried, setTried] = useState(false);
  const trimmed = email.trim();
  const emailError = tried && !looksLikeEmail(trimmed) ? 'Enter an email address, like name@company.com.' : null;

  const submit = (event: FormEvent) => {
    event.preventDefault();
    setTried(true);
    if (!looksLikeEmail(trimmed)) return;
    invite.mutate(
      { email: trimmed, role },
      {
        onSuccess: () => {
          setTried(false);
          onEmailChange('');
          setRole('member');
        },
      },
    );
  };

  return (
    <section ref={sectionRef} aria-labelledby="invite-title" className="rounded-xl border border-slate-200 bg-white p-5">
      <h2 id="invite-title" className="text-lg font-semibold">
        Invite someone
      </h2>
      <p className="mt-1 text-sm text-slate-700">
        {emailSent
          ? 'They get an email with a link to join. A new invitation to the same address replaces the old one.'
          : 'You get a link to send them yourself (this server sends no email). A new invitation to the same address replaces the old one.'}
      </p>
      <form onSubmit={submit} aria-label="Invite someone" className="mt-4 space-y-4" noValidate>
        {invite.error && <ErrorAlert error={invite.error} overrides={INVITE_ERRORS} />}
        <div className="flex flex-col gap-3 sm:flex-row sm:items-start">
          <TextField
            label="Email address"
            type="email"
            name="invite-email"
            autoComplete="off"
            required
            value={email}
            error={emailError}
            onChange={(e) => onEmailChange(e.target.value)}
            className="flex-1"
          />
          <SelectField label="Role" value={role} onChange={(e) => setRole(e.target.value as RoleView)} className="sm:w-36">
            {ROLE_OPTIONS.map((option) => (
              <option key={option.value} value={option.value}>
                {option.label}
              </option>
            ))}
          </SelectField>
          <Button type="submit" busy={invite.isPending} className="sm:mt-6">
            {invite.isPending ? 'Inviting…' : 'Invite'}
          </Button>
        </div>
      </form>
      {invite.data && !invite.isPending && (
        <div className="mt-4">
          <InviteResult invitation={invite.data} />
        </div>
      )}
    </section>
  );
}
