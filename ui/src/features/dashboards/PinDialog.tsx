/**
 * "Pin to dashboard", opened from the chat (a query step, or a report the assistant saved) and
 * loaded only then: its own chunk, so the chat route stays within its budget.
 *
 * A query step is first saved as an artifact (`POST /api/artifacts`: the server runs the SQL
 * again, and refuses it if the engine does), then pinned as a tile of a chosen dashboard or of a
 * new one made here. If a later step fails, what was already made is kept and reused on the next
 * try, so nothing is saved twice.
 */
import { type FormEvent, useId, useState } from 'react';
import { useNavigate, useParams } from 'react-router';
import { toast } from 'sonner';
import type { ChartKind, ChartSpec } from '../../api/protocol';
import { Alert, ErrorAlert } from '../../components/Alert';
import { Button } from '../../components/Button';
import { Dialog } from '../../components/Dialog';
import { LoadingBlock } from '../../components/Skeleton';
import { TextField } from '../../components/TextField';
import type { ChartSpecInput } from './chartSwitch';
import { type Artifact, type DashboardSummary, useAddTile, useCreateArtifact, useCreateDashboard, useDashboards } from './hooks';
import { tileCountText } from './time';
import { defaultTileSize } from './tileLayout';

export type PinSource =
  /** A query step of the chat: its SQL, its chart if it had one, the table it reads. */
  | { kind: 'query'; sql: string; chart: ChartSpec | null; subject: string | null }
  /** An artifact that already exists. */
  | { kind: 'artifact'; artifactId: string; title: string; chartKind: ChartKind | null };

export interface PinDialogProps {
  open: boolean;
  onClose: () => void;
  source: PinSource;
}

const NEW = 'new';

const PIN_ERRORS = {
  query_rejected: 'The query could not run again, so it was not saved.',
  validation_failed: 'This cannot be saved as it is.',
  not_found: "We couldn't find that dashboard or report. It may have been deleted.",
};

/** "won_amount" → "Won amount" (as the chat's charts say it; not imported, to keep the chat's chunks whole). */
const humanize = (column: string) => {
  const words = column.replace(/[_-]+/g, ' ').trim();
  return words ? words.charAt(0).toUpperCase() + words.slice(1) : column;
};

/** A name for a saved query: the chart's title, what it plots, or the table it reads. */
export function suggestTitle(source: PinSource): string {
  if (source.kind === 'artifact') return source.title;
  const chart = source.chart;
  if (chart?.title) return chart.title;
  if (chart && chart.y.length > 0) {
    const y = chart.y.map(humanize).join(', ');
    return chart.x && chart.kind !== 'number' ? `${y} by ${humanize(chart.x).toLowerCase()}` : y;
  }
  return source.subject ? humanize(source.subject) : 'Saved query';
}

/** The step's chart as a request gives it (absent fields rather than nulls). */
export function chartInput(chart: ChartSpec): ChartSpecInput {
  const input: ChartSpecInput = { kind: chart.kind, y: chart.y, stacked: chart.stacked };
  if (chart.x) input.x = chart.x;
  if (chart.series) input.series = chart.series;
  if (chart.format) input.format = chart.format;
  if (chart.title) input.title = chart.title;
  return input;
}

function DashboardChoice({
  dashboards,
  target,
  onTarget,
  newTitle,
  onNewTitle,
  newTitleError,
}: {
  dashboards: DashboardSummary[];
  target: string;
  onTarget: (id: string) => void;
  newTitle: string;
  onNewTitle: (title: string) => void;
  newTitleError: string | null;
}) {
  const name = useId();
  const option = 'flex items-center gap-2 rounded-md px-2 py-1.5 text-sm text-slate-800 hover:bg-slate-50';
  return (
    <fieldset className="mt-4">
      <legend className="text-sm font-medium text-slate-800">Dashboard</legend>
      <div className="mt-1 max-h-52 space-y-0.5 overflow-y-auto">
        {dashboards.map((d) => (
          <label key={d.id} className={option}>
            <input type="radio" name={name} value={d.id} checked={target === d.id} onChange={() => onTarget(d.id)} className="accent-brand-600" />
            <span className="min-w-0 flex-1 truncate">{d.title}</span>
            <span className="shrink-0 text-xs text-slate-600">{tileCountText(d.tile_count)}</span>
          </label>
        ))}
        <label className={option}>
          <input type="radio" name={name} value={NEW} checked={target === NEW} onChange={() => onTarget(NEW)} className="accent-brand-600" />
          <span>A new dashboard</span>
        </label>
      </div>
      {target === NEW && (
        <TextField
          label="Name of the new dashboard"
          value={newTitle}
          maxLength={200}
          placeholder="Weekly pipeline review"
          error={newTitleError}
          onChange={(e) => onNewTitle(e.target.value)}
          className="mt-2"
        />
      )}
    </fieldset>
  );
}

