import { CheckCircle2, Circle, Clock, Loader2, TriangleAlert, XCircle } from 'lucide-react';
import { useState } from 'react';
import { toast } from 'sonner';
import type { AvailableIntegrationView, UserView } from '../../api/types';
import { Alert, ErrorAlert } from '../../components/Alert';
import { Button } from '../../components/Button';
import { cx } from '../../lib/cx';
import { ConfirmDialog } from './ConfirmDialog';
import { formatCount, formatDateTime, formatRelative, plural } from './format';
import { lastSucceeded, useDisconnect, useSyncStatus, useTriggerSync } from './hooks';
import type { LiveRun } from './liveProgress';
import { type Badge, type SourceState, badgeOf, sourceState } from './providerState';
import { PROVIDER_BLURB, objectLabel } from './providers';
import { type IntegrationView, type SyncRunView, objectCounts, runTotals } from './runs';
import { SharingSwitch } from './SharingSwitch';
import { SyncErrorBlock } from './SyncErrorText';
import { SyncProgress } from './SyncProgress';
import { TokenForm, hasTokenForm } from './TokenForm';
import type { useConnect } from './useConnect';

const BADGE_TONES: Record<Badge['tone'], string> = {
  slate: 'bg-slate-100 text-slate-700 ring-slate-200',
  emerald: 'bg-emerald-50 text-emerald-800 ring-emerald-200',
  sky: 'bg-sky-50 text-sky-800 ring-sky-200',
  amber: 'bg-amber-50 text-amber-900 ring-amber-200',
  rose: 'bg-rose-50 text-rose-800 ring-rose-200',
};

function BadgeIcon({ state }: { state: SourceState }) {
  const cls = 'size-3.5';
  switch (state.kind) {
    case 'not_connected':
      return <Circle className={cls} aria-hidden="true" />;
    case 'queued':
      return <Clock className={cls} aria-hidden="true" />;
    case 'syncing':
      return <Loader2 className={cx(cls, 'animate-spin')} aria-hidden="true" />;
    case 'failed':
      return state.text.throttled ? <TriangleAlert className={cls} aria-hidden="true" /> : <XCircle className={cls} aria-hidden="true" />;
    default:
      return <CheckCircle2 className={cls} aria-hidden="true" />;
  }
}

const SCOPE_TEXT: Record<AvailableIntegrationView['scope'], string> = {
  organization: 'One connection for the whole organization, set up by an administrator.',
  user: 'Each person connects their own account.',
};

/** "Last successful sync 5 minutes ago: 1,234 records (320 deals, 800 contacts and 3 more types)." */
function LastSync({ run, at }: { run: SyncRunView | undefined; at: string | null }) {
  const when = run?.finished_at ?? at;
  if (!when) return null;
  const objects = run ? objectCounts(run).filter((o) => o.records > 0).sort((a, b) => b.records - a.records) : [];
  const shown = objects.slice(0, 3).map((o) => `${formatCount(o.records)} ${objectLabel(o.object)}`);
  const more = objects.length - shown.length;
  return (
    <p className="text-sm text-slate-700">
      Last successful sync{' '}
      <time dateTime={when} title={formatDateTime(when)}>
        {formatRelative(when)}
      </time>
      {run ? `: ${plural(runTotals(run).records, 'record', 'records')}` : ''}
      {shown.length > 0 ? ` (${shown.join(', ')}${more > 0 ? ` and ${plural(more, 'more type', 'more types')}` : ''})` : ''}.
    </p>
  );
}

function personName(member: UserView | undefined, fallback: string) {
  return member?.name || member?.email || fallback;
}

/**
 * Who in the team connected a user-scope provider: the API names them (`connected_users`, never
 * their data); the caller's own row says since when. You first, then teammates in the order they
 * connected.
 */
