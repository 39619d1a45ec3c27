import { Skeleton } from '../../components/Skeleton';
import { cx } from '../../lib/cx';
import { formatCount } from '../chat/steps/formatValue';
import type { QueryResult } from './hooks';
import { ResultGrid } from './ResultGrid';

export interface ShownResult {
  /** Bumped per run: a new result starts unsorted. */
  id: number;
  sql: string;
  data: QueryResult;
}

/** "12 ms", "1.4 ms", "2.3 s". */
export function elapsedText(ms: number): string {
  if (ms >= 10_000) return `${new Intl.NumberFormat(undefined, { maximumFractionDigits: 1 }).format(ms / 1000)} s`;
  return `${new Intl.NumberFormat(undefined, { maximumFractionDigits: ms < 10 ? 1 : 0 }).format(ms)} ms`;
}

export function rowsText(count: number): string {
  return `${formatCount(count)} ${count === 1 ? 'row' : 'rows'}`;
}

/** "Showing the first 1,000 rows — the server's cap." when the cap cut the result, else null. */
export function truncationText(result: Pick<QueryResult, 'truncated' | 'row_count'>): string | null {
  if (!result.truncated) return null;
  return `Showing the first ${rowsText(result.row_count)} — the server's cap. The query had more.`;
}

export interface ResultsPanelProps {
  shown: ShownResult | null;
  running: boolean;
  /** The editor's SQL is no longer the one these rows came from. */
  editedSinceRun: boolean;
}

/** The last run's rows, how many, how long it took, and whether the server's cap cut them. */
export function ResultsPanel({ shown, running, editedSinceRun }: ResultsPanelProps) {
  const data = shown?.data;
  const truncation = data ? truncationText(data) : null;
  return (
    <section aria-labelledby="results-title" aria-busy={running || undefined} className="space-y-2">
      <div className="flex flex-wrap items-baseline justify-between gap-x-4 gap-y-1">
        <h2 id="results-title" className="text-lg font-semibold">
          Results
        </h2>
        <p role="status" className="text-sm text-slate-600">
          {running ? 'Running your query…' : data ? `${rowsText(data.row_count)} · ${elapsedText(data.elapsed_ms)}` : ''}
        </p>
      </div>

      {data && !running && (truncation || editedSinceRun) && (
        <div className="space-y-1 text-sm">
          {truncation && (
            <p className="rounded-md border border-amber-200 bg-amber-50 px-3 py-2 text-amber-900">
              {truncation} Sorting here orders these rows only: add ORDER BY to the query to choose which rows come first.
            </p>
          )}
          {editedSinceRun && <p className="text-slate-600">The query in the editor has changed since these results ran.</p>}
        </div>
      )}

      {!data ? (
        running ? (
          <div className="space-y-2 rounded-md border border-slate-200 bg-white p-4" aria-hidden="true">
            <Skeleton className="h-4 w-full" />
            <Skeleton className="h-4 w-full" />
            <Skeleton className="h-4 w-2/3" />
          </div>
        ) : (
          <div className="rounded-md border border-dashed border-slate-300 bg-white px-4 py-8 text-center text-sm text-slate-600">
            <p className="font-medium text-slate-800">No results yet</p>
            <p className="mt-1">Write a query and run it: its rows appear here, and you can sort them by any column.</p>
          </div>
        )
      ) : data.columns.length === 0 ? (
        <p className="rounded-md border border-slate-200 bg-white px-4 py-6 text-sm text-slate-700">The query ran and returned no columns.</p>
      ) : data.rows.length === 0 ? (
        <p className="rounded-md border border-slate-200 bg-white px-4 py-6 text-sm text-slate-700">
          The query ran and returned no rows. Columns: {data.columns.map((c) => c.name).join(', ')}.
        </p>
      ) : (
        <div className={cx(running && 'opacity-60')}>
          <ResultGrid key={shown.id} result={data} label="Query results" />
        </div>
      )}
    </section>
  );
}
