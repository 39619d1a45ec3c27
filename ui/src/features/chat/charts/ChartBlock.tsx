import { Suspense, lazy, useMemo } from 'react';
import type { ChartSpec } from '../../../api/protocol';
import { Skeleton } from '../../../components/Skeleton';
import { ResultTable } from '../steps/ResultTable';
import { type ChartData, chartLabel, chartView } from './chartOption';

const EChart = lazy(() => import('./EChart'));

export interface ChartBlockProps {
  spec: ChartSpec;
  data: ChartData & { rowCount: number | null; truncated: boolean };
}

/** A chart under a tool step or in an artifact card; echarts loads on first use (skeleton meanwhile). */
export function ChartBlock({ spec, data }: ChartBlockProps) {
  const view = useMemo(() => chartView(spec, data), [spec, data]);
  if (view.type === 'empty') return null;
  const label = chartLabel(spec);
  return (
    <figure data-testid="chart" data-kind={spec.kind} className="rounded-lg border border-slate-200 bg-white p-3">
      {spec.title && view.type !== 'number' && <figcaption className="mb-2 text-sm font-medium text-slate-800">{spec.title}</figcaption>}
      {view.type === 'number' && (
        <p className="flex flex-col">
          <span className="text-3xl font-semibold tracking-tight text-slate-900 tabular-nums">{view.value}</span>
          <span className="text-sm text-slate-600">{view.label}</span>
        </p>
      )}
      {view.type === 'table' && (
        <ResultTable label={label} columns={data.columns} types={data.types} rows={data.rows} rowCount={data.rowCount} truncated={data.truncated} />
      )}
      {view.type === 'echarts' && (
        <Suspense
          fallback={
            <div role="status" className="h-64">
              <span className="sr-only">Loading the chart…</span>
              <Skeleton className="h-full w-full" />
            </div>
          }
        >
          <EChart option={view.option} label={label} />
        </Suspense>
      )}
    </figure>
  );
}
