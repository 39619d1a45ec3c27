import { AlertCircle, CheckCircle2, ChevronRight, Code2, Copy, Download, Loader2 } from 'lucide-react';
import { useId, useMemo, useState } from 'react';
import { Link } from 'react-router';
import { toast } from 'sonner';
import { Button } from '../../../components/Button';
import { cx } from '../../../lib/cx';
import { PinButton } from '../../dashboards/PinButton';
import { ChartBlock } from '../charts/ChartBlock';
import type { ToolStep } from '../toolOutput';
import { csvBlob, csvFileName, downloadBlob, toCsv } from './csv';
import { isNumericType } from './formatValue';
import { ResultTable } from './ResultTable';
import { SqlCode } from './SqlCode';
import { stepSubject, stepSummary } from './stepSummary';

async function copySql(sql: string) {
  try {
    await navigator.clipboard.writeText(sql);
    toast.success('SQL copied');
  } catch {
    toast.error("Couldn't copy the SQL. Select it and copy it by hand.");
  }
}

function downloadCsv(step: ToolStep) {
  const output = step.output!;
  const csv = toCsv(output.columns, output.rows, output.columns.map((_, i) => isNumericType(output.types[i])));
  downloadBlob(csvBlob(csv), csvFileName(stepSubject(step)));
}

/** The queries a create_artifact step saved. */
function artifactQueries(step: ToolStep): { name: string; sql: string }[] {
  const queries = Array.isArray(step.input.queries) ? step.input.queries : [];
  return queries.flatMap((q: unknown) => {
    const o = q as { name?: unknown; sql?: unknown };
    return typeof o?.sql === 'string' ? [{ name: typeof o.name === 'string' ? o.name : 'Query', sql: o.sql }] : [];
  });
}

function StepDetails({ step }: { step: ToolStep }) {
  const output = step.output;
  const hasRows = Boolean(output && output.columns.length > 0);
  const search = step.name === 'search_activities' && typeof step.input.query === 'string' ? step.input.query : null;
  return (
    <div className="space-y-3 border-t border-slate-100 px-3 py-3">
      {step.sql && <SqlCode sql={step.sql} />}
      {search && <p className="text-sm text-slate-700">Searched for “{search}”.</p>}
      {step.name === 'create_artifact' &&
        artifactQueries(step).map((q) => (
          <div key={q.name}>
            <p className="mb-1 text-xs font-medium text-slate-700">{q.name}</p>
            <SqlCode sql={q.sql} />
          </div>
        ))}
      {output?.error && <p className="text-sm text-rose-800">{output.error}</p>}
      {output && hasRows && (
        <ResultTable
          label={`Rows from ${stepSubject(step) ?? 'the query'}`}
          columns={output.columns}
          types={output.types}
          rows={output.rows}
          rowCount={output.rowCount}
          truncated={output.truncated}
        />
      )}
      {(step.sql || hasRows) && (
        <div className="flex flex-wrap gap-2">
          {step.sql && (
            <Button variant="secondary" onClick={() => void copySql(step.sql!)}>
              <Copy className="size-4" aria-hidden="true" />
              Copy SQL
            </Button>
          )}
          {hasRows && (
            <Button variant="secondary" onClick={() => downloadCsv(step)}>
              <Download className="size-4" aria-hidden="true" />
              Download CSV
            </Button>
          )}
          {step.sql && (
            // The explorer reads the query from the router state.
            <Link
              to="/explorer"
              state={{ sql: step.sql }}
              className="inline-flex items-center gap-2 rounded-md bg-white px-3.5 py-2 text-sm font-medium text-slate-800 ring-1 ring-inset ring-slate-300 hover:bg-slate-50"
            >
              <Code2 className="size-4" aria-hidden="true" />
              Open in explorer
            </Link>
          )}
          {step.sql && hasRows && step.status === 'ok' && (
            <PinButton source={{ kind: 'query', sql: step.sql, chart: output!.chart, subject: stepSubject(step) }} />
          )}
        </div>
      )}
    </div>
  );
}

function StatusIcon({ status }: { status: ToolStep['status'] }) {
  if (status === 'running') return <Loader2 className="size-4 shrink-0 animate-spin text-slate-500" aria-hidden="true" />;
  if (status === 'ok') return <CheckCircle2 className="size-4 shrink-0 text-emerald-700" aria-hidden="true" />;
  return <AlertCircle className="size-4 shrink-0 text-rose-700" aria-hidden="true" />;
}

/** One tool call: a compact row that expands to its SQL and rows; its chart sits under it. */
export function ToolStepView({ step }: { step: ToolStep }) {
  const [open, setOpen] = useState(false);
  const id = useId();
  const output = step.output;
  const chartData = useMemo(
    () =>
      output
        ? { columns: output.columns, types: output.types, rows: output.rows, rowCount: output.rowCount, truncated: output.truncated }
        : null,
    [output],
  );
  const chart = step.status === 'ok' && output?.chart && chartData ? output.chart : null;
  return (
    <div data-testid="tool-step" data-status={step.status} className="space-y-2">
      <div className="rounded-lg border border-slate-200 bg-white">
        <button
          type="button"
          aria-expanded={open}
          aria-controls={open ? id : undefined}
          onClick={() => setOpen((v) => !v)}
          className={cx(
            'flex w-full items-center gap-2 rounded-lg px-3 py-2 text-left text-sm hover:bg-slate-50',
            step.status === 'error' ? 'text-rose-900' : 'text-slate-700',
          )}
        >
          <StatusIcon status={step.status} />
          <span className="min-w-0 flex-1 break-words">{stepSummary(step)}</span>
          <ChevronRight className={cx('size-4 shrink-0 text-slate-500 transition-transform', open && 'rotate-90')} aria-hidden="true" />
        </button>
        {open && (
          <div id={id}>
            <StepDetails step={step} />
          </div>
        )}
      </div>
      {chart && chartData && <ChartBlock spec={chart} data={chartData} />}
    </div>
  );
}
