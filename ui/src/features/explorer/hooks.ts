/**
 * Server state of the SQL explorer: the queryable schema, running a query, its CSV export,
 * saving it as an artifact and pinning that to a dashboard.
 */
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api, unwrap } from '../../api/client';
import type { components } from '../../api/schema.gen';
import { fileNameFrom, fileResponse } from '../../lib/fileResponse';
import { downloadBlob } from '../chat/steps/csv';

type Schemas = components['schemas'];
export type SchemaTable = Schemas['SchemaTableView'];
export type SchemaColumn = Schemas['SchemaColumnView'];
export type QueryBody = Schemas['QueryRequest'];
export type QueryResultView = Schemas['QueryResultView'];
export type CreateArtifactBody = Schemas['CreateArtifactRequest'];
export type DashboardSummary = Schemas['DashboardSummaryView'];

/** A query's result with its rows typed (the document calls them `unknown`: any JSON value). */
export type QueryResult = Omit<QueryResultView, 'rows'> & { rows: unknown[][] };

export const explorerKeys = {
  schema: ['explorer', 'schema'] as const,
};
/**
 * The dashboards pages cache the same lists under these keys (`['dashboards', 'list']`,
 * `['artifacts', 'list']`); after a change here everything under the prefixes is refreshed, the
 * dashboard a tile was added to included.
 */
export const dashboardsListKey = ['dashboards', 'list'] as const;
const dashboardsKey = ['dashboards'] as const;
const artifactsKey = ['artifacts'] as const;

/** The tables and columns analytics SQL may read; they change only with a new server. */
export function useSchema() {
  return useQuery({
    queryKey: explorerKeys.schema,
    queryFn: ({ signal }) => unwrap(api.GET('/schema', { signal })),
    staleTime: 10 * 60_000,
  });
}

function typedRows(rows: unknown): unknown[][] {
  return Array.isArray(rows) ? rows.map((row) => (Array.isArray(row) ? row : [row])) : [];
}

export async function runQuery(body: QueryBody): Promise<QueryResult> {
  const result = await unwrap(api.POST('/query', { body }));
  return { ...result, rows: typedRows(result.rows) };
}

/** Runs one query; the page keeps the last result (see ExplorerPage). */
export function useRunQuery() {
  return useMutation({ mutationFn: runQuery });
}

export interface CsvDownload {
  fileName: string;
  /** The engine's row or byte cap cut the file. */
  truncated: boolean;
}

/** Runs the query again on the server and saves every row it returns as CSV. */
export async function downloadQueryCsv(sql: string): Promise<CsvDownload> {
  const { data, response } = await api.POST('/query/csv', { body: { sql }, parseAs: 'blob', middleware: [fileResponse] });
  const fileName = fileNameFrom(response.headers.get('Content-Disposition'), 'query.csv');
  downloadBlob(data ?? new Blob([], { type: 'text/csv' }), fileName);
  return { fileName, truncated: response.headers.get('X-Truncated') === 'true' };
}

export function useDownloadCsv() {
  return useMutation({ mutationFn: downloadQueryCsv });
}

export function useDashboards(enabled: boolean) {
  return useQuery({
    queryKey: dashboardsListKey,
    queryFn: ({ signal }) => unwrap(api.GET('/dashboards', { signal })),
    enabled,
  });
}

export function useCreateArtifact() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (body: CreateArtifactBody) => unwrap(api.POST('/artifacts', { body })),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: artifactsKey }),
  });
}

export function useCreateDashboard() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (title: string) => unwrap(api.POST('/dashboards', { body: { title } })),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: dashboardsKey }),
  });
}

/** Pins an artifact to a dashboard, after its last tile. */
export function useAddTile() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: ({ dashboardId, artifactId }: { dashboardId: string; artifactId: string }) =>
      unwrap(api.POST('/dashboards/{id}/tiles', { params: { path: { id: dashboardId } }, body: { artifact_id: artifactId } })),
    onSettled: () => queryClient.invalidateQueries({ queryKey: dashboardsKey }),
  });
}
