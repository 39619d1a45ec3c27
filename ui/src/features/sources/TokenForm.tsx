/**
 * Connecting an organization provider with a credential an admin enters instead of Nango: a
 * HubSpot private app's access token, a Slack bot token, or a Salesforce connected app (client
 * credentials flow). Secondary ("Use a token instead") when Nango is configured, the way to
 * connect when it is not. The secret is held only while it is typed and sent: cleared once the
 * server took it, never shown back (the server never returns it either).
 */
import { type FormEvent, type ReactNode, useEffect, useId, useRef, useState } from 'react';
import { toast } from 'sonner';
import type { AvailableIntegrationView } from '../../api/types';
import { ErrorAlert } from '../../components/Alert';
import { Button } from '../../components/Button';
import { TextField } from '../../components/TextField';
import { type TokenBody, useSetToken } from './hooks';
import type { Provider } from './providers';

interface Field {
  key: keyof TokenBody;
  label: string;
  /** Secrets are password inputs: not echoed, not offered for autofill. */
  secret: boolean;
  placeholder?: string;
  hint?: string;
}

interface TokenProvider {
  fields: Field[];
  help: ReactNode;
}

const TOKEN_PROVIDERS: Partial<Record<Provider, TokenProvider>> = {
  hubspot: {
    fields: [{ key: 'token', label: 'Private app access token', secret: true, placeholder: 'pat-…' }],
    help: (
      <>
        In HubSpot, open <strong>Settings → Integrations → Private Apps</strong> and create a private app with read access to
        your CRM (companies, contacts, deals, owners and activities). Its <strong>access token</strong> is on the app’s Auth tab.
      </>
    ),
  },
  slack: {
    fields: [{ key: 'token', label: 'Bot token', secret: true, placeholder: 'xoxb-…', hint: 'It starts with xoxb-.' }],
    help: (
      <>
        On api.slack.com/apps, open your Slack app and go to <strong>OAuth &amp; Permissions</strong>. Copy the{' '}
        <strong>Bot User OAuth Token</strong> once the app is installed in your workspace.
      </>
    ),
  },
  salesforce: {
    fields: [
      {
        key: 'instance_url',
        label: 'Instance URL',
        secret: false,
        placeholder: 'https://acme.my.salesforce.com',
        hint: 'Your My Domain address, like https://acme.my.salesforce.com.',
      },
      { key: 'client_id', label: 'Consumer key (client ID)', secret: true },
      { key: 'client_secret', label: 'Consumer secret (client secret)', secret: true },
    ],
    help: (
      <>
        In Salesforce Setup, create a <strong>connected app</strong> with OAuth enabled and the{' '}
        <strong>client credentials flow</strong> turned on, with a run-as user who can read your accounts, contacts and
        opportunities. Its consumer key and secret are under <strong>Manage Consumer Details</strong>.
      </>
    ),
  },
};

/** Whether the page can offer a token form for this provider. */
export const hasTokenForm = (provider: Provider) => provider in TOKEN_PROVIDERS;

type Values = Partial<Record<keyof TokenBody, string>>;

export interface TokenFormProps {
  item: AvailableIntegrationView;
  nangoConfigured: boolean;
  /** Connected with a token already: the form replaces it. */
  viaToken: boolean;
  /** The provider refuses the current credential: replacing it is what to do next. */
  urgent?: boolean;
}

