import { useHealth } from '../hooks/useHealth';

function Row({ label, value }: { label: string; value: string }) {
  return (
    <div className="flex justify-between gap-4 py-2 text-sm">
      <dt className="text-slate-500">{label}</dt>
      <dd className="font-mono text-slate-800">{value}</dd>
    </div>
  );
}

/** Detailed view of GET /api/health for the overview page. */
export function StatusCard() {
  const { data, isPending, isError, error, refetch, isFetching } = useHealth();

  return (
    <div className="rounded-xl border border-slate-200 bg-white p-6 shadow-sm">
      <div className="flex items-center justify-between">
        <h2 className="font-semibold">System status</h2>
        <button
          type="button"
          onClick={() => void refetch()}
          disabled={isFetching}
          className="rounded-md px-2 py-1 text-xs font-medium text-slate-600 ring-1 ring-slate-200 hover:bg-slate-50 disabled:opacity-50"
        >
          {isFetching ? 'Refreshing…' : 'Refresh'}
        </button>
      </div>
      {isPending ? (
        <p className="mt-4 text-sm text-slate-500">Checking the server…</p>
      ) : isError ? (
        <p className="mt-4 text-sm text-rose-700">The server is unreachable: {error.message}</p>
      ) : (
        <dl className="mt-3 divide-y divide-slate-100">
          <Row label="Server" value={data.status} />
          <Row label="Version" value={data.version ?? '—'} />
          <Row label="Revision" value={data.gitRevision ?? '—'} />
          <Row label="Database" value={data.database?.status ?? '—'} />
          <Row
            label="Cache"
            value={data.cache ? `${data.cache.status}${data.cache.backend ? ` (${data.cache.backend})` : ''}` : '—'}
          />
        </dl>
      )}
    </div>
  );
}
