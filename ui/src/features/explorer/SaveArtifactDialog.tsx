/**
 * "Save as artifact": a title, live or snapshot, and optionally a dashboard to pin it to (one
 * of the organization's, or a new one). The server runs the query before saving: a refused query
 * is never saved, and the reason is shown here. When saving worked but pinning did not, the
 * artifact is not saved twice: trying again only pins.
 */
import { type FormEvent, useId, useState } from 'react';
import { useNavigate } from 'react-router';
import { toast } from 'sonner';
import type { ArtifactView } from '../../api/types';
import { Alert, ErrorAlert } from '../../components/Alert';
import { Button } from '../../components/Button';
import { Dialog } from '../../components/Dialog';
import { LoadingBlock } from '../../components/Skeleton';
import { TextField } from '../../components/TextField';
import { SelectField } from '../team/SelectField';
import { useAddTile, useCreateArtifact, useCreateDashboard, useDashboards } from './hooks';

const NEW_DASHBOARD = '__new__';

const SAVE_ERRORS = {
  query_rejected: "That query can't be saved: it doesn't run.",
  validation_failed: 'Some details need fixing.',
};
const PIN_ERRORS = {
  not_found: "We couldn't find that dashboard. It may have been deleted.",
};

export interface SaveArtifactDialogProps {
  open: boolean;
  sql: string;
  onClose: () => void;
}

export function SaveArtifactDialog({ open, sql, onClose }: SaveArtifactDialogProps) {
  return (
    <Dialog open={open} onClose={onClose} label="Save as artifact" className="w-full max-w-lg">
      <SaveForm sql={sql} onClose={onClose} />
    </Dialog>
  );
}

