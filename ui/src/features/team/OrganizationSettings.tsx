import { type FormEvent, useState } from 'react';
import { toast } from 'sonner';
import type { OrganizationView } from '../../api/types';
import { ErrorAlert } from '../../components/Alert';
import { Button } from '../../components/Button';
import { TextField } from '../../components/TextField';
import { useRenameOrganization } from './hooks';

const MAX_NAME = 200;

/** The organization's name: a form for admins, plain text for everyone else. */
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
      {organization.email_domain && (
        <p className="mt-3 text-sm text-slate-700">
          Colleagues with an @{organization.email_domain} email address who have verified it can join without an invitation.
        </p>
      )}
    </section>
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
