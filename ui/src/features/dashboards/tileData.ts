/**
 * What a tile draws: `GET /api/artifacts/{id}/data` (live artifacts re-run their SQL; snapshots
 * answer the rows saved with them), the chart it uses, and the CSV export of a fresh run (through
 * `lib/fileResponse`, like the explorer's).
 *
 * The result parsing mirrors the chat's (chat/artifacts/artifactData) rather than importing it:
 * that module pulls in the socket protocol, and sharing it would split the chat's chunks and
 * cost the chat route bytes it does not have. Only chat modules the chat route already keeps
 * together (the chart and table components, the CSV helpers) are reused here.
 */
import { useQuery } from '@tanstack/react-query';
import { ApiError, api, unwrap } from '../../api/client';
import { fileNameFrom, fileResponse } from '../../lib/fileResponse';
import type { ChartSpec } from '../../api/protocol';
import type { ChartSpecView } from '../../api/types';
import type { QueryResult } from '../chat/artifacts/artifactData';
import { csvFileName, downloadBlob } from '../chat/steps/csv';
import { type Artifact, type Tile, artifactQueryKey } from './hooks';

export type { QueryResult };

/** Under the chat's artifact key, so whatever refreshes an artifact refreshes its tiles too. */
export const tileDataQueryKey = (artifactId: string) => [...artifactQueryKey(artifactId), 'read'] as const;

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** `results` is untyped in the OpenAPI document: {name: {columns, rows, row_count, truncated} | {error}}. */
export function parseResults(raw: unknown): Map<string, QueryResult> {
  const results = new Map<string, QueryResult>();
  if (!isRecord(raw)) return results;
  for (const [name, value] of Object.entries(raw)) {
    if (!isRecord(value)) continue;
    if (typeof value.error === 'string') {
      results.set(name, { ok: false, error: value.error });
      continue;
    }
    const columns = Array.isArray(value.columns) ? value.columns.filter(isRecord) : [];
    results.set(name, {
      ok: true,
      columns: columns.map((c) => String(c.name ?? '')),
      types: columns.map((c) => String(c.type ?? '')),
      rows: Array.isArray(value.rows) ? value.rows.filter((r): r is unknown[] => Array.isArray(r)) : [],
      rowCount: typeof value.row_count === 'number' ? value.row_count : null,
      truncated: value.truncated === true,
    });
  }
  return results;
}

/** The result a chart draws: the one it names, or the first. */
export function chartResult(results: Map<string, QueryResult>, query: string | null | undefined): [string, QueryResult] | null {
  if (query && results.has(query)) return [query, results.get(query)!];
  const first = results.entries().next();
  return first.done ? null : first.value;
}

function toChartSpec(view: ChartSpecView): ChartSpec {
  return {
    kind: view.kind,
    x: view.x ?? null,
    y: view.y,
    series: view.series ?? null,
    stacked: view.stacked,
    format: view.format ?? null,
    title: view.title ?? null,
  };
}

/** What the tile draws: its own chart when it was switched, else the artifact's (null: the rows). */
export function tileChart(tile: Tile): { spec: ChartSpec | null; query: string | null; own: boolean } {
  const view = tile.chart ?? tile.artifact.chart ?? null;
  return { spec: view ? toChartSpec(view) : null, query: view?.query ?? null, own: Boolean(tile.chart) };
}

/** Live artifacts re-run each time the dashboard opens (and on Refresh); snapshots never change. */
export function useTileData(artifactId: string, live: boolean) {
  return useQuery({
    queryKey: tileDataQueryKey(artifactId),
    queryFn: async ({ signal }) => {
      const data = await unwrap(api.GET('/artifacts/{id}/data', { params: { path: { id: artifactId } }, signal }));
      return { live: data.live, readAt: data.read_at, results: parseResults(data.results) };
    },
    staleTime: live ? 0 : Number.POSITIVE_INFINITY,
    refetchOnMount: live ? 'always' : true,
  });
}

export type TileData = NonNullable<ReturnType<typeof useTileData>['data']>;

/** Downloads a fresh run of the artifact's query as CSV (the server writes the file). */
export async function downloadArtifactCsv(artifact: Pick<Artifact, 'id' | 'title'>, query?: string | null): Promise<{ truncated: boolean }> {
  const { data, response } = await api.GET('/artifacts/{id}/csv', {
    params: { path: { id: artifact.id }, query: query ? { query } : undefined },
    parseAs: 'blob',
    middleware: [fileResponse],
  });
  if (!data) throw new ApiError('invalid_response', 'The server sent an empty file', response.status);
  downloadBlob(data, fileNameFrom(response.headers.get('Content-Disposition'), csvFileName(artifact.title)));
  return { truncated: response.headers.get('X-Truncated') === 'true' };
}