export function TokenForm({ item, nangoConfigured, viaToken, urgent = false }: TokenFormProps) {
  const { provider, display_name: name } = item;
  const spec = TOKEN_PROVIDERS[provider];
  // Without Nango, a token is how a provider gets connected: the form is open from the start.
  const [open, setOpen] = useState(!nangoConfigured && !item.connected);
  const [values, setValues] = useState<Values>({});
  const [missing, setMissing] = useState<ReadonlySet<string>>(new Set());
  const save = useSetToken();
  const formId = useId();
  const box = useRef<HTMLDivElement>(null);
  // Where focus goes after the form opens or closes at someone's request (never on page load).
  const focusNext = useRef<'field' | 'toggle' | null>(null);

  useEffect(() => {
    const target = focusNext.current;
    focusNext.current = null;
    if (target === 'field') box.current?.querySelector('input')?.focus();
    else if (target === 'toggle') box.current?.querySelector('button')?.focus();
  }, [open]);

  if (!spec) return null;

  const close = () => {
    focusNext.current = 'toggle';
    setValues({});
    setMissing(new Set());
    save.reset();
    setOpen(false);
  };
  const openForm = () => {
    focusNext.current = 'field';
    setOpen(true);
  };

  const submit = (event: FormEvent) => {
    event.preventDefault();
    const body: TokenBody = {};
    for (const field of spec.fields) body[field.key] = (values[field.key] ?? '').trim();
    const empty = new Set(spec.fields.filter((field) => !body[field.key]).map((field) => field.key));
    setMissing(empty);
    if (empty.size > 0) {
      box.current?.querySelector<HTMLInputElement>(`input[name="${[...empty][0]}"]`)?.focus();
      return;
    }
    save.mutate(
      { provider, body },
      {
        onSuccess: () => {
          // Nothing of the secret stays: not the inputs, not the mutation's variables.
          close();
          toast.success(`${name} is connected with a token. A full sync has started.`);
        },
        onError: () => box.current?.querySelector('input')?.focus(),
      },
    );
  };

  const toggleLabel = viaToken ? 'Replace the token' : nangoConfigured || item.connected ? 'Use a token instead' : `Connect ${name} with a token`;
  const titleId = `${formId}-title`;

  return (
    <div ref={box} className={open ? 'w-full' : undefined}>
      {!open ? (
        <Button
          variant={urgent || !(nangoConfigured || item.connected) ? 'primary' : 'ghost'}
          aria-expanded={false}
          onClick={openForm}
        >
          {toggleLabel}
        </Button>
      ) : (
        <form id={formId} aria-labelledby={titleId} className="space-y-3 rounded-md bg-slate-50 p-4" onSubmit={submit} noValidate>
          <h3 id={titleId} className="font-medium">
            {viaToken ? `Replace the ${name} token` : `Connect ${name} with a token`}
          </h3>
          <p className="text-sm text-slate-700">{spec.help}</p>
          {spec.fields.map((field) => (
            <TextField
              key={field.key}
              label={field.label}
              name={field.key}
              type={field.secret ? 'password' : 'url'}
              autoComplete="off"
              spellCheck={false}
              autoCapitalize="off"
              required
              placeholder={field.placeholder}
              hint={field.hint}
              error={missing.has(field.key) ? `Enter the ${field.label.charAt(0).toLowerCase()}${field.label.slice(1)}.` : null}
              value={values[field.key] ?? ''}
              onChange={(event) => {
                const value = event.target.value;
                setValues((v) => ({ ...v, [field.key]: value }));
              }}
              readOnly={save.isPending}
            />
          ))}
          {save.error && (
            <ErrorAlert
              error={save.error}
              overrides={{
                forbidden: `Only administrators can connect ${name}.`,
                integrations_unavailable: 'This server cannot store provider tokens: whoever runs it needs to set CREDENTIALS_KEY.',
              }}
            />
          )}
          <p className="text-xs text-slate-600">
            Revtops stores it encrypted and never shows it again. Saving replaces the current connection and starts a full sync.
          </p>
          <div className="flex flex-wrap gap-2">
            <Button type="submit" busy={save.isPending}>
              {save.isPending ? 'Saving…' : 'Save and sync'}
            </Button>
            {(nangoConfigured || item.connected) && (
              <Button variant="ghost" onClick={close} disabled={save.isPending}>
                Cancel
              </Button>
            )}
          </div>
        </form>
      )}
    </div>
  );
}
