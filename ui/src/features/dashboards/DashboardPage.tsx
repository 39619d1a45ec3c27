/**
 * `/dashboards/:dashboardId` (issue 12 §2): the tiles of one dashboard in a 12-column grid (each
 * as wide and tall as it was set; on narrow screens every tile takes the full width). Live tiles
 * re-run their SQL when the page opens and on Refresh; snapshots say when they were saved. Each
 * tile switches its chart type, resizes, moves, exports CSV or goes; the dashboard is renamed
 * in place or deleted.
 */
import { useIsFetching, useMutationState, useQueryClient } from '@tanstack/react-query';
import { ArrowLeft, CirclePlus, PenLine, RefreshCw } from 'lucide-react';
import { useEffect, useMemo, useRef, useState } from 'react';
import { Link, useNavigate, useParams } from 'react-router';
import { toast } from 'sonner';
import { isApiError } from '../../api/client';
import { Alert, ErrorAlert } from '../../components/Alert';
import { Button } from '../../components/Button';
import { Skeleton } from '../../components/Skeleton';
import { describeError } from '../../lib/errors';
import { ConfirmDialog } from '../sources/ConfirmDialog';
import { AddTileDialog } from './AddTileDialog';
import { DashboardTile, type TileActions } from './DashboardTile';
import { DeleteDashboardDialog } from './DeleteDashboardDialog';
import {
  type Dashboard,
  type Tile,
  type UpdateTileBody,
  movedOrder,
  updateTileMutationKey,
  useDashboard,
  useRemoveTile,
  useRenameDashboard,
  useReorderTiles,
  useUpdateTile,
} from './hooks';
import { HowToPin } from './HowToPin';
import { tileDataQueryKey } from './tileData';
import { RenameField } from './RenameField';
import { formatDateTime, formatRelative, tileCountText, useNow } from './time';

function failed(action: string, error: unknown) {
  const { title, detail } = describeError(error);
  toast.error(`${action} ${title}`, { description: detail ?? undefined });
}

function Title({ dashboard }: { dashboard: Dashboard }) {
  const [editing, setEditing] = useState(false);
  const rename = useRenameDashboard();
  const button = useRef<HTMLButtonElement>(null);
  const wasEditing = useRef(false);
  useEffect(() => {
    if (wasEditing.current && !editing) button.current?.focus();
    wasEditing.current = editing;
  }, [editing]);

  if (editing) {
    return (
      <div className="flex min-w-0 flex-1">
        {/* The page keeps its name for screen readers while it is being changed. */}
        <h1 id="page-title" className="sr-only">
          {dashboard.title}
        </h1>
        <RenameField
          large
          initial={dashboard.title}
          label="Dashboard name"
          busy={rename.isPending}
          onCancel={() => setEditing(false)}
          onSave={(title) =>
            rename.mutate(
              { id: dashboard.id, title },
              { onSuccess: () => setEditing(false), onError: (error) => failed("Couldn't rename the dashboard.", error) },
            )
          }
        />
      </div>
    );
  }
  return (
    <div className="flex min-w-0 flex-1 items-center gap-1">
      <h1 id="page-title" className="truncate text-2xl font-semibold tracking-tight" title={dashboard.title}>
        {dashboard.title}
      </h1>
      <button
        ref={button}
        type="button"
        aria-label="Rename dashboard"
        title="Rename"
        onClick={() => setEditing(true)}
        className="shrink-0 rounded-md p-1.5 text-slate-600 hover:bg-slate-100 hover:text-slate-900"
      >
        <PenLine className="size-4" aria-hidden="true" />
      </button>
    </div>
  );
}

function Tiles({ dashboard, now }: { dashboard: Dashboard; now: number }) {
  const update = useUpdateTile();
  const reorder = useReorderTiles();
  const [removing, setRemoving] = useState<Tile | null>(null);
  const removeTile = useRemoveTile();
  const { reset } = removeTile;
  useEffect(() => reset(), [removing, reset]);
  const [announcement, setAnnouncement] = useState('');
  const updating = useMutationState({
    filters: { mutationKey: updateTileMutationKey, status: 'pending' },
    select: (m) => (m.state.variables as { tileId?: string } | undefined)?.tileId,
  });
  const tiles = dashboard.tiles;

  const actions: TileActions = {
    update: (tile: Tile, body: UpdateTileBody, done?: string) =>
      update.mutate(
        { dashboardId: dashboard.id, tileId: tile.id, body },
        {
          onSuccess: () => {
            if (done) toast.success(done);
            else setAnnouncement(`${tile.artifact.title}: resized.`);
          },
          onError: (error) => failed(`Couldn't change “${tile.artifact.title}”.`, error),
        },
      ),
    move: (tile: Tile, step: -1 | 1) => {
      const tileIds = movedOrder(tiles, tile.id, step);
      if (!tileIds) return;
      setAnnouncement(`${tile.artifact.title} moved to position ${tileIds.indexOf(tile.id) + 1} of ${tileIds.length}.`);
      reorder.mutate({ dashboardId: dashboard.id, tileIds }, { onError: (error) => failed("Couldn't move the tile.", error) });
    },
    remove: setRemoving,
  };

  const confirmRemove = () => {
    if (!removing) return;
    const title = removing.artifact.title;
    removeTile.mutate(
      { dashboardId: dashboard.id, tileId: removing.id },
      {
        onSuccess: () => {
          setRemoving(null);
          toast.success(`“${title}” was removed from ${dashboard.title}.`);
          setTimeout(() => document.getElementById('page-title')?.closest('section')?.focus(), 0);
        },
      },
    );
  };

  return (
    <>
      <p role="status" className="sr-only">
        {announcement}
      </p>
      <div className="@container">
        <ol aria-label={`Tiles of ${dashboard.title}`} className="grid auto-rows-[10rem] grid-cols-12 gap-4">
          {tiles.map((tile, index) => (
            <DashboardTile
              key={tile.id}
              tile={tile}
              index={index}
              count={tiles.length}
              now={now}
              busy={updating.includes(tile.id)}
              actions={actions}
            />
          ))}
        </ol>
      </div>
      <ConfirmDialog
        open={removing !== null}
        label={`Remove ${removing?.artifact.title ?? 'tile'}`}
        title={`Remove “${removing?.artifact.title ?? ''}” from this dashboard?`}
        confirmText="Remove tile"
        busyText="Removing…"
        busy={removeTile.isPending}
        error={removeTile.error}
        onConfirm={confirmRemove}
        onClose={() => setRemoving(null)}
      >
        <p>Only the tile goes. The saved report stays, and so do its tiles on other dashboards.</p>
      </ConfirmDialog>
    </>
  );
}

