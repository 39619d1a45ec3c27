/**
 * Dashboards as React Query hooks: the list, one dashboard with its tiles, and every change the
 * server allows (create, rename, delete; pin, resize, redraw, reorder and remove tiles). What a
 * tile draws is in tileData.ts.
 *
 * Nothing here imports the chat's modules: this file is shared with the pin dialog the chat
 * loads, and a chat module used here would be split out of the chat's chunk.
 */
import { type QueryClient, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api, unwrap } from '../../api/client';
import type { components } from '../../api/schema.gen';

type Schemas = components['schemas'];
export type DashboardSummary = Schemas['DashboardSummaryView'];
export type Dashboard = Schemas['DashboardView'];
export type Tile = Schemas['TileView'];
export type Artifact = Schemas['ArtifactView'];
export type CreateArtifactBody = Schemas['CreateArtifactRequest'];
export type AddTileBody = Schemas['AddTileRequest'];
/** `chart: null` returns the tile to the artifact's own chart; an absent chart leaves it. */
export type UpdateTileBody = Schemas['UpdateTileRequest'];

export const dashboardsQueryKey = ['dashboards', 'list'] as const;
export const dashboardQueryKey = (id: string) => ['dashboards', 'detail', id] as const;
export const artifactsQueryKey = ['artifacts', 'list'] as const;
/** The chat's key of one artifact (see chat/artifacts/artifactData; not imported, to keep the chunks apart). */
export const artifactQueryKey = (id: string) => ['artifact', id] as const;

export function useDashboards() {
  return useQuery({
    queryKey: dashboardsQueryKey,
    queryFn: ({ signal }) => unwrap(api.GET('/dashboards', { signal })),
  });
}

export function useDashboard(id: string) {
  return useQuery({
    queryKey: dashboardQueryKey(id),
    queryFn: ({ signal }) => unwrap(api.GET('/dashboards/{id}', { params: { path: { id } }, signal })),
  });
}

/** Saved artifacts of the organization (to add one as a tile). */
export function useArtifacts(enabled = true) {
  return useQuery({
    queryKey: artifactsQueryKey,
    queryFn: ({ signal }) => unwrap(api.GET('/artifacts', { signal })),
    enabled,
  });
}

function setDashboard(queryClient: QueryClient, id: string, update: (d: Dashboard) => Dashboard) {
  queryClient.setQueryData<Dashboard>(dashboardQueryKey(id), (d) => (d ? update(d) : d));
}

const listChanged = (queryClient: QueryClient) => queryClient.invalidateQueries({ queryKey: dashboardsQueryKey });

export function useCreateDashboard() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (title: string) => unwrap(api.POST('/dashboards', { body: { title } })),
    onSuccess: (dashboard) => {
      queryClient.setQueryData(dashboardQueryKey(dashboard.id), dashboard);
      return listChanged(queryClient);
    },
  });
}

export function useRenameDashboard() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: ({ id, title }: { id: string; title: string }) =>
      unwrap(api.PATCH('/dashboards/{id}', { params: { path: { id } }, body: { title } })),
    onSuccess: (dashboard) => {
      queryClient.setQueryData(dashboardQueryKey(dashboard.id), dashboard);
      queryClient.setQueryData<DashboardSummary[]>(dashboardsQueryKey, (list) =>
        list?.map((d) => (d.id === dashboard.id ? { ...d, title: dashboard.title, updated_at: dashboard.updated_at } : d)),
      );
      return listChanged(queryClient);
    },
  });
}

export function useDeleteDashboard() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (id: string) => unwrap(api.DELETE('/dashboards/{id}', { params: { path: { id } } })),
    onSuccess: (_, id) => {
      queryClient.setQueryData<DashboardSummary[]>(dashboardsQueryKey, (list) => list?.filter((d) => d.id !== id));
      // The dashboard's own page may still be open (it leaves right after): its cache is left to
      // go stale rather than removed, which would make that page ask for it again and get a 404.
      return listChanged(queryClient);
    },
  });
}

export function useAddTile() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: ({ dashboardId, body }: { dashboardId: string; body: AddTileBody }) =>
      unwrap(api.POST('/dashboards/{id}/tiles', { params: { path: { id: dashboardId } }, body })),
    onSuccess: (tile, { dashboardId }) => {
      setDashboard(queryClient, dashboardId, (d) => ({ ...d, tiles: [...d.tiles.filter((t) => t.id !== tile.id), tile] }));
      return listChanged(queryClient);
    },
  });
}

