import { Link, Navigate, useNavigate, useSearchParams } from 'react-router';
import { Alert, ErrorAlert } from '../../components/Alert';
import { Button } from '../../components/Button';
import { LoadingBlock } from '../../components/Skeleton';
import { RegisterForm, SignInForm } from './AuthForms';
import { AuthLayout } from './AuthLayout';
import { GoogleButton } from './GoogleButton';
import { useConfig } from './config';
import { safeNextPath } from './nextPath';
import { hasLiveSession, useSession } from './sessionStore';

export function SessionEndedNote() {
  const ended = useSession((s) => s.endedNotice);
  if (!ended) return null;
  return (
    <Alert tone="info" title="Your session ended, sign in again." detail="Anything you were typing in the chat is kept." className="mb-4" />
  );
}

export default function SignInPage({ mode }: { mode: 'sign-in' | 'sign-up' }) {
  const [params] = useSearchParams();
  const navigate = useNavigate();
  const next = safeNextPath(params.get('next'));
  const signedIn = useSession((s) => hasLiveSession(s));
  const config = useConfig();
  const emailParam = params.get('email') ?? '';

  if (signedIn) return <Navigate to={next} replace />;

  const query = (extra: Record<string, string> = {}) => {
    const search = new URLSearchParams({ ...(next !== '/chat' ? { next } : {}), ...extra });
    const text = search.toString();
    return text ? `?${text}` : '';
  };

  if (config.isPending) {
    return (
      <AuthLayout title="Sign in to Revtops">
        <LoadingBlock label="Loading sign-in options…" />
      </AuthLayout>
    );
  }
  if (config.isError) {
    return (
      <AuthLayout title="Sign in to Revtops">
        <ErrorAlert error={config.error}>
          <Button variant="secondary" className="mt-3" onClick={() => void config.refetch()}>
            Try again
          </Button>
        </ErrorAlert>
      </AuthLayout>
    );
  }

  const cfg = config.data;
  const version = cfg.version ? `Revtops ${cfg.version}` : null;

  if (cfg.auth_mode === 'supabase') {
    return (
      <AuthLayout title="Sign in to Revtops" subtitle="Your revenue copilot: ask questions about your pipeline in plain words." footer={version}>
        <SessionEndedNote />
        <GoogleButton config={cfg} next={next} />
      </AuthLayout>
    );
  }

  if (mode === 'sign-up') {
    if (!cfg.signup_open) {
      return (
        <AuthLayout title="Create an account" footer={<Link className="font-medium text-brand-700 underline" to={`/sign-in${query()}`}>Back to sign in</Link>}>
          <Alert tone="info" title="New accounts are by invitation only on this server." detail="Ask your administrator to invite you; the invitation link lets you create your account." />
        </AuthLayout>
      );
    }
    return (
      <AuthLayout
        title="Create your Revtops account"
        subtitle="Then create your organization or join your team's."
        footer={
          <>
            Already have an account?{' '}
            <Link className="font-medium text-brand-700 underline" to={`/sign-in${query()}`}>
              Sign in
            </Link>
          </>
        }
      >
        <RegisterForm
          defaultEmail={emailParam}
          onRegistered={() => navigate(next, { replace: true })}
          onSwitchToSignIn={(email) => navigate(`/sign-in${query(email ? { email } : {})}`)}
        />
      </AuthLayout>
    );
  }

  return (
    <AuthLayout
      title="Sign in to Revtops"
      subtitle="Your revenue copilot: ask questions about your pipeline in plain words."
      footer={
        <>
          {cfg.signup_open && (
            <p>
              New to Revtops?{' '}
              <Link className="font-medium text-brand-700 underline" to={`/sign-up${query()}`}>
                Create an account
              </Link>
            </p>
          )}
          {version && <p className="mt-2 text-xs text-slate-600">{version}</p>}
        </>
      }
    >
      <SessionEndedNote />
      <SignInForm defaultEmail={emailParam} onSignedIn={() => navigate(next, { replace: true })} />
      <p className="mt-4 text-xs text-slate-600">
        Forgot your password? An admin of your organization can send you a link to choose a new one.
      </p>
    </AuthLayout>
  );
}
