import { useHealth } from '../hooks/useHealth';

type Tone = 'ok' | 'degraded' | 'unreachable' | 'checking';

const TONES: Record<Tone, { label: string; dot: string; pill: string }> = {
  ok: { label: 'Operational', dot: 'bg-emerald-500', pill: 'bg-emerald-50 text-emerald-800 ring-emerald-200' },
  degraded: { label: 'Degraded', dot: 'bg-amber-500', pill: 'bg-amber-50 text-amber-800 ring-amber-200' },
  unreachable: { label: 'Unreachable', dot: 'bg-rose-500', pill: 'bg-rose-50 text-rose-800 ring-rose-200' },
  checking: { label: 'Checking…', dot: 'bg-slate-400 animate-pulse', pill: 'bg-slate-50 text-slate-600 ring-slate-200' },
};

/** Compact server status pill (ok / degraded / unreachable) with the version. */
export function HealthBadge() {
  const { data, isPending, isError, error } = useHealth();

  const tone: Tone = isPending ? 'checking' : isError ? 'unreachable' : data.status;
  const { label, dot, pill } = TONES[tone];
  const version = data?.version ? `v${data.version}` : null;

  const details = isError
    ? error.message
    : data
      ? [
          `Server ${data.status}`,
          data.version && `version ${data.version}`,
          data.gitRevision && `rev ${data.gitRevision}`,
          data.database && `database ${data.database.status}`,
          data.cache && `cache ${data.cache.backend ?? ''} ${data.cache.status}`.replace(/\s+/g, ' '),
        ]
          .filter(Boolean)
          .join(' · ')
      : 'Checking server status';

  return (
    <span
      role="status"
      title={details}
      className={`inline-flex items-center gap-2 rounded-full px-2.5 py-1 text-xs font-medium ring-1 ring-inset ${pill}`}
    >
      <span className={`size-2 rounded-full ${dot}`} aria-hidden="true" />
      <span>{label}</span>
      {version && <span className="font-mono text-[11px] opacity-70">{version}</span>}
    </span>
  );
}
