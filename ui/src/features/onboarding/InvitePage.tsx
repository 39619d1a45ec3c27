import { MailCheck } from 'lucide-react';
import { useEffect, useRef, useState } from 'react';
import { Link, useNavigate, useParams } from 'react-router';
import { isApiError } from '../../api/client';
import type { InvitationPreview, RuntimeConfig } from '../../api/types';
import { Alert, ErrorAlert } from '../../components/Alert';
import { Button } from '../../components/Button';
import { LoadingBlock } from '../../components/Skeleton';
import { RegisterForm, SignInForm } from '../auth/AuthForms';
import { AuthLayout } from '../auth/AuthLayout';
import { GoogleButton } from '../auth/GoogleButton';
import { useConfig } from '../auth/config';
import { organizationOf, useMe } from '../auth/hooks';
import { SessionEndedNote } from '../auth/SignInPage';
import { hasLiveSession, useSession } from '../auth/sessionStore';
import { useAcceptInvitation, useInvitationPreview } from './hooks';

const ACCEPT_ERRORS = {
  forbidden: 'This invitation is for a different email address.',
  conflict: 'Your account already belongs to an organization.',
  not_found: 'This invitation is no longer valid.',
};

const roleText = (role: InvitationPreview['role']) => (role === 'admin' ? 'an administrator' : 'a member');

function SignedInAccept({ token, preview, auto }: { token: string; preview: InvitationPreview; auto: boolean }) {
  const me = useMe();
  const accept = useAcceptInvitation();
  const navigate = useNavigate();
  const org = organizationOf(me.data);
  const email = me.data?.user.email;
  const autoStarted = useRef(false);

  useEffect(() => {
    // Just signed in (or signed up) from this page: finish joining straight away.
    if (!auto || autoStarted.current || !me.data) return;
    autoStarted.current = true;
    if (org && org.name === preview.organization_name) navigate('/chat', { replace: true });
    else accept.mutate(token, { onSuccess: () => navigate('/chat', { replace: true }) });
  }, [auto, accept, navigate, token, me.data, org, preview.organization_name]);

  if (org && org.name === preview.organization_name && !auto) {
    return (
      <div className="space-y-4">
        <Alert tone="success" title={`You're already a member of ${org.name}.`} />
        <Link to="/chat" className="inline-block rounded-md bg-brand-600 px-3.5 py-2 text-sm font-medium text-white hover:bg-brand-700">
          Go to chat
        </Link>
      </div>
    );
  }
  return (
    <div className="space-y-4">
      {email && email.toLowerCase() !== preview.email.toLowerCase() && (
        <Alert
          tone="info"
          title={`You're signed in as ${email}.`}
          detail={`This invitation was sent to ${preview.email}. Sign in with that address to accept it.`}
        />
      )}
      {accept.error && <ErrorAlert error={accept.error} overrides={ACCEPT_ERRORS} />}
      <Button size="lg" className="w-full" busy={accept.isPending} onClick={() => accept.mutate(token, { onSuccess: () => navigate('/chat', { replace: true }) })}>
        {accept.isPending ? 'Joining…' : `Join ${preview.organization_name}`}
      </Button>
    </div>
  );
}

/** Once the session starts here, the page switches to SignedInAccept, which finishes joining. */
function SignedOutAccept({ token, preview, config }: { token: string; preview: InvitationPreview; config: RuntimeConfig }) {
  const [mode, setMode] = useState<'register' | 'sign-in'>('register');
  const [email, setEmail] = useState(preview.email);

  if (config.auth_mode === 'supabase') {
    return (
      <div className="space-y-3">
        <p className="text-sm text-slate-700">Continue with the Google account for {preview.email}; you will join right after.</p>
        <GoogleButton config={config} next={`/invite/${encodeURIComponent(token)}`} />
      </div>
    );
  }

  return (
    <div>
      <SessionEndedNote />
      <div role="group" aria-label="Do you have a Revtops account?" className="mb-5 grid grid-cols-2 gap-1 rounded-lg bg-slate-100 p-1 text-sm">
        {(['register', 'sign-in'] as const).map((m) => (
          <button
            key={m}
            type="button"
            aria-pressed={mode === m}
            onClick={() => setMode(m)}
            className={mode === m ? 'rounded-md bg-white px-3 py-1.5 font-medium shadow-sm' : 'rounded-md px-3 py-1.5 text-slate-700 hover:text-slate-900'}
          >
            {m === 'register' ? 'I am new to Revtops' : 'I have an account'}
          </button>
        ))}
      </div>
      {mode === 'register' ? (
        <RegisterForm
          defaultEmail={email}
          inviteToken={token}
          onSwitchToSignIn={(e) => {
            setEmail(e);
            setMode('sign-in');
          }}
        />
      ) : (
        <SignInForm defaultEmail={email} />
      )}
    </div>
  );
}

/** `/invite/:token`: join an organization from an invitation link. */
export default function InvitePage() {
  const { token = '' } = useParams<{ token: string }>();
  const signedIn = useSession((s) => hasLiveSession(s));
  const preview = useInvitationPreview(token);
  const config = useConfig();
  // Signed out when the page opened: a session started here means "join now".
  const [openedSignedOut] = useState(!signedIn);

  if (preview.isPending || config.isPending) {
    return (
      <AuthLayout title="Your invitation">
        <LoadingBlock label="Opening your invitation…" />
      </AuthLayout>
    );
  }
  if (preview.isError) {
    const gone = isApiError(preview.error) && preview.error.status === 404;
    return (
      <AuthLayout title="Your invitation" footer={<Link className="font-medium text-brand-700 underline" to="/sign-in">Go to sign in</Link>}>
        {gone ? (
          <Alert
            title="This invitation link is no longer valid."
            detail="It may have expired or been used already. Ask the person who invited you to send a new one."
          />
        ) : (
          <ErrorAlert error={preview.error}>
            <Button variant="secondary" className="mt-3" onClick={() => void preview.refetch()}>
              Try again
            </Button>
          </ErrorAlert>
        )}
      </AuthLayout>
    );
  }
  if (config.isError) {
    return (
      <AuthLayout title="Your invitation">
        <ErrorAlert error={config.error} />
      </AuthLayout>
    );
  }

  const invitation = preview.data;
  const expires = new Date(invitation.expires_at);
  return (
    <AuthLayout
      title={`Join ${invitation.organization_name} on Revtops`}
      subtitle={
        <p className="flex items-start gap-2">
          <MailCheck className="mt-0.5 size-4 shrink-0" aria-hidden="true" />
          <span>
            {invitation.email} is invited as {roleText(invitation.role)}
            {Number.isNaN(expires.getTime()) ? '' : `, until ${expires.toLocaleDateString(undefined, { dateStyle: 'medium' })}`}.
          </span>
        </p>
      }
    >
      {signedIn ? (
        <SignedInAccept token={token} preview={invitation} auto={openedSignedOut} />
      ) : (
        <SignedOutAccept token={token} preview={invitation} config={config.data} />
      )}
    </AuthLayout>
  );
}