/** Resizes apply at once (and roll back if refused); a chart switch waits for the server's check. */
export const updateTileMutationKey = ['dashboards', 'update-tile'] as const;

export function useUpdateTile() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationKey: updateTileMutationKey,
    mutationFn: ({ dashboardId, tileId, body }: { dashboardId: string; tileId: string; body: UpdateTileBody }) =>
      unwrap(
        api.PATCH('/dashboards/{id}/tiles/{tile_id}', {
          params: { path: { id: dashboardId, tile_id: tileId } },
          // chart: null returns the tile to the artifact's own chart.
          body,
        }),
      ),
    onMutate: ({ dashboardId, tileId, body }) => {
      const before = queryClient.getQueryData<Dashboard>(dashboardQueryKey(dashboardId));
      const size = { ...(body.width !== undefined && { width: body.width }), ...(body.height !== undefined && { height: body.height }) };
      if (Object.keys(size).length > 0) {
        setDashboard(queryClient, dashboardId, (d) => ({ ...d, tiles: d.tiles.map((t) => (t.id === tileId ? { ...t, ...size } : t)) }));
      }
      return { before };
    },
    onError: (_, { dashboardId }, context) => {
      if (context?.before) queryClient.setQueryData(dashboardQueryKey(dashboardId), context.before);
    },
    onSuccess: (tile, { dashboardId }) =>
      setDashboard(queryClient, dashboardId, (d) => ({ ...d, tiles: d.tiles.map((t) => (t.id === tile.id ? tile : t)) })),
  });
}

export function useRemoveTile() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: ({ dashboardId, tileId }: { dashboardId: string; tileId: string }) =>
      unwrap(api.DELETE('/dashboards/{id}/tiles/{tile_id}', { params: { path: { id: dashboardId, tile_id: tileId } } })),
    onSuccess: (_, { dashboardId, tileId }) => {
      setDashboard(queryClient, dashboardId, (d) => ({ ...d, tiles: d.tiles.filter((t) => t.id !== tileId) }));
      return listChanged(queryClient);
    },
  });
}

/** Moves at once; the server gets every tile in the new order and answers with the tiles as stored. */
export function useReorderTiles() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: ({ dashboardId, tileIds }: { dashboardId: string; tileIds: string[] }) =>
      unwrap(api.PUT('/dashboards/{id}/order', { params: { path: { id: dashboardId } }, body: { tile_ids: tileIds } })),
    onMutate: async ({ dashboardId, tileIds }) => {
      await queryClient.cancelQueries({ queryKey: dashboardQueryKey(dashboardId) });
      const before = queryClient.getQueryData<Dashboard>(dashboardQueryKey(dashboardId));
      setDashboard(queryClient, dashboardId, (d) => {
        const byId = new Map(d.tiles.map((t) => [t.id, t]));
        return { ...d, tiles: tileIds.flatMap((id, position) => (byId.has(id) ? [{ ...byId.get(id)!, position }] : [])) };
      });
      return { before };
    },
    onError: (_, { dashboardId }, context) => {
      if (context?.before) queryClient.setQueryData(dashboardQueryKey(dashboardId), context.before);
      // The order was out of date (a tile added or removed elsewhere): read it again.
      return queryClient.invalidateQueries({ queryKey: dashboardQueryKey(dashboardId) });
    },
    onSuccess: (tiles, { dashboardId }) => setDashboard(queryClient, dashboardId, (d) => ({ ...d, tiles })),
  });
}

/** The ids of the tiles with `tileId` moved one place (-1 earlier, +1 later), or null at an end. */
export function movedOrder(tiles: readonly Pick<Tile, 'id'>[], tileId: string, step: -1 | 1): string[] | null {
  const ids = tiles.map((t) => t.id);
  const from = ids.indexOf(tileId);
  const to = from + step;
  if (from < 0 || to < 0 || to >= ids.length) return null;
  [ids[from], ids[to]] = [ids[to]!, ids[from]!];
  return ids;
}

export function useCreateArtifact() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (body: CreateArtifactBody) => unwrap(api.POST('/artifacts', { body })),
    onSuccess: (artifact) => {
      queryClient.setQueryData(artifactQueryKey(artifact.id), artifact);
      return queryClient.invalidateQueries({ queryKey: artifactsQueryKey });
    },
  });
}
