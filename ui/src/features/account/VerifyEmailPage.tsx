import { useEffect, useRef } from 'react';
import { Link, useParams } from 'react-router';
import { isApiError } from '../../api/client';
import { Alert, ErrorAlert } from '../../components/Alert';
import { Button } from '../../components/Button';
import { LoadingBlock } from '../../components/Skeleton';
import { AuthLayout } from '../auth/AuthLayout';
import { hasLiveSession, useSession } from '../auth/sessionStore';
import { useVerifyEmail } from './hooks';

/** `/verify-email/:token`: confirms the address the emailed link was sent to. */
export default function VerifyEmailPage() {
  const { token = '' } = useParams<{ token: string }>();
  const verify = useVerifyEmail();
  const signedIn = useSession((s) => hasLiveSession(s));
  const started = useRef(false);

  useEffect(() => {
    // A link works once: one attempt per visit, even when React runs effects twice.
    if (started.current) return;
    started.current = true;
    verify.mutate(token);
  }, [token, verify]);

  const next = signedIn ? (
    <Link className="inline-block rounded-md bg-brand-600 px-3.5 py-2 text-sm font-medium text-white hover:bg-brand-700" to="/onboarding">
      Continue
    </Link>
  ) : (
    <Link className="inline-block rounded-md bg-brand-600 px-3.5 py-2 text-sm font-medium text-white hover:bg-brand-700" to="/sign-in">
      Sign in
    </Link>
  );

  return (
    <AuthLayout title="Verify your email">
      {verify.isPending || verify.isIdle ? (
        <LoadingBlock label="Checking your link…" />
      ) : verify.isSuccess ? (
        <div className="space-y-4">
          <Alert
            tone="success"
            title="Your email address is verified."
            detail="Colleagues with your email domain can now join your organization, or you can join theirs."
          />
          {next}
        </div>
      ) : isApiError(verify.error) && verify.error.status === 404 ? (
        <div className="space-y-4">
          <Alert
            title="This verification link is no longer valid."
            detail="It may have been used already or expired, or your email address changed since. Ask for a new one from the setup page."
          />
          {next}
        </div>
      ) : (
        <ErrorAlert error={verify.error}>
          <Button variant="secondary" className="mt-3" onClick={() => verify.mutate(token)}>
            Try again
          </Button>
        </ErrorAlert>
      )}
    </AuthLayout>
  );
}
