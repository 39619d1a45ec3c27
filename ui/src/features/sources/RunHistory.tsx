import { useId, useState } from 'react';
import type { AvailableIntegrationView } from '../../api/types';
import { ErrorAlert } from '../../components/Alert';
import { Button } from '../../components/Button';
import { LoadingBlock } from '../../components/Skeleton';
import { cx } from '../../lib/cx';
import { formatCount, formatDateTime, formatDuration, formatRelative, plural } from './format';
import { useSyncRuns } from './hooks';
import { objectLabel, providerName } from './providers';
import { type SyncRunView, objectCounts, runDurationMs, runTotals, skippedSamples, statusWords, triggerWords } from './runs';
import { TechnicalDetails } from './SyncErrorText';
import { explainSyncError } from './syncErrors';

const STATUS_TONE: Record<string, string> = {
  succeeded: 'bg-emerald-50 text-emerald-800 ring-emerald-200',
  failed: 'bg-rose-50 text-rose-800 ring-rose-200',
  running: 'bg-sky-50 text-sky-800 ring-sky-200',
  queued: 'bg-sky-50 text-sky-800 ring-sky-200',
};

function RunRow({ run }: { run: SyncRunView }) {
  const name = providerName(run.provider);
  const totals = runTotals(run);
  const duration = runDurationMs(run);
  const objects = objectCounts(run).filter((o) => o.records > 0);
  const samples = skippedSamples(run);
  const explained = run.error ? explainSyncError(run.error, name) : null;
  const status = explained?.throttled ? `Throttled by ${name}` : statusWords(run.status);
  return (
    <tr className="align-top">
      <th scope="row" className="px-3 py-3 text-left font-medium">
        {name}
      </th>
      <td className="px-3 py-3">
        <span
          className={cx(
            'inline-block whitespace-nowrap rounded-full px-2 py-0.5 text-xs font-medium ring-1 ring-inset',
            explained?.throttled ? 'bg-amber-50 text-amber-900 ring-amber-200' : (STATUS_TONE[run.status] ?? 'bg-slate-100 text-slate-700 ring-slate-200'),
          )}
        >
          {status}
        </span>
      </td>
      <td className="px-3 py-3">
        <time className="whitespace-nowrap" dateTime={run.started_at ?? run.queued_at} title={formatDateTime(run.started_at ?? run.queued_at)}>
          {formatRelative(run.started_at ?? run.queued_at)}
        </time>
        <span className="block text-xs text-slate-600">
          {triggerWords(run.trigger)}
          {run.full_sync && ', full resync'}
        </span>
      </td>
      <td className="px-3 py-3 tabular-nums">
        {formatCount(totals.records)}
        {objects.length > 0 && (
          <details className="mt-1 text-xs">
            <summary className="cursor-pointer text-slate-700">By type</summary>
            <ul className="mt-1 space-y-0.5">
              {objects.map((o) => (
                <li key={o.object}>
                  {objectLabel(o.object)}: {formatCount(o.records)}
                </li>
              ))}
            </ul>
          </details>
        )}
      </td>
      <td className="px-3 py-3 tabular-nums">{duration === null ? '—' : formatDuration(duration)}</td>
      <td className="px-3 py-3">
        {explained && run.error ? (
          <>
            <p>{explained.title}</p>
            <TechnicalDetails raw={run.error} className="mt-1" />
          </>
        ) : totals.skipped > 0 ? (
          <>
            <p>{plural(totals.skipped, 'malformed record was', 'malformed records were')} skipped.</p>
            {samples.length > 0 && (
              <details className="mt-1 text-xs">
                <summary className="cursor-pointer text-slate-700">Which ones</summary>
                <ul className="mt-1 space-y-0.5">
                  {samples.map((s, i) => (
                    <li key={`${s.object}-${s.sourceId}-${i}`}>
                      {objectLabel(s.object)} {s.sourceId}: {s.reason}
                    </li>
                  ))}
                </ul>
              </details>
            )}
          </>
        ) : (
          <span className="text-slate-500">None</span>
        )}
      </td>
    </tr>
  );
}

/** Recent sync runs, of every source or one, with status, trigger, counts, duration and errors. */
export function RunHistory({ providers }: { providers: readonly AvailableIntegrationView[] }) {
  const [filter, setFilter] = useState<string>('');
  const runs = useSyncRuns(filter || null);
  const selectId = useId();

  return (
    <section aria-labelledby="sync-history-title" className="mt-10">
      <div className="flex flex-wrap items-end justify-between gap-3">
        <div>
          <h2 id="sync-history-title" className="text-lg font-semibold">
            Sync history
          </h2>
          <p className="text-sm text-slate-700">The latest 50 syncs, newest first.</p>
        </div>
        <div className="flex items-center gap-2 text-sm">
          <label htmlFor={selectId}>Show</label>
          <select
            id={selectId}
            value={filter}
            onChange={(event) => setFilter(event.target.value)}
            className="rounded-md border border-slate-300 bg-white px-2 py-1.5 text-sm focus-visible:outline-2 focus-visible:outline-brand-600"
          >
            <option value="">All sources</option>
            {providers.map((p) => (
              <option key={p.provider} value={p.provider}>
                {p.display_name}
              </option>
            ))}
          </select>
        </div>
      </div>

      <div className="mt-3">
        {runs.isPending ? (
          <div className="rounded-xl border border-slate-200 bg-white p-5">
            <LoadingBlock label="Loading sync history…" lines={3} />
          </div>
        ) : runs.isError ? (
          <ErrorAlert error={runs.error}>
            <Button variant="secondary" className="mt-3" onClick={() => void runs.refetch()}>
              Try again
            </Button>
          </ErrorAlert>
        ) : runs.data.length === 0 ? (
          <p className="rounded-xl border border-dashed border-slate-300 bg-white p-5 text-sm text-slate-700">
            {filter ? `No ${providerName(filter)} syncs yet.` : 'No syncs yet. They show up here once a source is connected.'}
          </p>
        ) : (
          <div
            role="region"
            aria-label="Sync history table"
            tabIndex={0}
            className="overflow-x-auto rounded-xl border border-slate-200 bg-white focus-visible:outline-2 focus-visible:outline-brand-600"
          >
            <table className="w-full min-w-[38rem] text-sm">
              <caption className="sr-only">Sync runs with their status, start and trigger, records, duration and problems</caption>
              <thead className="border-b border-slate-200 bg-slate-50 text-left text-xs font-medium uppercase tracking-wide text-slate-600">
                <tr>
                  <th scope="col" className="px-3 py-2">
                    Source
                  </th>
                  <th scope="col" className="px-3 py-2">
                    Status
                  </th>
                  <th scope="col" className="px-3 py-2">
                    Started
                  </th>
                  <th scope="col" className="px-3 py-2">
                    Records
                  </th>
                  <th scope="col" className="px-3 py-2">
                    Duration
                  </th>
                  <th scope="col" className="px-3 py-2">
                    Problems
                  </th>
                </tr>
              </thead>
              <tbody className="divide-y divide-slate-100">
                {runs.data.map((run) => (
                  <RunRow key={run.id} run={run} />
                ))}
              </tbody>
            </table>
          </div>
        )}
      </div>
    </section>
  );
}
