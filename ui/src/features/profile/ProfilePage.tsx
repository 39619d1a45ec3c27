import { LogOut } from 'lucide-react';
import type { ReactNode } from 'react';
import { Button } from '../../components/Button';
import { Skeleton } from '../../components/Skeleton';
import { useConfig } from '../auth/config';
import { useMe, useSignOut } from '../auth/hooks';
import { Avatar } from '../team/Avatar';
import { ImagePicker } from '../team/ImagePicker';
import { DeleteAccount, LeaveOrganization } from './AccountActions';
import { NameEditor } from './NameEditor';
import { PasswordForm } from './PasswordForm';
import { useRemoveAvatar, useUploadAvatar } from './profileHooks';

function Detail({ term, children }: { term: string; children: ReactNode }) {
  return (
    <div className="min-w-0">
      <dt className="text-xs font-medium uppercase tracking-wide text-slate-600">{term}</dt>
      <dd className="mt-1 break-words text-sm text-slate-900">{children}</dd>
    </div>
  );
}

/** Your picture: uploaded here, shown to the team beside your name (the one at the top is it). */
function AvatarSettings({ hasAvatar, google }: { hasAvatar: boolean; google: boolean }) {
  const upload = useUploadAvatar();
  const remove = useRemoveAvatar();
  return (
    <div role="group" aria-labelledby="avatar-title" className="mt-5 border-t border-slate-200 pt-5">
      <h3 id="avatar-title" className="text-xs font-medium uppercase tracking-wide text-slate-600">
        Picture
      </h3>
      <p className="mt-1 text-sm text-slate-700">
        Shown to your team beside your name.{google && ' An uploaded picture replaces the one from your Google account.'}
      </p>
      <ImagePicker
        className="mt-3"
        noun="picture"
        shape="circle"
        hasImage={hasAvatar}
        upload={upload}
        remove={remove}
        uploaded="Your new picture is saved."
        removed="Your picture was removed."
      />
    </div>
  );
}

/**
 * `/profile`: who you are (from `GET /api/auth/me`) with your name and picture to change, your
 * password (local accounts), signing out, leaving the organization and deleting the account.
 */
export default function ProfilePage() {
  const { data: me } = useMe();
  const { data: config } = useConfig();
  const signOut = useSignOut();
  const user = me?.user;
  const organization = me?.organization;
  // RequireOrganization renders this page only once both are known.
  if (!user || !organization) return null;
  const local = config?.auth_mode === 'local';
  const supabase = config?.auth_mode === 'supabase';

  return (
    <section aria-labelledby="page-title" className="mx-auto max-w-3xl space-y-8">
      <header>
        <h1 id="page-title" className="text-2xl font-semibold tracking-tight">
          Your profile
        </h1>
        <p className="mt-1 text-slate-700">Your account on Revtops.</p>
      </header>

      <section aria-labelledby="account-title" className="rounded-xl border border-slate-200 bg-white p-5">
        <div className="flex flex-wrap items-start justify-between gap-4">
          <div className="flex min-w-0 items-center gap-4">
            <Avatar user={user} alt="Your picture" className="size-14 text-lg" />
            <div className="min-w-0">
              <h2 id="account-title" className="truncate text-lg font-semibold">
                {user.name || user.email || 'Your account'}
              </h2>
              {user.email && <p className="truncate text-sm text-slate-700">{user.email}</p>}
            </div>
          </div>
          <Button variant="secondary" busy={signOut.isPending} onClick={() => signOut.mutate()}>
            {!signOut.isPending && <LogOut className="size-4" aria-hidden="true" />}
            {signOut.isPending ? 'Signing out…' : 'Sign out'}
          </Button>
        </div>
        <AvatarSettings hasAvatar={Boolean(user.avatar_url)} google={supabase} />
        <dl className="mt-5 grid gap-4 border-t border-slate-200 pt-5 sm:grid-cols-2">
          <Detail term="Name">
            <NameEditor name={user.name} email={user.email} />
          </Detail>
          <Detail term="Email">
            {user.email ?? <span className="text-slate-600">None</span>}
            {user.email && (
              <span className="ml-2 text-xs text-slate-600">{user.email_verified ? '(verified)' : '(not verified)'}</span>
            )}
          </Detail>
          <Detail term="Organization">{organization.name}</Detail>
          <Detail term="Role">
            {user.role === 'admin' ? 'Admin: manages the team and shared data sources' : 'Member'}
          </Detail>
        </dl>
        {supabase && <p className="mt-5 text-sm text-slate-700">You sign in with Google, so there is no Revtops password to manage.</p>}
      </section>

      {/* The auth mode decides whether there is a password; hold its place while it loads. */}
      {!config ? <Skeleton className="h-96 w-full rounded-xl" /> : local && <PasswordForm email={user.email} />}

      <LeaveOrganization organizationName={organization.name} emailDomain={organization.email_domain} />

      <DeleteAccount email={user.email} organizationName={organization.name} supabase={supabase} />
    </section>
  );
}
