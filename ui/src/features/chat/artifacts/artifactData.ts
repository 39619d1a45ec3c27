/**
 * Artifacts as the chat shows them: `GET /api/artifacts/{id}` (title, live or snapshot, chart) and
 * `GET /api/artifacts/{id}/data` (results keyed by query name; the OpenAPI document leaves their
 * shape untyped, so it is checked here).
 */
import { useQuery } from '@tanstack/react-query';
import { api, unwrap } from '../../../api/client';
import { type ChartSpec, isObject } from '../../../api/protocol';
import type { ChartSpecView } from '../../../api/types';

export type QueryResult =
  | { ok: true; columns: string[]; types: string[]; rows: unknown[][]; rowCount: number | null; truncated: boolean }
  | { ok: false; error: string };

export function parseResults(raw: unknown): Map<string, QueryResult> {
  const results = new Map<string, QueryResult>();
  if (!isObject(raw)) return results;
  for (const [name, value] of Object.entries(raw)) {
    if (!isObject(value)) continue;
    if (typeof value.error === 'string') {
      results.set(name, { ok: false, error: value.error });
      continue;
    }
    const columns = Array.isArray(value.columns) ? value.columns.filter(isObject) : [];
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

/** The stored spec with every optional field made explicit, as the chart code expects. */
export function toChartSpec(view: ChartSpecView): ChartSpec {
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

/** The result the chart draws: the one it names, or the first. */
export function chartResult(results: Map<string, QueryResult>, query: string | null | undefined): [string, QueryResult] | null {
  if (query && results.has(query)) return [query, results.get(query)!];
  const first = results.entries().next();
  return first.done ? null : first.value;
}

export const artifactQueryKey = (id: string) => ['artifact', id] as const;

export function useArtifact(id: string) {
  return useQuery({
    queryKey: artifactQueryKey(id),
    queryFn: ({ signal }) => unwrap(api.GET('/artifacts/{id}', { params: { path: { id } }, signal })),
    staleTime: 60_000,
  });
}

export function useArtifactData(id: string) {
  return useQuery({
    queryKey: [...artifactQueryKey(id), 'data'],
    queryFn: async ({ signal }) => {
      const data = await unwrap(api.GET('/artifacts/{id}/data', { params: { path: { id } }, signal }));
      return { live: data.live, results: parseResults(data.results) };
    },
    staleTime: 60_000,
  });
}