function SaveForm({ sql, onClose }: { sql: string; onClose: () => void }) {
  const uid = useId();
  const navigate = useNavigate();
  const [title, setTitle] = useState('');
  const [description, setDescription] = useState('');
  const [live, setLive] = useState(true);
  const [pin, setPin] = useState(false);
  const [choice, setChoice] = useState<string | null>(null);
  const [newTitle, setNewTitle] = useState('');
  const [titleError, setTitleError] = useState<string | null>(null);
  const [newTitleError, setNewTitleError] = useState<string | null>(null);
  const [saved, setSaved] = useState<ArtifactView | null>(null);
  const [createdBoard, setCreatedBoard] = useState<{ id: string; title: string } | null>(null);
  const [failure, setFailure] = useState<{ error: unknown; step: 'save' | 'pin' } | null>(null);

  const dashboards = useDashboards(pin);
  const createArtifact = useCreateArtifact();
  const createDashboard = useCreateDashboard();
  const addTile = useAddTile();
  const busy = createArtifact.isPending || createDashboard.isPending || addTile.isPending;

  const boards = dashboards.data ?? [];
  // An existing dashboard by default; "new" when there is none (or it was chosen).
  const selected = choice ?? (boards[0]?.id ?? NEW_DASHBOARD);
  const creatingBoard = pin && selected === NEW_DASHBOARD && !createdBoard;

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    if (busy) return;
    const cleanTitle = title.trim();
    const cleanNewTitle = newTitle.trim();
    setTitleError(cleanTitle ? null : 'Give it a title.');
    setNewTitleError(creatingBoard && !cleanNewTitle ? 'Name the new dashboard.' : null);
    if (!cleanTitle || (creatingBoard && !cleanNewTitle)) return;
    if (pin && dashboards.isPending) return;
    setFailure(null);

    let artifact = saved;
    if (!artifact) {
      try {
        artifact = await createArtifact.mutateAsync({
          title: cleanTitle,
          description: description.trim() || undefined,
          sql,
          is_live: live,
        });
        setSaved(artifact);
      } catch (error) {
        setFailure({ error, step: 'save' });
        return;
      }
    }

    let board: { id: string; title: string } | null = null;
    if (pin) {
      try {
        board = createdBoard;
        if (!board && selected !== NEW_DASHBOARD) {
          const existing = boards.find((b) => b.id === selected);
          board = { id: selected, title: existing?.title ?? 'the dashboard' };
        }
        if (!board) {
          const made = await createDashboard.mutateAsync(cleanNewTitle);
          board = { id: made.id, title: made.title };
          setCreatedBoard(board);
        }
        await addTile.mutateAsync({ dashboardId: board.id, artifactId: artifact.id });
      } catch (error) {
        setFailure({ error, step: 'pin' });
        return;
      }
    }

    const pinnedTo = board;
    toast.success(
      `Saved “${artifact.title}”`,
      pinnedTo
        ? {
            description: `Pinned to ${pinnedTo.title}.`,
            action: { label: 'Open dashboard', onClick: () => void navigate(`/dashboards/${pinnedTo.id}`) },
          }
        : { description: live ? 'It runs the query again each time it is opened.' : 'It keeps the rows as they are now.' },
    );
    onClose();
  };

  return (
    <form onSubmit={(event) => void submit(event)} noValidate className="m-4 rounded-xl bg-white p-5 shadow-xl">
      <h2 className="text-lg font-semibold text-slate-900">Save as artifact</h2>
      <p className="mt-1 text-sm text-slate-700">Everyone in your organization can open it. The query runs once now to check it.</p>

      <div className="mt-4 space-y-4">
        <TextField
          label="Title"
          name="artifact-title"
          value={title}
          onChange={(event) => setTitle(event.target.value)}
          maxLength={200}
          required
          autoFocus
          disabled={saved !== null}
          error={titleError}
          placeholder="Open pipeline by stage"
        />

        <div>
          <label htmlFor={`${uid}-description`} className="block text-sm font-medium text-slate-800">
            Description <span className="font-normal text-slate-600">(optional)</span>
          </label>
          <textarea
            id={`${uid}-description`}
            value={description}
            onChange={(event) => setDescription(event.target.value)}
            maxLength={2000}
            rows={2}
            disabled={saved !== null}
            className="mt-1 block w-full rounded-md border border-slate-300 bg-white px-3 py-2 text-sm text-slate-900 shadow-sm disabled:bg-slate-50"
          />
        </div>

        <fieldset disabled={saved !== null}>
          <legend className="text-sm font-medium text-slate-800">When someone opens it</legend>
          <div className="mt-1 space-y-2">
            <label className="flex items-start gap-2 text-sm text-slate-800">
              <input type="radio" name={`${uid}-mode`} checked={live} onChange={() => setLive(true)} className="mt-0.5" />
              <span>
                <span className="font-medium">Live</span>
                <span className="block text-slate-600">Runs the query again, so it shows current data.</span>
              </span>
            </label>
            <label className="flex items-start gap-2 text-sm text-slate-800">
              <input type="radio" name={`${uid}-mode`} checked={!live} onChange={() => setLive(false)} className="mt-0.5" />
              <span>
                <span className="font-medium">Snapshot</span>
                <span className="block text-slate-600">Keeps the rows as they are now.</span>
              </span>
            </label>
          </div>
        </fieldset>

        <div>
          <label className="flex items-center gap-2 text-sm font-medium text-slate-800">
            <input type="checkbox" checked={pin} onChange={(event) => setPin(event.target.checked)} disabled={createdBoard !== null} />
            Also pin it to a dashboard
          </label>
          {pin && (
            <div className="mt-3 space-y-3 border-l-2 border-slate-200 pl-3">
              {dashboards.isPending ? (
                <LoadingBlock label="Loading dashboards…" lines={1} />
              ) : dashboards.isError ? (
                <ErrorAlert error={dashboards.error}>
                  <Button variant="secondary" className="mt-3" onClick={() => void dashboards.refetch()}>
                    Try again
                  </Button>
                </ErrorAlert>
              ) : (
                <>
                  <SelectField
                    label="Dashboard"
                    value={createdBoard ? createdBoard.id : selected}
                    onChange={(event) => setChoice(event.target.value)}
                    disabled={createdBoard !== null}
                  >
                    {boards.map((board) => (
                      <option key={board.id} value={board.id}>
                        {board.title}
                      </option>
                    ))}
                    {createdBoard && !boards.some((b) => b.id === createdBoard.id) && (
                      <option value={createdBoard.id}>{createdBoard.title}</option>
                    )}
                    <option value={NEW_DASHBOARD}>New dashboard…</option>
                  </SelectField>
                  {creatingBoard && (
                    <TextField
                      label="New dashboard's name"
                      name="dashboard-title"
                      value={newTitle}
                      onChange={(event) => setNewTitle(event.target.value)}
                      maxLength={200}
                      required
                      error={newTitleError}
                      hint={boards.length === 0 ? 'Your organization has no dashboard yet: this makes the first.' : undefined}
                    />
                  )}
                </>
              )}
            </div>
          )}
        </div>
      </div>

      {saved && failure?.step === 'pin' && (
        <Alert tone="success" className="mt-4" title={`Saved “${saved.title}”.`} detail="Pinning it is what failed: try again to pin it only." />
      )}
      {failure && (
        <ErrorAlert
          error={failure.error}
          overrides={failure.step === 'save' ? SAVE_ERRORS : PIN_ERRORS}
          className="mt-3"
        />
      )}

      <div className="mt-5 flex flex-wrap justify-end gap-2">
        <Button variant="secondary" onClick={onClose}>
          {saved ? 'Close' : 'Cancel'}
        </Button>
        <Button type="submit" busy={busy}>
          {busy ? 'Saving…' : !saved ? 'Save' : pin ? 'Pin to dashboard' : 'Done'}
        </Button>
      </div>
    </form>
  );
}
