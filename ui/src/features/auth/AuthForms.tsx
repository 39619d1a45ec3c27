import { type FormEvent, useState } from 'react';
import { isApiError } from '../../api/client';
import { ErrorAlert } from '../../components/Alert';
import { Button } from '../../components/Button';
import { TextField } from '../../components/TextField';
import { describeError, waitText } from '../../lib/errors';
import { useLogin, useRegister } from './hooks';
import { useRetryCountdown } from './useRetryCountdown';

export const MIN_PASSWORD_CHARS = 10;

const LOGIN_ERRORS = {
  unauthorized: "That email and password don't match. Check them and try again.",
  not_found: 'Signing in with a password is not available on this server.',
};

const REGISTER_ERRORS = {
  conflict: 'An account with this email already exists.',
  forbidden: 'New accounts are closed on this server. Ask your administrator for an invitation.',
  not_found: 'Creating an account with a password is not available on this server.',
};

function useThrottle() {
  const [retryAt, setRetryAt] = useState<number | null>(null);
  const secondsLeft = useRetryCountdown(retryAt);
  const note = (error: unknown) => {
    if (isApiError(error) && error.code === 'rate_limited') {
      setRetryAt(Date.now() + (error.retryAfterSecs ?? 30) * 1000);
    }
  };
  return { secondsLeft, note };
}

/** A password being chosen (sign-up, reset), with the length rule shown under it. */
export function NewPasswordField({
  label,
  error,
  value,
  onChange,
}: {
  label: string;
  error: string | null;
  value: string;
  onChange: (value: string) => void;
}) {
  return (
    <TextField
      label={label}
      type="password"
      name="new-password"
      autoComplete="new-password"
      required
      minLength={MIN_PASSWORD_CHARS}
      hint={`At least ${MIN_PASSWORD_CHARS} characters. A short sentence is easy to remember and hard to guess.`}
      error={error}
      value={value}
      onChange={(e) => onChange(e.target.value)}
    />
  );
}

export function SignInForm({
  defaultEmail = '',
  onSignedIn,
  afterError,
}: {
  defaultEmail?: string;
  /** Runs after the session started (e.g. accept an invitation); its error is shown too. */
  onSignedIn?: () => Promise<void> | void;
  afterError?: unknown;
}) {
  const login = useLogin();
  const throttle = useThrottle();
  const [email, setEmail] = useState(defaultEmail);
  const [password, setPassword] = useState('');

  const submit = (event: FormEvent) => {
    event.preventDefault();
    login.mutate(
      { email: email.trim(), password },
      {
        onSuccess: () => void onSignedIn?.(),
        onError: throttle.note,
      },
    );
  };

  const throttled = throttle.secondsLeft > 0;
  const error = login.error ?? afterError;
  const text = error ? describeError(error, LOGIN_ERRORS) : null;
  if (text && isApiError(error) && error.code === 'rate_limited') {
    text.title = throttled ? `Too many sign-in attempts. ${waitText(throttle.secondsLeft)}` : 'You can try again now.';
    text.detail = null;
  }

  return (
    <form onSubmit={submit} noValidate={false} className="space-y-4" aria-label="Sign in">
      {text && <ErrorAlert text={text} />}
      <TextField label="Work email" type="email" name="email" autoComplete="email" required value={email} onChange={(e) => setEmail(e.target.value)} />
      <TextField
        label="Password"
        type="password"
        name="password"
        autoComplete="current-password"
        required
        value={password}
        onChange={(e) => setPassword(e.target.value)}
      />
      <Button type="submit" className="w-full" busy={login.isPending} disabled={throttled}>
        {login.isPending ? 'Signing in…' : 'Sign in'}
      </Button>
    </form>
  );
}

export function RegisterForm({
  defaultEmail = '',
  inviteToken,
  onRegistered,
  onSwitchToSignIn,
}: {
  defaultEmail?: string;
  inviteToken?: string;
  onRegistered?: () => void;
  onSwitchToSignIn?: (email: string) => void;
}) {
  const register = useRegister();
  const throttle = useThrottle();
  const [name, setName] = useState('');
  const [email, setEmail] = useState(defaultEmail);
  const [password, setPassword] = useState('');
  const [tried, setTried] = useState(false);

  const shortPassword = [...password].length < MIN_PASSWORD_CHARS;
  const passwordError = tried && shortPassword ? `Use at least ${MIN_PASSWORD_CHARS} characters.` : null;
  const nameError = tried && !name.trim() ? 'Tell us your name.' : null;

  const submit = (event: FormEvent) => {
    event.preventDefault();
    setTried(true);
    if (shortPassword || !name.trim()) return;
    register.mutate(
      { email: email.trim(), password, name: name.trim(), ...(inviteToken ? { invite_token: inviteToken } : {}) },
      { onSuccess: () => onRegistered?.(), onError: throttle.note },
    );
  };

  const error = register.error;
  const taken = isApiError(error) && error.code === 'conflict';
  const throttled = throttle.secondsLeft > 0;
  const text = error ? describeError(error, REGISTER_ERRORS) : null;
  if (text && isApiError(error) && error.code === 'rate_limited') {
    text.title = throttled ? `Too many attempts. ${waitText(throttle.secondsLeft)}` : 'You can try again now.';
    text.detail = null;
  }

  return (
    <form onSubmit={submit} className="space-y-4" aria-label="Create account">
      {text && (
        <ErrorAlert text={taken ? { title: text.title, detail: null } : text}>
          {taken && onSwitchToSignIn && (
            <button type="button" className="mt-1 font-medium underline" onClick={() => onSwitchToSignIn(email.trim())}>
              Sign in instead
            </button>
          )}
        </ErrorAlert>
      )}
      <TextField label="Your name" name="name" autoComplete="name" required value={name} error={nameError} onChange={(e) => setName(e.target.value)} />
      <TextField label="Work email" type="email" name="email" autoComplete="email" required value={email} onChange={(e) => setEmail(e.target.value)} />
      <NewPasswordField label="Password" error={passwordError} value={password} onChange={setPassword} />
      <Button type="submit" className="w-full" busy={register.isPending} disabled={throttled}>
        {register.isPending ? 'Creating your account…' : 'Create account'}
      </Button>
    </form>
  );
}
