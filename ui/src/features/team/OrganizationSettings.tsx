import { Building2 } from 'lucide-react';
import { type FormEvent, useState } from 'react';
import { toast } from 'sonner';
import type { OrganizationView } from '../../api/types';
import { ErrorAlert } from '../../components/Alert';
import { Button } from '../../components/Button';
import { TextField } from '../../components/TextField';
import { useRemoveLogo, useRenameOrganization, useUploadLogo } from './hooks';
import { ImagePicker } from './ImagePicker';

const MAX_NAME = 200;

/** The organization's name and logo: forms for admins, plain to see for everyone else. */
export function OrganizationSettings({ organization, canManage }: { organization: OrganizationView; canManage: boolean }) {
  return (
    <section aria-labelledby="org-title" className="rounded-xl border border-slate-200 bg-white p-5">
      <h2 id="org-title" className="text-lg font-semibold">
        Organization
      </h2>
      {canManage ? (
        // Keyed by the saved name: a rename elsewhere resets the field.
        <RenameForm key={organization.name} organization={organization} />
      ) : (
        <dl className="mt-3 text-sm">
          <dt className="font-medium text-slate-800">Name</dt>
          <dd className="mt-1 text-slate-900">{organization.name}</dd>
        </dl>
      )}
      <LogoSettings organization={organization} canManage={canManage} />
      {organization.email_domain && (
        <p className="mt-3 text-sm text-slate-700">
          Colleagues with an @{organization.email_domain} email address who have verified it can join without an invitation.
        </p>
      )}
    </section>
  );
}

/** The logo as it is, or a placeholder saying there is none. */
export function OrganizationLogo({ organization }: { organization: OrganizationView }) {
  const [broken, setBroken] = useState<string | null>(null);
  const src = organization.logo_url;
  if (src && src !== broken) {
    return (
      <img
        src={src}
        alt={`${organization.name} logo`}
        onError={() => setBroken(src)}
        className="size-16 shrink-0 rounded-lg bg-white object-contain ring-1 ring-slate-200"
      />
    );
  }
  return (
    <span aria-hidden="true" className="flex size-16 shrink-0 items-center justify-center rounded-lg bg-slate-100 text-slate-500">
      <Building2 className="size-7" />
    </span>
  );
}

/** Admins upload, replace or remove the logo (shown in everyone's sidebar); members see it. */
function LogoSettings({ organization, canManage }: { organization: OrganizationView; canManage: boolean }) {
  const upload = useUploadLogo();
  const remove = useRemoveLogo();
  const hasLogo = Boolean(organization.logo_url);
  return (
    <div role="group" aria-labelledby="org-logo-title" className="mt-5 border-t border-slate-100 pt-4">
      <h3 id="org-logo-title" className="text-sm font-medium text-slate-800">
        Logo
      </h3>
      {canManage ? (
        <>
          <p className="mt-1 text-sm text-slate-700">Shown at the top of the sidebar for everyone in {organization.name}.</p>
          <ImagePicker
            className="mt-3"
            noun="logo"
            hasImage={hasLogo}
            current={<OrganizationLogo organization={organization} />}
            upload={upload}
            remove={remove}
            errorOverrides={{ forbidden: 'Only admins can change the organization’s logo.' }}
            uploaded="The new logo is saved. Everyone sees it in their sidebar."
            removed="The logo was removed."
          />
        </>
      ) : hasLogo ? (
        <div className="mt-2">
          <OrganizationLogo organization={organization} />
        </div>
      ) : (
        <p className="mt-1 text-sm text-slate-700">{organization.name} has no logo yet. An admin can add one.</p>
      )}
    </div>
  );
}

function RenameForm({ organization }: { organization: OrganizationView }) {
  const rename = useRenameOrganization();
  const [name, setName] = useState(organization.name);
  const [tried, setTried] = useState(false);
  const trimmed = name.trim();
  const error = tried && !trimmed ? 'Give the organization a name.' : trimmed.length > MAX_NAME ? `Use at most ${MAX_NAME} characters.` : null;

  const submit = (event: FormEvent) => {
    event.preventDefault();
    setTried(true);
    if (!trimmed || trimmed.length > MAX_NAME || trimmed === organization.name) return;
    rename.mutate({ name: trimmed }, { onSuccess: (org) => toast.success(`The organization is now called ${org.name}.`) });
  };

  return (
    <form onSubmit={submit} aria-label="Rename the organization" className="mt-3 space-y-3" noValidate>
      {rename.error && <ErrorAlert error={rename.error} overrides={{ forbidden: 'Only admins can rename the organization.' }} />}
      <div className="flex flex-col gap-3 sm:flex-row sm:items-start">
        <TextField
          label="Organization name"
          name="organization"
          autoComplete="organization"
          required
          maxLength={MAX_NAME}
          value={name}
          error={error}
          onChange={(e) => setName(e.target.value)}
          className="flex-1"
        />
        <Button type="submit" variant="secondary" busy={rename.isPending} disabled={trimmed === organization.name} className="sm:mt-6">
          {rename.isPending ? 'Saving…' : 'Save name'}
        </Button>
      </div>
    </form>
  );
}
