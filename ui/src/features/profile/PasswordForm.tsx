import { type FormEvent, useState } from 'react';
import { toast } from 'sonner';
import { ErrorAlert } from '../../components/Alert';
import { Button } from '../../components/Button';
import { TextField } from '../../components/TextField';
import { MIN_PASSWORD_CHARS, NewPasswordField } from '../auth/AuthForms';
import { useChangePassword } from './hooks';

const PASSWORD_ERRORS = {
  forbidden: 'The current password is not correct.',
  validation_failed: `Use ${MIN_PASSWORD_CHARS} to 256 characters for the new password.`,
};

/** Change one's password (local accounts): other sessions end, this one goes on. */
export function PasswordForm({ email }: { email: string | null | undefined }) {
  const change = useChangePassword();
  const [current, setCurrent] = useState('');
  const [password, setPassword] = useState('');
  const [confirm, setConfirm] = useState('');
  const [tried, setTried] = useState(false);

  const short = [...password].length < MIN_PASSWORD_CHARS;
  const mismatch = password !== confirm;

  const submit = (event: FormEvent) => {
    event.preventDefault();
    setTried(true);
    if (!current || short || mismatch) return;
    change.mutate(
      { current_password: current, new_password: password },
      {
        onSuccess: () => {
          setCurrent('');
          setPassword('');
          setConfirm('');
          setTried(false);
          toast.success('Password changed. You were signed out on your other devices.');
        },
      },
    );
  };

  return (
    <section aria-labelledby="password-title" className="rounded-xl border border-slate-200 bg-white p-5">
      <h2 id="password-title" className="text-lg font-semibold">
        Password
      </h2>
      <p className="mt-1 text-sm text-slate-700">
        Changing it signs you out everywhere else: other browsers and devices need the new password. You stay signed in here.
      </p>
      <form onSubmit={submit} aria-label="Change password" className="mt-4 max-w-md space-y-4" noValidate>
        {/* For password managers: which account this password belongs to. */}
        <input type="text" name="username" autoComplete="username" value={email ?? ''} readOnly hidden />
        {change.error && <ErrorAlert error={change.error} overrides={PASSWORD_ERRORS} />}
        <TextField
          label="Current password"
          type="password"
          name="current-password"
          autoComplete="current-password"
          required
          value={current}
          error={tried && !current ? 'Enter your current password.' : null}
          onChange={(e) => setCurrent(e.target.value)}
        />
        <NewPasswordField
          label="New password"
          error={tried && short ? `Use at least ${MIN_PASSWORD_CHARS} characters.` : null}
          value={password}
          onChange={setPassword}
        />
        <TextField
          label="Repeat the new password"
          type="password"
          name="confirm-password"
          autoComplete="new-password"
          required
          value={confirm}
          error={tried && !short && mismatch ? "The two passwords don't match." : null}
          onChange={(e) => setConfirm(e.target.value)}
        />
        <Button type="submit" busy={change.isPending}>
          {change.isPending ? 'Changing…' : 'Change password'}
        </Button>
      </form>
    </section>
  );
}
