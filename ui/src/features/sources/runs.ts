/**
 * Reading sync runs: the per-object counts and the progress the server stores as free-form JSON
 * (`counts: {object: {records, skipped, pages}}`, `progress: {object, records, …}`), totals,
 * durations, and the words for a run's status and trigger.
 */
import type { components } from '../../api/schema.gen';

export type SyncRunView = components['schemas']['SyncRunView'];
export type SyncStatusView = components['schemas']['SyncStatusView'];
export type IntegrationView = components['schemas']['IntegrationView'];
export type SyncTriggered = components['schemas']['SyncTriggered'];

export interface ObjectCount {
  object: string;
  records: number;
  skipped: number;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

const count = (value: unknown): number => (typeof value === 'number' && Number.isFinite(value) && value >= 0 ? value : 0);

/** The run's counts per object, in the order the server stored them. */
export function objectCounts(run: Pick<SyncRunView, 'counts'>): ObjectCount[] {
  if (!isRecord(run.counts)) return [];
  return Object.entries(run.counts).flatMap(([object, value]) =>
    isRecord(value) ? [{ object, records: count(value.records), skipped: count(value.skipped) }] : [],
  );
}

export interface RunTotals {
  records: number;
  skipped: number;
}

/** Records written and skipped by the run (the counts, or the progress while it has none). */
export function runTotals(run: Pick<SyncRunView, 'counts' | 'progress' | 'error_count'>): RunTotals {
  const objects = objectCounts(run);
  if (objects.length > 0) {
    return {
      records: objects.reduce((sum, o) => sum + o.records, 0),
      skipped: Math.max(run.error_count, objects.reduce((sum, o) => sum + o.skipped, 0)),
    };
  }
  const progress = isRecord(run.progress) ? run.progress : {};
  return { records: count(progress.records), skipped: Math.max(run.error_count, count(progress.skipped)) };
}

/** The object a running run is on, from its stored progress. */
export function currentObject(run: Pick<SyncRunView, 'progress'>): string | null {
  const progress = isRecord(run.progress) ? run.progress : {};
  return typeof progress.object === 'string' && progress.object ? progress.object : null;
}

export interface SkippedSample {
  object: string;
  sourceId: string;
  reason: string;
}

/** A few of the records the run skipped as malformed, and why. */
export function skippedSamples(run: Pick<SyncRunView, 'progress'>): SkippedSample[] {
  const progress = isRecord(run.progress) ? run.progress : {};
  const samples = Array.isArray(progress.skipped_samples) ? progress.skipped_samples : [];
  return samples.flatMap((s) =>
    isRecord(s)
      ? [{ object: String(s.object ?? ''), sourceId: String(s.source_id ?? ''), reason: String(s.reason ?? '') }]
      : [],
  );
}

export const isActive = (run: Pick<SyncRunView, 'status'>) => run.status === 'queued' || run.status === 'running';

/** Milliseconds from start to finish (or to `now` while running); null before it started. */
export function runDurationMs(run: Pick<SyncRunView, 'started_at' | 'finished_at'>, now = Date.now()): number | null {
  if (!run.started_at) return null;
  const start = Date.parse(run.started_at);
  const end = run.finished_at ? Date.parse(run.finished_at) : now;
  if (Number.isNaN(start) || Number.isNaN(end)) return null;
  return Math.max(0, end - start);
}

export const STATUS_WORDS: Record<string, string> = {
  queued: 'Waiting to start',
  running: 'Syncing',
  succeeded: 'Succeeded',
  failed: 'Failed',
  cancelled: 'Cancelled',
};

export const TRIGGER_WORDS: Record<string, string> = {
  manual: 'Started by hand',
  schedule: 'Scheduled',
  cli: 'Command line',
  webhook: 'Provider update',
  initial: 'First sync',
};

export const statusWords = (status: string) => STATUS_WORDS[status] ?? status;
export const triggerWords = (trigger: string) => TRIGGER_WORDS[trigger] ?? trigger;
