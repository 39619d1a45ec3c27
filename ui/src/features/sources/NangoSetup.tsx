import { Settings } from 'lucide-react';

const VARIABLES: { name: string; text: string }[] = [
  { name: 'NANGO_SECRET_KEY', text: 'The secret key of your Nango environment. Required: without it nothing can be connected.' },
  { name: 'NANGO_HOST', text: 'Only for a self-hosted Nango server: its API. Defaults to the Nango cloud, https://api.nango.dev.' },
  {
    name: 'NANGO_CONNECT_URL',
    text: 'Where Nango’s Connect UI is served, the window in which people connect a provider. For a self-hosted Nango server, its own address. Defaults to https://connect.nango.dev.',
  },
  { name: 'NANGO_WEBHOOK_SECRET', text: 'Optional. Lets Nango tell Revtops about new and refreshed connections.' },
  {
    name: 'NANGO_HUBSPOT_INTEGRATION_ID, NANGO_SALESFORCE_INTEGRATION_ID, NANGO_SLACK_INTEGRATION_ID, NANGO_GOOGLE_CALENDAR_INTEGRATION_ID',
    text: 'Only if your Nango integrations are not named hubspot, salesforce, slack and google-calendar.',
  },
];

/** Shown instead of connect buttons when the server has no Nango configuration. */
export function NangoSetup({ isAdmin, tokenProviders = [] }: { isAdmin: boolean; tokenProviders?: readonly string[] }) {
  const tokens = tokenProviders.length > 0 ? listNames(tokenProviders) : null;
  return (
    <section aria-labelledby="nango-setup-title" className="rounded-xl border border-amber-200 bg-amber-50 p-5 text-amber-950">
      <div className="flex gap-3">
        <Settings className="mt-0.5 size-5 shrink-0" aria-hidden="true" />
        <div className="min-w-0">
          <h2 id="nango-setup-title" className="font-semibold">
            Connecting data sources is not set up on this server yet
          </h2>
          <p className="mt-1 text-sm">
            Revtops connects to your tools through Nango, which handles signing in to each provider and keeps the access
            safe.{' '}
            {isAdmin
              ? 'To turn it on, whoever runs this Revtops server sets these environment variables and restarts it:'
              : 'Ask whoever runs this Revtops server to set these environment variables and restart it:'}
          </p>
          <dl className="mt-3 space-y-2 text-sm">
            {VARIABLES.map((v) => (
              <div key={v.name}>
                <dt>
                  <code className="break-all rounded bg-white/70 px-1 py-0.5 font-mono text-xs">{v.name}</code>
                </dt>
                <dd className="mt-0.5">{v.text}</dd>
              </div>
            ))}
          </dl>
          <p className="mt-3 text-sm">
            <code className="font-mono text-xs">env.example</code> and the “Sync” section of the README describe them. Until
            then, this page shows what Revtops supports and what was connected before.
          </p>
          {tokens && (
            <p className="mt-2 text-sm">
              {isAdmin
                ? `Meanwhile, you can connect ${tokens} with a token instead: see their cards below.`
                : `Meanwhile, an administrator can connect ${tokens} with a token instead.`}
            </p>
          )}
        </div>
      </div>
    </section>
  );
}

/** "HubSpot", "HubSpot and Slack", "HubSpot, Salesforce and Slack". */
function listNames(names: readonly string[]): string {
  if (names.length <= 1) return names.join('');
  return `${names.slice(0, -1).join(', ')} and ${names.at(-1)}`;
}