function TeamConnections({
  name,
  item,
  mine,
  members,
  myId,
}: {
  name: string;
  item: AvailableIntegrationView;
  /** The caller's own active connection, when there is one. */
  mine: IntegrationView | undefined;
  members: readonly UserView[] | undefined;
  myId: string;
}) {
  const connectedMyself = item.connected || item.connected_users.includes(myId);
  const teammates = item.connected_users.filter((id, i, all) => id !== myId && all.indexOf(id) === i);
  const member = (id: string) => members?.find((m) => m.id === id);
  // Names come from the members list; until it arrives nobody is called a former member.
  const someone = members ? 'A former member' : 'A teammate';
  return (
    <div className="rounded-md bg-slate-50 p-3 text-sm">
      <h3 className="font-medium">Who has connected</h3>
      {!connectedMyself && <p className="mt-1 text-slate-700">You have not connected your {name} yet.</p>}
      {(connectedMyself || teammates.length > 0) && (
        <ul aria-label={`People who connected ${name}`} className="mt-1 space-y-0.5">
          {connectedMyself && (
            <li>
              You ({personName(member(myId), 'you')})
              {mine && (
                <>
                  , connected{' '}
                  <time dateTime={mine.connected_at} title={formatDateTime(mine.connected_at)}>
                    {formatRelative(mine.connected_at)}
                  </time>
                </>
              )}
            </li>
          )}
          {teammates.map((id) => (
            <li key={id}>{personName(member(id), someone)}</li>
          ))}
        </ul>
      )}
      <p className="mt-1 text-xs text-slate-600">
        Teammates see who connected a calendar. What is in it stays with its owner until they share it, and events marked
        private are never shared.
      </p>
    </div>
  );
}

export interface ProviderCardProps {
  item: AvailableIntegrationView;
  orgId: string | undefined;
  myId: string;
  isAdmin: boolean;
  nangoConfigured: boolean;
  integrations: readonly IntegrationView[] | undefined;
  runs: readonly SyncRunView[] | undefined;
  live: LiveRun | undefined;
  members: readonly UserView[] | undefined;
  connect: ReturnType<typeof useConnect>;
}