function Loading() {
  return (
    <div role="status" className="space-y-6">
      <span className="sr-only">Loading the dashboard…</span>
      <Skeleton className="h-8 w-64" />
      <div className="grid grid-cols-1 gap-4 md:grid-cols-2" aria-hidden="true">
        <Skeleton className="h-64" />
        <Skeleton className="h-64" />
      </div>
    </div>
  );
}

export default function DashboardPage() {
  const { dashboardId = '' } = useParams();
  const dashboard = useDashboard(dashboardId);
  const queryClient = useQueryClient();
  const navigate = useNavigate();
  const now = useNow();
  const [deleting, setDeleting] = useState(false);
  const [adding, setAdding] = useState(false);
  const data = dashboard.data;
  const liveIds = useMemo(() => [...new Set(data?.tiles.filter((t) => t.artifact.is_live).map((t) => t.artifact.id) ?? [])], [data]);
  const refreshing = useIsFetching({ predicate: (q) => q.queryKey[2] === 'read' && liveIds.includes(String(q.queryKey[1])) }) > 0;

  const refreshAll = async () => {
    await Promise.all(liveIds.map((id) => queryClient.refetchQueries({ queryKey: tileDataQueryKey(id), exact: true })));
  };

  let body;
  if (dashboard.isPending) body = <Loading />;
  else if (dashboard.isError) {
    const missing = isApiError(dashboard.error) && dashboard.error.status === 404;
    body = missing ? (
      <Alert tone="info" title="We couldn't find this dashboard." detail="It may have been deleted, or it belongs to another organization.">
        <Link to="/dashboards" className="mt-2 inline-block font-medium underline">
          See all dashboards
        </Link>
      </Alert>
    ) : (
      <ErrorAlert error={dashboard.error}>
        <Button variant="secondary" className="mt-3" onClick={() => void dashboard.refetch()}>
          Try again
        </Button>
      </ErrorAlert>
    );
  } else {
    const d = dashboard.data;
    body = (
      <>
        <header className="flex flex-wrap items-start gap-x-4 gap-y-3">
          <div className="min-w-0 flex-1 basis-72">
            <Title dashboard={d} />
            <p className="mt-1 text-sm text-slate-600">
              {tileCountText(d.tiles.length)} · Updated{' '}
              <time dateTime={d.updated_at} title={formatDateTime(d.updated_at)}>
                {formatRelative(d.updated_at, now)}
              </time>
            </p>
          </div>
          <div className="flex flex-wrap gap-2">
            {liveIds.length > 0 && (
              <Button variant="secondary" busy={refreshing} onClick={() => void refreshAll()}>
                {!refreshing && <RefreshCw className="size-4" aria-hidden="true" />}
                {refreshing ? 'Refreshing…' : 'Refresh all'}
              </Button>
            )}
            <Button variant="secondary" onClick={() => setAdding(true)}>
              <CirclePlus className="size-4" aria-hidden="true" />
              Add a saved report
            </Button>
            <Button variant="ghost" className="text-rose-800" onClick={() => setDeleting(true)}>
              Delete dashboard
            </Button>
          </div>
        </header>
        {d.tiles.length === 0 ? (
          <div className="rounded-xl border border-dashed border-slate-300 bg-white p-5">
            <p className="font-medium text-slate-900">This dashboard has no tiles yet.</p>
            <p className="mt-1 text-sm text-slate-700">
              Add a saved report with the button above, or pin a result where you find it:
            </p>
            <HowToPin />
          </div>
        ) : (
          <Tiles dashboard={d} now={now} />
        )}
        <AddTileDialog dashboard={d} open={adding} onClose={() => setAdding(false)} />
        <DeleteDashboardDialog
          dashboard={deleting ? d : null}
          onClose={() => setDeleting(false)}
          onDeleted={() => navigate('/dashboards', { replace: true })}
        />
      </>
    );
  }

  return (
    <section aria-labelledby={dashboard.data ? 'page-title' : undefined} aria-label={dashboard.data ? undefined : 'Dashboard'} tabIndex={-1} className="mx-auto max-w-7xl space-y-6 focus:outline-none">
      <Link to="/dashboards" className="inline-flex items-center gap-1 text-sm font-medium text-brand-700 hover:underline">
        <ArrowLeft className="size-4" aria-hidden="true" />
        All dashboards
      </Link>
      {body}
    </section>
  );
}
