import { useEffect, useState } from 'react';
import { formatCount, formatRate, formatRemaining, plural } from './format';
import { type LiveRun, doneIn, objectProgress, rateOf, throttledFor } from './liveProgress';
import { objectLabel } from './providers';

/** No frame for this long while running: say the provider is slow rather than look frozen. */
export const STALLED_AFTER_MS = 30_000;

function useNow(everyMs: number): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), everyMs);
    return () => clearInterval(timer);
  }, [everyMs]);
  return now;
}

export interface SyncProgressProps {
  name: string;
  live: LiveRun;
  /** How many objects the provider's last finished run had (for providers without a known list). */
  fallbackTotal: number | null;
}

/** A running sync: record types done, records written and the rate, fed by socket frames. */
export function SyncProgress({ name, live, fallbackTotal }: SyncProgressProps) {
  const now = useNow(1_000);
  const waitSecs = throttledFor(live, now);
  const remainingSecs = waitSecs !== null ? doneIn(live, now) : null;
  const { done, total } = objectProgress(live, fallbackTotal);
  const rate = rateOf(live);
  const stalled = waitSecs === null && live.updatedAt !== null && now - live.updatedAt > STALLED_AFTER_MS;
  const percent = total ? Math.round((done / total) * 100) : 0;
  const valueText = [
    total !== null ? `${done} of ${total} record types done` : `${plural(done, 'record type', 'record types')} done`,
    `${plural(live.records, 'record', 'records')} written`,
    rate !== null ? formatRate(rate) : null,
  ]
    .filter(Boolean)
    .join(', ');

  return (
    <div>
      <div className="flex flex-wrap justify-between gap-x-4 gap-y-1 text-sm text-slate-700">
        <span>{live.object ? `Syncing ${objectLabel(live.object)}…` : 'Starting…'}</span>
        {total !== null && (
          <span>
            {done} of {total} record types
          </span>
        )}
      </div>
      <div
        role="progressbar"
        aria-label={`${name} sync progress`}
        aria-valuemin={0}
        aria-valuemax={total ?? undefined}
        aria-valuenow={total !== null ? done : undefined}
        aria-valuetext={valueText}
        className="mt-2 h-2 overflow-hidden rounded-full bg-slate-200"
      >
        <div
          className={total !== null ? 'h-full rounded-full bg-brand-600 transition-all' : 'h-full w-1/3 animate-pulse rounded-full bg-brand-600'}
          style={total !== null ? { width: `${Math.max(percent, 3)}%` } : undefined}
        />
      </div>
      <dl className="mt-3 grid grid-cols-1 gap-2 text-sm sm:grid-cols-3">
        <div>
          <dt className="text-slate-600">Records written</dt>
          <dd className="font-medium tabular-nums">{formatCount(live.records)}</dd>
        </div>
        <div>
          <dt className="text-slate-600">Rate</dt>
          <dd className="font-medium tabular-nums">{rate !== null ? formatRate(rate) : 'Measuring…'}</dd>
        </div>
        <div>
          <dt className="text-slate-600">Skipped (malformed)</dt>
          <dd className="font-medium tabular-nums">{formatCount(live.skipped)}</dd>
        </div>
      </dl>
      {waitSecs !== null && (
        <div className="mt-2 rounded-md border border-amber-200 bg-amber-50 p-3 text-sm text-amber-950">
          {/* Announced when it changes (about once a minute), not the seconds below. */}
          <p role="status" className="font-medium">
            {remainingSecs !== null
              ? `${name} is limiting how fast we can read; ${remainingSecs < 60 ? 'almost done' : `${formatRemaining(remainingSecs)} left`}.`
              : `Waiting for ${name}’s rate limit.`}
          </p>
          <p className="mt-0.5">
            The next read is in about {plural(waitSecs, 'second', 'seconds')}. The sync carries on by itself; nothing is lost.
          </p>
        </div>
      )}
      {stalled && (
        <p className="mt-2 text-sm text-amber-900">
          Waiting for {name} to answer. Providers sometimes ask Revtops to slow down; the sync carries on by itself.
        </p>
      )}
    </div>
  );
}
