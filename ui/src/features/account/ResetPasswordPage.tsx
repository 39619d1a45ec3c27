import { type FormEvent, useState } from 'react';
import { Link, useNavigate, useParams } from 'react-router';
import { isApiError } from '../../api/client';
import { Alert, ErrorAlert } from '../../components/Alert';
import { Button } from '../../components/Button';
import { TextField } from '../../components/TextField';
import { MIN_PASSWORD_CHARS, NewPasswordField } from '../auth/AuthForms';
import { AuthLayout } from '../auth/AuthLayout';
import { useResetPassword } from './hooks';

/** `/reset-password/:token`: choose a new password with the one-time link an admin issued. */
export default function ResetPasswordPage() {
  const { token = '' } = useParams<{ token: string }>();
  const reset = useResetPassword();
  const navigate = useNavigate();
  const [password, setPassword] = useState('');
  const [confirm, setConfirm] = useState('');
  const [tried, setTried] = useState(false);

  const short = [...password].length < MIN_PASSWORD_CHARS;
  const mismatch = password !== confirm;
  const signIn = (
    <Link className="font-medium text-brand-700 underline" to="/sign-in">
      Go to sign in
    </Link>
  );

  // 404: the link is unknown, used or expired (links are only issued where local accounts exist).
  if (isApiError(reset.error) && reset.error.status === 404) {
    return (
      <AuthLayout title="Choose a new password" footer={signIn}>
        <Alert
          title="This reset link is no longer valid."
          detail="Links work once, for 24 hours, and a newer link replaces an older one. Ask an admin of your organization for a new one."
        />
      </AuthLayout>
    );
  }

  const submit = (event: FormEvent) => {
    event.preventDefault();
    setTried(true);
    if (short || mismatch) return;
    reset.mutate({ token, new_password: password }, { onSuccess: () => navigate('/chat', { replace: true }) });
  };

  return (
    <AuthLayout
      title="Choose a new password"
      subtitle="You will be signed in with it, and signed out everywhere else."
      footer={signIn}
    >
      <form onSubmit={submit} className="space-y-4" aria-label="Choose a new password" noValidate>
        {reset.error && <ErrorAlert error={reset.error} />}
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
          error={tried && !short && mismatch ? "The two passwords don't match." : null}
          value={confirm}
          onChange={(e) => setConfirm(e.target.value)}
        />
        <Button type="submit" className="w-full" busy={reset.isPending}>
          {reset.isPending ? 'Saving…' : 'Save and sign in'}
        </Button>
      </form>
    </AuthLayout>
  );
}
