import { toast } from 'sonner';
import { ErrorAlert } from '../../components/Alert';
import { Button } from '../../components/Button';
import { Dialog } from '../../components/Dialog';
import { LoadingBlock } from '../../components/Skeleton';
import { describeError } from '../../lib/errors';
import { HowToPin } from './HowToPin';
import { type Dashboard, useAddTile, useArtifacts } from './hooks';
import { formatDateTime } from './time';
import { defaultTileSize } from './tileLayout';

/** Adds one of the organization's saved reports to this dashboard as a tile. */
export function AddTileDialog({ dashboard, open, onClose }: { dashboard: Dashboard; open: boolean; onClose: () => void }) {
  const artifacts = useArtifacts(open);
  const add = useAddTile();
  const pinned = new Set(dashboard.tiles.map((t) => t.artifact.id));

  const addOne = (artifactId: string, title: string, kind: Parameters<typeof defaultTileSize>[0]) =>
    add.mutate(
      { dashboardId: dashboard.id, body: { artifact_id: artifactId, ...defaultTileSize(kind) } },
      {
        onSuccess: () => {
          toast.success(`“${title}” was added to ${dashboard.title}.`);
          onClose();
        },
        onError: (error) => toast.error(`Couldn't add “${title}”. ${describeError(error).title}`),
      },
    );

  return (
    <Dialog open={open} onClose={onClose} label="Add a saved report" className="w-full max-w-xl bg-transparent">
      <div className="m-4 rounded-xl bg-white p-5 shadow-xl">
        <h2 className="text-lg font-semibold text-slate-900">Add a saved report</h2>
        <p className="mt-1 text-sm text-slate-700">Reports and queries saved by anyone in your organization, newest first.</p>
        <div className="mt-4 max-h-[55vh] overflow-y-auto">
          {artifacts.isPending ? (
            <LoadingBlock label="Loading saved reports…" lines={3} />
          ) : artifacts.isError ? (
            <ErrorAlert error={artifacts.error}>
              <Button variant="secondary" className="mt-3" onClick={() => void artifacts.refetch()}>
                Try again
              </Button>
            </ErrorAlert>
          ) : artifacts.data.length === 0 ? (
            <div className="text-sm text-slate-700">
              <p>Nothing is saved yet.</p>
              <HowToPin />
            </div>
          ) : (
            <ul aria-label="Saved reports" className="divide-y divide-slate-100">
              {artifacts.data.map((artifact) => (
                <li key={artifact.id} className="flex items-center gap-3 py-2">
                  <div className="min-w-0 flex-1">
                    <p className="truncate text-sm font-medium text-slate-900">{artifact.title}</p>
                    <p className="text-xs text-slate-600">
                      {artifact.is_live ? 'Live' : 'Snapshot'} · saved {formatDateTime(artifact.created_at)}
                      {pinned.has(artifact.id) && ' · already on this dashboard'}
                    </p>
                  </div>
                  <Button
                    variant="secondary"
                    aria-label={`Add ${artifact.title}`}
                    busy={add.isPending && add.variables?.body.artifact_id === artifact.id}
                    disabled={add.isPending}
                    onClick={() => addOne(artifact.id, artifact.title, artifact.chart?.kind)}
                  >
                    Add
                  </Button>
                </li>
              ))}
            </ul>
          )}
        </div>
        <div className="mt-5 flex justify-end">
          <Button variant="secondary" onClick={onClose}>
            Close
          </Button>
        </div>
      </div>
    </Dialog>
  );
}
