import { LayoutDashboard } from 'lucide-react';
import { useId, useMemo } from 'react';
import { ErrorAlert } from '../../../components/Alert';
import { LoadingBlock } from '../../../components/Skeleton';
import { cx } from '../../../lib/cx';
import { PinButton } from '../../dashboards/PinButton';
import type { ArtifactRef } from '../reducer';
import { ChartBlock } from '../charts/ChartBlock';
import { ResultTable } from '../steps/ResultTable';
import { chartResult, toChartSpec, useArtifact, useArtifactData } from './artifactData';

function ArtifactBody({ id }: { id: string }) {
  const artifact = useArtifact(id);
  const data = useArtifactData(id);
  const spec = useMemo(() => (artifact.data?.chart ? toChartSpec(artifact.data.chart) : null), [artifact.data]);
  const picked = useMemo(
    () => (data.data ? chartResult(data.data.results, artifact.data?.chart?.query) : null),
    [data.data, artifact.data],
  );
  if (artifact.isPending || data.isPending) return <LoadingBlock label="Loading the saved report…" lines={3} />;
  if (artifact.isError || data.isError) return <ErrorAlert error={artifact.error ?? data.error} />;
  if (!picked) return <p className="text-sm text-slate-600">This report has no data.</p>;
  const [name, result] = picked;
  if (!result.ok) return <p className="text-sm text-rose-800">The query “{name}” failed: {result.error}</p>;
  if (spec) return <ChartBlock spec={spec} data={result} />;
  return <ResultTable label={`Rows of ${name}`} {...result} />;
}

/** A report or dashboard saved from the chat, with its chart. */
export function ArtifactCard({ artifact }: { artifact: ArtifactRef }) {
  const meta = useArtifact(artifact.id);
  const titleId = useId();
  const title = meta.data?.title ?? artifact.title;
  const live = meta.data?.is_live;
  return (
    <section data-testid="artifact" aria-labelledby={titleId} className="rounded-xl border border-brand-100 bg-brand-50/40 p-3">
      <header className="mb-2 flex flex-wrap items-center gap-2">
        <LayoutDashboard className="size-4 text-brand-700" aria-hidden="true" />
        <h2 id={titleId} className="text-sm font-semibold text-slate-900">
          {title || 'Saved report'}
        </h2>
        {live !== undefined && (
          <span
            className={cx(
              'rounded-full px-2 py-0.5 text-xs font-medium',
              live ? 'bg-emerald-100 text-emerald-900' : 'bg-slate-200 text-slate-800',
            )}
            title={live ? 'Runs its queries again each time it is opened' : 'Shows the data as it was when saved'}
          >
            {live ? 'Live' : 'Snapshot'}
          </span>
        )}
      </header>
      {meta.data?.description && <p className="mb-2 text-sm text-slate-700">{meta.data.description}</p>}
      <ArtifactBody id={artifact.id} />
      <div className="mt-2 flex">
        <PinButton source={{ kind: 'artifact', artifactId: artifact.id, title: title || 'Saved report', chartKind: meta.data?.chart?.kind ?? null }} />
      </div>
    </section>
  );
}
