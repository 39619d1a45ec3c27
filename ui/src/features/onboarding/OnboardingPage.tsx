import { Building2, Users } from 'lucide-react';
import { type FormEvent, useState } from 'react';
import { Navigate, useNavigate } from 'react-router';
import { Alert, ErrorAlert } from '../../components/Alert';
import { Button } from '../../components/Button';
import { LoadingBlock } from '../../components/Skeleton';
import { TextField } from '../../components/TextField';
import { useSendVerification } from '../account/hooks';
import { AuthLayout } from '../auth/AuthLayout';
import { useConfig } from '../auth/config';
import { organizationOf, useMe, useSignOut } from '../auth/hooks';
import { useCreateOrganization, useDomainLookup, useJoinOrganization } from './hooks';
import { emailDomain, isPublicMailDomain, suggestOrgName } from './orgName';

const CREATE_ERRORS = {
  conflict: 'That organization or domain is already taken.',
  forbidden: "Revtops can't claim that email domain for you.",
};
const JOIN_ERRORS = { forbidden: "You can't join this organization with your account.", conflict: 'You already belong to an organization.' };

function SignOutLink() {
  const signOut = useSignOut();
  return (
    <button type="button" className="font-medium text-slate-700 underline" onClick={() => signOut.mutate()} disabled={signOut.isPending}>
      {signOut.isPending ? 'Signing out…' : 'Sign out'}
    </button>
  );
}

/** Local accounts verify their address by an emailed link; Supabase verifies it itself. */
function VerifyEmailHint({ domain, email }: { domain: string; email: string }) {
  const { data: config } = useConfig();
  const send = useSendVerification();
  const intro = `Once your email address is verified, you can let colleagues from @${domain} join without an invitation.`;
  if (config?.auth_mode !== 'local') return <p className="text-xs text-slate-600">{intro}</p>;
  if (!config.features.email) {
    return <p className="text-xs text-slate-600">{intro} This server sends no email: ask whoever runs it to verify your address.</p>;
  }
  if (send.isSuccess) {
    return <Alert tone="success" title={`We sent a link to ${email}.`} detail="Open it to verify your address, then come back here." />;
  }
  return (
    <div className="space-y-2">
      <p className="text-xs text-slate-600">{intro}</p>
      {send.error && <ErrorAlert error={send.error} overrides={{ conflict: 'Your email is already verified. Reload this page.' }} />}
      <Button variant="secondary" busy={send.isPending} onClick={() => send.mutate()}>
        {send.isPending ? 'Sending…' : 'Email me a verification link'}
      </Button>
    </div>
  );
}

export default function OnboardingPage() {
  const me = useMe();
  const navigate = useNavigate();
  const user = me.data?.user;
  const domain = emailDomain(user?.email);
  const companyDomain = domain !== null && !isPublicMailDomain(domain);
  const verified = user?.email_verified === true;
  const lookup = useDomainLookup(domain, verified && companyDomain);
  const existing = lookup.data?.exists ? lookup.data : null;

  const create = useCreateOrganization();
  const join = useJoinOrganization();
  const [name, setName] = useState<string | null>(null);
  const [claim, setClaim] = useState(false);
  const [tried, setTried] = useState(false);

  if (me.isPending) {
    return (
      <AuthLayout title="Set up your workspace">
        <LoadingBlock />
      </AuthLayout>
    );
  }
  if (me.isError) {
    return (
      <AuthLayout title="Set up your workspace" footer={<SignOutLink />}>
        <ErrorAlert error={me.error}>
          <Button variant="secondary" className="mt-3" onClick={() => void me.refetch()}>
            Try again
          </Button>
        </ErrorAlert>
      </AuthLayout>
    );
  }
  if (organizationOf(me.data)) return <Navigate to="/chat" replace />;

  const orgName = name ?? suggestOrgName(domain);
  const canClaim = verified && companyDomain && !existing;
  const done = () => navigate('/chat', { replace: true });

  const submit = (event: FormEvent) => {
    event.preventDefault();
    setTried(true);
    if (!orgName.trim()) return;
    create.mutate({ name: orgName.trim(), ...(canClaim && claim && domain ? { email_domain: domain } : {}) }, { onSuccess: done });
  };

  const greeting = user?.name ? `Welcome, ${user.name}.` : 'Welcome.';

  return (
    <AuthLayout
      wide
      title="Set up your workspace"
      subtitle={`${greeting} Revtops works inside an organization: your team shares its data and its questions there.`}
      footer={
        <>
          Signed in as {user?.email ?? 'you'}. <SignOutLink />
        </>
      }
    >
      <div className="space-y-6">
        {existing && (
          <section aria-labelledby="join-title" className="rounded-lg border border-brand-100 bg-brand-50 p-5">
            <div className="flex items-start gap-3">
              <Users className="mt-0.5 size-5 shrink-0 text-brand-700" aria-hidden="true" />
              <div className="min-w-0 flex-1">
                <h2 id="join-title" className="font-semibold">
                  {existing.name ?? 'Your team'} is already on Revtops
                </h2>
                <p className="mt-1 text-sm text-slate-700">Everyone with an @{existing.domain} email can join it.</p>
                {join.error && <ErrorAlert className="mt-3" error={join.error} overrides={JOIN_ERRORS} />}
                <Button className="mt-4" busy={join.isPending} onClick={() => join.mutate(undefined, { onSuccess: done })}>
                  {join.isPending ? 'Joining…' : `Join ${existing.name ?? 'your team'}`}
                </Button>
              </div>
            </div>
          </section>
        )}

        <section aria-labelledby="create-title">
          <div className="flex items-start gap-3">
            <Building2 className="mt-0.5 size-5 shrink-0 text-slate-600" aria-hidden="true" />
            <div className="min-w-0 flex-1">
              <h2 id="create-title" className="font-semibold">
                {existing ? 'Or create a separate organization' : 'Create your organization'}
              </h2>
              <p className="mt-1 text-sm text-slate-700">You will be its administrator and can invite your team later.</p>
              <form className="mt-4 space-y-4" onSubmit={submit} aria-labelledby="create-title" noValidate>
                {create.error && <ErrorAlert error={create.error} overrides={CREATE_ERRORS} />}
                <TextField
                  label="Organization name"
                  name="organization"
                  autoComplete="organization"
                  required
                  maxLength={200}
                  placeholder="Acme Inc."
                  value={orgName}
                  error={tried && !orgName.trim() ? 'Give your organization a name.' : null}
                  onChange={(e) => setName(e.target.value)}
                />
                {canClaim && (
                  <div className="flex items-start gap-2">
                    <input
                      id="claim-domain"
                      type="checkbox"
                      className="mt-1 size-4 rounded border-slate-400"
                      checked={claim}
                      onChange={(e) => setClaim(e.target.checked)}
                      aria-describedby="claim-domain-hint"
                    />
                    <div>
                      <label htmlFor="claim-domain" className="text-sm font-medium text-slate-800">
                        Let colleagues with an @{domain} email join
                      </label>
                      <p id="claim-domain-hint" className="text-xs text-slate-600">
                        They will be able to join as members without an invitation.
                      </p>
                    </div>
                  </div>
                )}
                {!verified && companyDomain && <VerifyEmailHint domain={domain} email={user?.email ?? ''} />}
                <Button type="submit" busy={create.isPending}>
                  {create.isPending ? 'Creating…' : 'Create organization'}
                </Button>
              </form>
            </div>
          </div>
        </section>
      </div>
    </AuthLayout>
  );
}