function PinForm({
  source,
  saved,
  onSaved,
  onClose,
}: {
  source: PinSource;
  saved: Artifact | null;
  onSaved: (artifact: Artifact) => void;
  onClose: () => void;
}) {
  const dashboards = useDashboards();
  const createArtifact = useCreateArtifact();
  const createDashboard = useCreateDashboard();
  const addTile = useAddTile();
  const navigate = useNavigate();
  const { conversationId } = useParams();
  const [title, setTitle] = useState(() => suggestTitle(source));
  const [live, setLive] = useState(true);
  const [choice, setChoice] = useState<string | null>(null);
  const [newTitle, setNewTitle] = useState('');
  const [madeDashboard, setMadeDashboard] = useState<{ id: string; title: string } | null>(null);
  const [problems, setProblems] = useState<{ title?: string; newTitle?: string }>({});
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const liveId = useId();

  const list = dashboards.data ?? [];
  // The most recently changed dashboard, or a new one when there is none.
  const target = choice ?? list[0]?.id ?? NEW;
  const isQuery = source.kind === 'query';

  const pin = async (event: FormEvent) => {
    event.preventDefault();
    const name = title.trim();
    const boardName = newTitle.trim();
    const found = {
      ...(isQuery && !saved && !name ? { title: 'Give it a name.' } : {}),
      ...(target === NEW && !madeDashboard && !boardName ? { newTitle: 'Give the new dashboard a name.' } : {}),
    };
    setProblems(found);
    if (Object.keys(found).length > 0) return;
    setError(null);
    setBusy(true);
    try {
      let artifactId: string;
      let kind: ChartKind | null;
      if (source.kind === 'artifact') {
        artifactId = source.artifactId;
        kind = source.chartKind;
      } else {
        const artifact =
          saved ??
          (await createArtifact.mutateAsync({
            title: name,
            sql: source.sql,
            is_live: live,
            ...(source.chart ? { chart: chartInput(source.chart) } : {}),
            ...(conversationId ? { conversation_id: conversationId } : {}),
          }));
        onSaved(artifact);
        artifactId = artifact.id;
        kind = artifact.chart?.kind ?? null;
      }
      let board: { id: string; title: string };
      if (target === NEW) {
        board = madeDashboard ?? (await createDashboard.mutateAsync(boardName));
        setMadeDashboard(board);
      } else {
        board = list.find((d) => d.id === target)!;
      }
      await addTile.mutateAsync({ dashboardId: board.id, body: { artifact_id: artifactId, ...defaultTileSize(kind) } });
      toast.success(`Pinned to “${board.title}”.`, {
        action: { label: 'Open dashboard', onClick: () => navigate(`/dashboards/${board.id}`) },
      });
      onClose();
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  };

  return (
    <form onSubmit={(e) => void pin(e)} noValidate className="m-4 rounded-xl bg-white p-5 shadow-xl">
      <h2 className="text-lg font-semibold text-slate-900">Pin to dashboard</h2>
      {isQuery ? (
        saved ? (
          <p className="mt-2 text-sm text-slate-700">
            The query is saved as “{saved.title}”. Choose where to pin it.
          </p>
        ) : (
          <>
            <p className="mt-1 text-sm text-slate-700">The query is saved for your whole team, then shown as a tile.</p>
            <TextField
              label="Name"
              value={title}
              maxLength={200}
              required
              error={problems.title ?? null}
              onChange={(e) => setTitle(e.target.value)}
              className="mt-4"
            />
            <div className="mt-3 flex items-start gap-2">
              <input
                id={liveId}
                type="checkbox"
                checked={live}
                onChange={(e) => setLive(e.target.checked)}
                aria-describedby={`${liveId}-hint`}
                className="mt-0.5 size-4 accent-brand-600"
              />
              <div>
                <label htmlFor={liveId} className="text-sm font-medium text-slate-800">
                  Keep it live
                </label>
                <p id={`${liveId}-hint`} className="text-xs text-slate-600">
                  {live
                    ? 'The query runs again each time the dashboard opens.'
                    : 'The dashboard shows the rows as they are now, and never changes.'}
                </p>
              </div>
            </div>
          </>
        )
      ) : (
        <p className="mt-1 text-sm text-slate-700">Show “{source.title}” as a tile on a dashboard.</p>
      )}

      {dashboards.isPending ? (
        <div className="mt-4">
          <LoadingBlock label="Loading dashboards…" lines={2} />
        </div>
      ) : dashboards.isError ? (
        <ErrorAlert error={dashboards.error} className="mt-4">
          <Button variant="secondary" className="mt-2" onClick={() => void dashboards.refetch()}>
            Try again
          </Button>
        </ErrorAlert>
      ) : (
        <DashboardChoice
          dashboards={list}
          target={madeDashboard && target === NEW ? NEW : target}
          onTarget={setChoice}
          newTitle={madeDashboard?.title ?? newTitle}
          onNewTitle={setNewTitle}
          newTitleError={problems.newTitle ?? null}
        />
      )}

      {Boolean(error) && <ErrorAlert error={error} overrides={PIN_ERRORS} className="mt-4" />}
      {Boolean(error) && saved && isQuery && (
        <Alert tone="info" className="mt-2" title={`“${saved.title}” is saved.`} detail="Pinning again uses it; nothing is saved twice." />
      )}

      <div className="mt-5 flex flex-wrap justify-end gap-2">
        <Button variant="secondary" onClick={onClose}>
          Cancel
        </Button>
        <Button type="submit" busy={busy} disabled={dashboards.isPending || dashboards.isError}>
          {busy ? 'Pinning…' : 'Pin'}
        </Button>
      </div>
    </form>
  );
}

export default function PinDialog({ open, onClose, source }: PinDialogProps) {
  // Kept while the chat shows the step: reopening after a failure reuses what was saved.
  const [saved, setSaved] = useState<Artifact | null>(null);
  return (
    <Dialog open={open} onClose={onClose} label="Pin to dashboard" className="w-full max-w-lg bg-transparent">
      <PinForm source={source} saved={saved} onSaved={setSaved} onClose={onClose} />
    </Dialog>
  );
}
