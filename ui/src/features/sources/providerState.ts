/**
 * One provider's state in plain terms, from what the REST calls and the socket say: not
 * connected, connected (up to date or never synced), connected but not syncable on this server,
 * waiting to start, syncing (live), throttled by the provider, or failed.
 */
import type { AvailableIntegrationView } from '../../api/types';
import { type LiveRun, liveFromRun, throttledFor } from './liveProgress';
import { providerName } from './providers';
import { type IntegrationView, type SyncRunView, type SyncStatusView, isActive } from './runs';
import { type SyncErrorText, explainSyncError } from './syncErrors';

export type SourceState =
  | { kind: 'not_connected' }
  | { kind: 'unsupported' }
  | { kind: 'queued'; run: SyncRunView }
  | { kind: 'syncing'; live: LiveRun }
  | { kind: 'failed'; raw: string; text: SyncErrorText; at: string | null }
  | { kind: 'connected'; lastSyncAt: string | null };

export interface StateInputs {
  item: AvailableIntegrationView;
  /** The active integration row behind `item.connected` (the organization's, or mine). */
  integration: IntegrationView | undefined;
  status: SyncStatusView | undefined;
  /** The organization's recent runs, newest first. */
  runs: readonly SyncRunView[] | undefined;
  live: LiveRun | undefined;
}

export function sourceState({ item, integration, status, runs, live }: StateInputs): SourceState {
  if (!item.connected) return { kind: 'not_connected' };
  // The server says whether it can sync the provider (it answers 409 when asked otherwise).
  if (!item.syncable) return { kind: 'unsupported' };
  const mine = runs?.filter((r) => r.provider === item.provider) ?? [];

  if (live && live.status === null) return { kind: 'syncing', live };
  const current = status?.current ?? mine.find(isActive);
  // The socket said this run ended (an interrupted run goes back to the queue: not ended).
  const endedLive = live && current && live.runId === current.id && live.status !== 'queued';
  if (current && !endedLive) {
    return current.status === 'queued' ? { kind: 'queued', run: current } : { kind: 'syncing', live: liveFromRun(current) };
  }

  const last = status?.last ?? mine.find((r) => !isActive(r));
  const name = providerName(item.provider);
  // A run that just ended over the socket, before the refreshed lists arrive.
  const endedUnlisted = live !== undefined && live.status !== 'queued' && (!last || last.id !== live.runId);
  if (endedUnlisted && live.status === 'succeeded') {
    return { kind: 'connected', lastSyncAt: new Date(live.updatedAt ?? Date.now()).toISOString() };
  }
  const failedLive = endedUnlisted && live.status === 'failed';
  if (last?.status === 'failed' || failedLive) {
    const raw = (!failedLive && last?.error) || status?.last_error || integration?.last_error || 'The sync failed without saying why.';
    return { kind: 'failed', raw, text: explainSyncError(raw, name), at: failedLive ? null : (last?.finished_at ?? null) };
  }
  // A token refresh that failed after the last good sync (reported by Nango's webhook).
  const lingering = integration?.last_error;
  if (lingering) return { kind: 'failed', raw: lingering, text: explainSyncError(lingering, name), at: integration.updated_at };
  const lastGood = last?.status === 'succeeded' ? (last.finished_at ?? null) : null;
  return { kind: 'connected', lastSyncAt: status?.last_sync_at ?? integration?.last_sync_at ?? lastGood };
}

export interface Badge {
  label: string;
  tone: 'slate' | 'emerald' | 'sky' | 'amber' | 'rose';
}

export function badgeOf(state: SourceState, name: string, now: number = Date.now()): Badge {
  switch (state.kind) {
    case 'not_connected':
      return { label: 'Not connected', tone: 'slate' };
    case 'unsupported':
      return { label: 'Connected', tone: 'emerald' };
    case 'queued':
      return { label: 'Waiting to start', tone: 'sky' };
    case 'syncing':
      return throttledFor(state.live, now) !== null ? { label: `Throttled by ${name}`, tone: 'amber' } : { label: 'Syncing', tone: 'sky' };
    case 'failed':
      return state.text.throttled ? { label: `Throttled by ${name}`, tone: 'amber' } : { label: 'Sync failed', tone: 'rose' };
    case 'connected':
      return state.lastSyncAt ? { label: 'Synced', tone: 'emerald' } : { label: 'Connected', tone: 'emerald' };
  }
}
