/**
 * Data sources: every provider Revtops can read with its state in plain words (not connected,
 * connected through Nango or with a token, syncing with live progress, throttled, failed),
 * connecting through Nango's Connect UI or (admins) with a provider token, sharing my calendar,
 * disconnecting, syncing now or re-reading everything, and the history of sync runs.
 */
import { ErrorAlert } from '../../components/Alert';
import { Button } from '../../components/Button';
import { LoadingBlock } from '../../components/Skeleton';
import { useMe } from '../auth/hooks';
import { useAvailableIntegrations, useIntegrations, useMembers, useSyncRuns } from './hooks';
import { NangoSetup } from './NangoSetup';
import { MemberNote, ProviderCard } from './ProviderCard';
import { RunHistory } from './RunHistory';
import { useConnect } from './useConnect';
import { useSyncFeed } from './useSyncFeed';

export default function SourcesPage() {
  const me = useMe();
  const available = useAvailableIntegrations();
  const integrations = useIntegrations();
  const runs = useSyncRuns();
  const hasUserScope = available.data?.some((i) => i.scope === 'user') ?? false;
  const members = useMembers(hasUserScope);
  const live = useSyncFeed();
  const connect = useConnect();

  const user = me.data?.user;
  const orgId = me.data?.organization?.id;
  const isAdmin = user?.role === 'admin';
  const nangoConfigured = available.data?.some((i) => i.nango_configured) ?? false;
  const pending = available.isPending || me.isPending;
  const failed = available.isError ? available : me.isError ? me : null;
  const items = available.data;

  return (
    <section aria-labelledby="sources-title" className="mx-auto max-w-4xl">
      <h1 id="sources-title" className="text-2xl font-semibold tracking-tight">
        Data sources
      </h1>
      <p className="mt-1 text-slate-700">Where Revtops reads your revenue data from, and how each sync is going.</p>

      {pending ? (
        <div className="mt-6 rounded-xl border border-slate-200 bg-white p-5">
          <LoadingBlock label="Loading data sources…" lines={4} />
        </div>
      ) : failed ? (
        <ErrorAlert className="mt-6" error={failed.error}>
          <Button variant="secondary" className="mt-3" onClick={() => void failed.refetch()}>
            Try again
          </Button>
        </ErrorAlert>
      ) : !items || items.length === 0 ? (
        <p className="mt-6 text-sm text-slate-700">No data sources are available on this server.</p>
      ) : (
        <>
          {!nangoConfigured && (
            <div className="mt-6">
              <NangoSetup
                isAdmin={isAdmin}
                tokenProviders={items.filter((i) => i.direct_tokens && i.scope === 'organization').map((i) => i.display_name)}
              />
            </div>
          )}
          {nangoConfigured && !isAdmin && <MemberNote />}
          {integrations.isError && (
            <ErrorAlert className="mt-6" error={integrations.error}>
              <Button variant="secondary" className="mt-3" onClick={() => void integrations.refetch()}>
                Try again
              </Button>
            </ErrorAlert>
          )}
          <ul aria-label="Data sources" className="mt-6 space-y-4">
            {items.map((item) => (
              <ProviderCard
                key={item.provider}
                item={item}
                orgId={orgId}
                myId={user?.id ?? ''}
                isAdmin={isAdmin}
                nangoConfigured={nangoConfigured}
                integrations={integrations.data}
                runs={runs.data}
                live={live[item.provider]}
                members={members.data}
                connect={connect}
              />
            ))}
          </ul>
          <RunHistory providers={items} />
        </>
      )}
    </section>
  );
}