/** One provider: its state in plain words, live progress, the last sync and what you may do. */
export function ProviderCard({ item, orgId, myId, isAdmin, nangoConfigured, integrations, runs, live, members, connect }: ProviderCardProps) {
  const { provider, display_name: name, scope, syncable } = item;
  const titleId = `source-${provider}-title`;
  const userScope = scope === 'user';
  const canManage = userScope || isAdmin;
  const integration = integrations?.find(
    (i) => i.provider === provider && i.is_active && (userScope ? i.user_id === myId : i.scope === 'organization'),
  );
  // For a personal calendar the status is the caller's own calendar run.
  const status = useSyncStatus(orgId, provider, item.connected && syncable && (!userScope || integration !== undefined));
  const state = sourceState({ item, integration, status: status.data, runs, live });
  const badge = badgeOf(state, name);
  const lastOk = lastSucceeded(runs, provider);

  const syncNow = useTriggerSync(orgId);
  const fullResync = useTriggerSync(orgId);
  const disconnect = useDisconnect();
  const [dialog, setDialog] = useState<'disconnect' | 'full' | null>(null);

  const mine = connect.state.provider === provider;
  const phase = mine ? connect.state.phase : 'idle';
  const connectError = mine ? connect.state.error : null;
  const running = state.kind === 'syncing' || state.kind === 'queued';
  const needsReconnect = state.kind === 'failed' && (state.text.kind === 'auth' || state.text.kind === 'connection_gone');
  const viaToken = integration?.credential === 'token';
  // A token connection syncs without Nango; a Nango one needs it.
  const actionsAvailable = nangoConfigured || (item.connected && viaToken);
  const tokenForm = isAdmin && !userScope && item.direct_tokens && hasTokenForm(provider);
  // A personal calendar syncs on its owner's request.
  const canSync = syncable && (!userScope || integration !== undefined);
  const triggerOverrides = {
    conflict: `${name} cannot be synced right now.`,
    forbidden: 'Only administrators can start a full resync.',
  };

  const startSync = () =>
    syncNow.mutate(
      { provider, full: false },
      { onSuccess: (data) => toast.success(data.created ? `${name} sync started.` : `A ${name} sync is already under way.`) },
    );
  const startFull = () =>
    fullResync.mutate(
      { provider, full: true },
      {
        onSuccess: (data) => {
          setDialog(null);
          toast.success(data.created ? `Full resync of ${name} started.` : `A ${name} sync is already under way; try the full resync once it ends.`);
        },
      },
    );
  const confirmDisconnect = () =>
    disconnect.mutate(provider, {
      onSuccess: () => {
        setDialog(null);
        toast.success(`${name} is disconnected. Data already synced is kept.`);
      },
    });
  const closeDialog = () => {
    setDialog(null);
    fullResync.reset();
    disconnect.reset();
  };

  const connectLabel = userScope ? `Connect my ${name}` : needsReconnect ? `Reconnect ${name}` : `Connect ${name}`;
  const connectButton = (
    <Button
      variant={needsReconnect || state.kind === 'not_connected' ? 'primary' : 'secondary'}
      busy={phase === 'starting' || phase === 'recording'}
      disabled={connect.state.phase !== 'idle' && !mine}
      onClick={() => void connect.start(item)}
    >
      {phase === 'starting' ? 'Opening…' : phase === 'recording' ? 'Saving the connection…' : connectLabel}
    </Button>
  );

  return (
    <li>
      <article aria-labelledby={titleId} className="rounded-xl border border-slate-200 bg-white p-5 shadow-sm">
        <div className="flex flex-wrap items-start justify-between gap-3">
          <div className="min-w-0 flex-1 basis-64">
            <h2 id={titleId} className="text-lg font-semibold">
              {name}
            </h2>
            <p className="mt-0.5 text-sm text-slate-700">{PROVIDER_BLURB[provider]}</p>
            <p className="mt-0.5 text-xs text-slate-600">{SCOPE_TEXT[scope]}</p>
          </div>
          <span
            role="status"
            className={cx(
              'inline-flex shrink-0 items-center gap-1.5 rounded-full px-2.5 py-1 text-xs font-medium ring-1 ring-inset',
              BADGE_TONES[badge.tone],
            )}
          >
            <BadgeIcon state={state} />
            {badge.label}
          </span>
        </div>

        <div className="mt-4 space-y-3">
          {state.kind === 'syncing' && <SyncProgress name={name} live={state.live} fallbackTotal={lastOk ? objectCounts(lastOk).length : null} />}
          {state.kind === 'queued' && (
            <p className="text-sm text-slate-700">
              {state.run.full_sync ? 'A full resync' : 'A sync'} is queued and starts as soon as a worker is free.
            </p>
          )}
          {state.kind === 'failed' && (
            <SyncErrorBlock
              text={state.text}
              raw={state.raw}
              when={state.at ? `Failed ${formatRelative(state.at)} (${formatDateTime(state.at)}).` : null}
            />
          )}
          {state.kind === 'unsupported' && (
            <p className="text-sm text-slate-700">
              Syncing {name} is not available in this version of Revtops yet. The connection is kept, and its data will come
              in once a later version can read it.
            </p>
          )}
          {state.kind === 'not_connected' && !syncable && (
            <p className="text-sm text-slate-700">
              {name} can be connected now; syncing its data comes in a later version of Revtops.
            </p>
          )}
          {!userScope && integration && (
            <p className="text-sm text-slate-700">
              {viaToken ? 'Connected with a token' : 'Connected through Nango'}{' '}
              <time dateTime={integration.connected_at} title={formatDateTime(integration.connected_at)}>
                {formatRelative(integration.connected_at)}
              </time>
              .
            </p>
          )}
          {state.kind === 'connected' && !state.lastSyncAt && !lastOk && (
            <p className="text-sm text-slate-700">
              {userScope ? 'Connected, not synced yet' : 'Not synced yet'}. The first sync starts shortly.
            </p>
          )}
          {item.connected && syncable && <LastSync run={lastOk} at={state.kind === 'connected' ? state.lastSyncAt : null} />}
          {userScope && <TeamConnections name={name} item={item} mine={integration} members={members} myId={myId} />}
          {userScope && integration && <SharingSwitch integration={integration} />}

          {connectError && (
            <ErrorAlert text={connectError}>
              <Button variant="secondary" className="mt-2" onClick={connect.dismiss}>
                Dismiss
              </Button>
            </ErrorAlert>
          )}
          {mine && phase === 'open' && !connectError && (
            <p className="text-sm text-slate-700" role="status">
              Finish connecting {name} in the window that opened.
            </p>
          )}
          {syncNow.error && <ErrorAlert error={syncNow.error} overrides={triggerOverrides} />}
        </div>

        {actionsAvailable && (
          <div className="mt-4 flex flex-wrap items-center gap-2 border-t border-slate-100 pt-4">
            {!item.connected ? (
              !nangoConfigured ? null : canManage ? (
                connectButton
              ) : (
                <p className="text-sm text-slate-700">Only an administrator can connect {name}.</p>
              )
            ) : (
              <>
                {needsReconnect && canManage && nangoConfigured && connectButton}
                {canSync && (
                  <Button
                    variant={needsReconnect ? 'secondary' : 'primary'}
                    busy={syncNow.isPending}
                    disabled={running}
                    aria-describedby={running ? `${titleId}-running` : undefined}
                    onClick={startSync}
                  >
                    {syncNow.isPending ? 'Starting…' : 'Sync now'}
                  </Button>
                )}
                {syncable && !userScope && isAdmin && (
                  <Button variant="secondary" disabled={running} onClick={() => setDialog('full')}>
                    Full resync
                  </Button>
                )}
                {canManage && (
                  <Button variant="ghost" className="text-rose-800 hover:bg-rose-50" onClick={() => setDialog('disconnect')}>
                    Disconnect
                  </Button>
                )}
                {running && (
                  <span id={`${titleId}-running`} className="text-sm text-slate-600">
                    A sync is already under way.
                  </span>
                )}
                {!canManage && (
                  <p className="basis-full text-sm text-slate-700">
                    {syncable
                      ? `Anyone can start a sync. Only administrators can run a full resync or disconnect ${name}.`
                      : `Only administrators can disconnect ${name}.`}
                  </p>
                )}
              </>
            )}
          </div>
        )}
        {tokenForm && (
          <div className={cx('flex flex-wrap gap-2', actionsAvailable ? 'mt-3' : 'mt-4 border-t border-slate-100 pt-4')}>
            <TokenForm item={item} nangoConfigured={nangoConfigured} viaToken={viaToken} urgent={needsReconnect && viaToken} />
          </div>
        )}
      </article>

      <ConfirmDialog
        open={dialog === 'disconnect'}
        label={`Disconnect ${name}`}
        title={userScope ? `Disconnect your ${name}?` : `Disconnect ${name}?`}
        confirmText="Disconnect"
        busyText="Disconnecting…"
        busy={disconnect.isPending}
        error={disconnect.error}
        errorOverrides={{ forbidden: `Only administrators can disconnect ${name}.` }}
        onConfirm={confirmDisconnect}
        onClose={closeDialog}
      >
        <p>Revtops stops syncing {name}. Data already synced stays, and questions about it keep working.</p>
        <p>You can connect it again at any time.</p>
      </ConfirmDialog>
      <ConfirmDialog
        open={dialog === 'full'}
        label={`Full resync of ${name}`}
        title={`Re-read everything from ${name}?`}
        confirmText="Start full resync"
        busyText="Starting…"
        tone="primary"
        busy={fullResync.isPending}
        error={fullResync.error}
        errorOverrides={triggerOverrides}
        onConfirm={startFull}
        onClose={closeDialog}
      >
        <p>
          A normal sync only fetches what changed. A full resync fetches every record again, which can take a long time on a large
          account and uses part of {name}’s request allowance.
        </p>
        <p>Nothing is deleted; use it when numbers look out of step with {name}.</p>
      </ConfirmDialog>
    </li>
  );
}

/** Shown once on the page when the signed-in user is a member, not an admin. */
export function MemberNote() {
  return (
    <Alert
      tone="info"
      className="mt-6"
      title="Administrators connect the organization’s sources."
      detail="You can start a sync of a connected source and connect your own calendar."
    />
  );
}
