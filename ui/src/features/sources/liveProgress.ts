/**
 * Live sync progress folded from `sync_progress` frames (pure, unit-tested): per provider the run
 * being followed, the object it is on, the objects seen, the records written so far and the rate
 * measured over the last few frames.
 */
import type { SyncProgressFrame } from '../../api/protocol';
import { OBJECTS, type Provider } from './providers';
import { type SyncRunView, currentObject, objectCounts, runTotals } from './runs';

export interface Sample {
  at: number;
  records: number;
}

export interface LiveRun {
  runId: string;
  provider: string;
  /** The object of the last committed page (null before the first one). */
  object: string | null;
  /** Objects with at least one committed page, in the order they started. */
  objectsSeen: string[];
  records: number;
  skipped: number;
  /** Null while running; the final status once the run ended. */
  status: string | null;
  /** Recent (time, records) pairs the rate is measured over, oldest first. */
  samples: Sample[];
  /** When the last frame arrived (ms since the epoch); null for a run seeded from REST. */
  updatedAt: number | null;
  /** Until when the provider's rate limit holds the run back (ms since the epoch), if it does. */
  throttledUntil: number | null;
  /** While throttled, when the connector expects the whole run to be done (ms since the epoch), if it can tell. */
  doneBy: number | null;
}

export type LiveState = Readonly<Record<string, LiveRun>>;

/** The rate is measured over this much recent history. */
export const RATE_WINDOW_MS = 20_000;
const MAX_SAMPLES = 40;

export function applyProgress(state: LiveState, frame: SyncProgressFrame, now: number): LiveState {
  const previous = state[frame.provider];
  const same = previous?.runId === frame.run_id;
  const base: LiveRun = same
    ? previous
    : {
        runId: frame.run_id,
        provider: frame.provider,
        object: null,
        objectsSeen: [],
        records: 0,
        skipped: 0,
        status: null,
        samples: [],
        updatedAt: null,
        throttledUntil: null,
        doneBy: null,
      };
  const object = frame.object || base.object;
  const objectsSeen = frame.object && !base.objectsSeen.includes(frame.object) ? [...base.objectsSeen, frame.object] : base.objectsSeen;
  // Counts only grow within a run; a lagging replica's older frame must not move them back.
  const records = Math.max(base.records, frame.records);
  const skipped = Math.max(base.skipped, frame.skipped);
  const throttled = frame.throttled_for_secs !== null;
  const samples = frame.status === null && !throttled ? trimSamples([...base.samples, { at: now, records }], now) : base.samples;
  // Any other frame means the provider answered again.
  const throttledUntil = throttled ? now + (frame.throttled_for_secs ?? 0) * 1000 : null;
  // The estimate comes with throttled frames (a throttled frame without one means the connector cannot tell).
  const doneBy = throttled ? (frame.done_in_secs !== null ? now + frame.done_in_secs * 1000 : null) : frame.status === null ? base.doneBy : null;
  return {
    ...state,
    [frame.provider]: {
      ...base,
      object,
      objectsSeen,
      records,
      skipped,
      status: frame.status ?? base.status,
      samples,
      updatedAt: now,
      throttledUntil,
      doneBy,
    },
  };
}

function trimSamples(samples: Sample[], now: number): Sample[] {
  // Keep the window, but always the two latest so a slow run still has a rate.
  const recent = samples.filter((s, i) => now - s.at <= RATE_WINDOW_MS || i >= samples.length - 2);
  return recent.slice(-MAX_SAMPLES);
}

/** Records per second over the recent frames; null until two frames some time apart. */
export function rateOf(live: Pick<LiveRun, 'samples'>): number | null {
  const first = live.samples[0];
  const last = live.samples.at(-1);
  if (!first || !last || last === first) return null;
  const elapsed = last.at - first.at;
  if (elapsed < 250) return null;
  return Math.max(0, ((last.records - first.records) * 1000) / elapsed);
}

/** A run already running when the page opened, from what the server stored. */
export function liveFromRun(run: SyncRunView): LiveRun {
  const totals = runTotals(run);
  const seen = objectCounts(run).map((o) => o.object);
  const object = currentObject(run) ?? seen.at(-1) ?? null;
  return {
    runId: run.id,
    provider: run.provider,
    object,
    objectsSeen: object && !seen.includes(object) ? [...seen, object] : seen,
    records: totals.records,
    skipped: totals.skipped,
    status: run.status === 'queued' || run.status === 'running' ? null : run.status,
    samples: [],
    updatedAt: null,
    throttledUntil: null,
    doneBy: null,
  };
}

/** Seconds until the provider lets the run go on; null when it is not throttled now. */
export function throttledFor(live: Pick<LiveRun, 'throttledUntil'>, now: number): number | null {
  if (live.throttledUntil === null || live.throttledUntil <= now) return null;
  return Math.ceil((live.throttledUntil - now) / 1000);
}

/** Seconds until the run is expected to be done (the connector's estimate while throttled); null without one. */
export function doneIn(live: Pick<LiveRun, 'doneBy'>, now: number): number | null {
  if (live.doneBy === null) return null;
  return Math.max(0, Math.ceil((live.doneBy - now) / 1000));
}

export interface ObjectProgress {
  /** Objects finished. */
  done: number;
  /** Objects the run reads, when known. */
  total: number | null;
}

/**
 * How far through its objects a run is. Connectors read objects in a fixed order, so the one
 * being written means every earlier one is done. `fallbackTotal` (the objects of the last
 * finished run) stands in for providers whose list the page does not know.
 */
export function objectProgress(live: LiveRun, fallbackTotal: number | null = null): ObjectProgress {
  const known = OBJECTS[live.provider as Provider];
  const total = known?.length ?? (fallbackTotal && fallbackTotal > 0 ? Math.max(fallbackTotal, live.objectsSeen.length) : null);
  if (live.status === 'succeeded') return { done: total ?? live.objectsSeen.length, total };
  let done: number;
  const index = known && live.object ? known.indexOf(live.object) : -1;
  if (index >= 0) done = index;
  else done = Math.max(0, live.objectsSeen.length - 1);
  return { done: total === null ? done : Math.min(done, total), total };
}
