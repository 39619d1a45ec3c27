/**
 * `/dashboards` (issue 12 §2): the organization's dashboards, most recently changed first, with
 * their tile counts; create one (then open it), rename in place, delete after confirming (the
 * saved reports on it stay). Empty, it explains how results get onto a dashboard.
 */
import { LayoutDashboard } from 'lucide-react';
import { type FormEvent, useEffect, useRef, useState } from 'react';
import { Link, useNavigate } from 'react-router';
import { toast } from 'sonner';
import { ErrorAlert } from '../../components/Alert';
import { Button } from '../../components/Button';
import { LoadingBlock } from '../../components/Skeleton';
import { TextField } from '../../components/TextField';
import { describeError } from '../../lib/errors';
import { DeleteDashboardDialog } from './DeleteDashboardDialog';
import { HowToPin } from './HowToPin';
import { type DashboardSummary, useCreateDashboard, useDashboards, useRenameDashboard } from './hooks';
import { RenameField } from './RenameField';
import { formatDateTime, formatRelative, tileCountText, useNow } from './time';

const ACTION = 'rounded-md px-3 py-1.5 text-sm font-medium text-slate-700 hover:bg-slate-100';

function CreateDashboardForm() {
  const [title, setTitle] = useState('');
  const [error, setError] = useState<string | null>(null);
  const create = useCreateDashboard();
  const navigate = useNavigate();

  const submit = (event: FormEvent) => {
    event.preventDefault();
    const name = title.trim();
    if (!name) {
      setError('Give the dashboard a name.');
      return;
    }
    setError(null);
    create.mutate(name, {
      onSuccess: (dashboard) => {
        setTitle('');
        toast.success(`“${dashboard.title}” was created.`);
        navigate(`/dashboards/${dashboard.id}`);
      },
    });
  };

  return (
    <form onSubmit={submit} noValidate aria-labelledby="new-dashboard-title" className="rounded-xl border border-slate-200 bg-white p-5">
      <h2 id="new-dashboard-title" className="text-lg font-semibold">
        New dashboard
      </h2>
      <div className="mt-3 flex flex-col gap-3 sm:flex-row sm:items-start">
        <TextField
          label="Name"
          name="dashboard-title"
          value={title}
          maxLength={200}
          placeholder="Weekly pipeline review"
          error={error}
          onChange={(e) => setTitle(e.target.value)}
          className="min-w-0 flex-1"
        />
        <Button type="submit" busy={create.isPending} className="sm:mt-6">
          {create.isPending ? 'Creating…' : 'Create dashboard'}
        </Button>
      </div>
      {create.error && <ErrorAlert error={create.error} className="mt-3" />}
    </form>
  );
}

function DashboardRow({ dashboard, now, onDelete }: { dashboard: DashboardSummary; now: number; onDelete: (d: DashboardSummary) => void }) {
  const [editing, setEditing] = useState(false);
  const rename = useRenameDashboard();
  const renameButton = useRef<HTMLButtonElement>(null);
  const wasEditing = useRef(false);
  useEffect(() => {
    if (wasEditing.current && !editing) renameButton.current?.focus();
    wasEditing.current = editing;
  }, [editing]);

  const save = (title: string) =>
    rename.mutate(
      { id: dashboard.id, title },
      {
        onSuccess: () => setEditing(false),
        onError: (error) => toast.error(`Couldn't rename the dashboard. ${describeError(error).title}`),
      },
    );

  return (
    <li className="flex flex-wrap items-center gap-3 rounded-xl border border-slate-200 bg-white p-4">
      <LayoutDashboard className="size-5 shrink-0 text-brand-700" aria-hidden="true" />
      {editing ? (
        <RenameField initial={dashboard.title} label={`New name for ${dashboard.title}`} busy={rename.isPending} onSave={save} onCancel={() => setEditing(false)} />
      ) : (
        <>
          <div className="min-w-0 flex-1">
            <Link to={`/dashboards/${dashboard.id}`} className="block truncate font-medium text-brand-800 hover:underline">
              {dashboard.title}
            </Link>
            <p className="text-sm text-slate-600">
              {tileCountText(dashboard.tile_count)} · Updated{' '}
              <time dateTime={dashboard.updated_at} title={formatDateTime(dashboard.updated_at)}>
                {formatRelative(dashboard.updated_at, now)}
              </time>
            </p>
          </div>
          <div className="flex shrink-0 gap-1">
            <button ref={renameButton} type="button" aria-label={`Rename ${dashboard.title}`} className={ACTION} onClick={() => setEditing(true)}>
              Rename
            </button>
            <button type="button" aria-label={`Delete ${dashboard.title}`} className={`${ACTION} text-rose-800`} onClick={() => onDelete(dashboard)}>
              Delete
            </button>
          </div>
        </>
      )}
    </li>
  );
}

export default function DashboardsPage() {
  const dashboards = useDashboards();
  const [deleting, setDeleting] = useState<DashboardSummary | null>(null);
  const now = useNow();
  const heading = useRef<HTMLHeadingElement>(null);

  return (
    <section aria-labelledby="page-title" className="mx-auto max-w-4xl space-y-6">
      <header>
        <h1 id="page-title" ref={heading} tabIndex={-1} className="text-2xl font-semibold tracking-tight">
          Dashboards
        </h1>
        <p className="mt-1 text-slate-700">Charts and tables pinned from the chat, shared with your whole team.</p>
      </header>

      <CreateDashboardForm />

      <section aria-labelledby="list-title">
        <h2 id="list-title" className="text-lg font-semibold">
          Your team’s dashboards
          {dashboards.data && dashboards.data.length > 0 && <span className="ml-2 text-sm font-normal text-slate-600">{dashboards.data.length}</span>}
        </h2>
        <div className="mt-3">
          {dashboards.isPending ? (
            <div className="rounded-xl border border-slate-200 bg-white p-5">
              <LoadingBlock label="Loading dashboards…" lines={3} />
            </div>
          ) : dashboards.isError ? (
            <ErrorAlert error={dashboards.error}>
              <Button variant="secondary" className="mt-3" onClick={() => void dashboards.refetch()}>
                Try again
              </Button>
            </ErrorAlert>
          ) : dashboards.data.length === 0 ? (
            <div className="rounded-xl border border-dashed border-slate-300 bg-white p-5">
              <p className="font-medium text-slate-900">No dashboards yet.</p>
              <p className="mt-1 text-sm text-slate-700">Create one above, then put results on it:</p>
              <HowToPin />
            </div>
          ) : (
            <ul aria-label="Dashboards" className="space-y-3">
              {dashboards.data.map((dashboard) => (
                <DashboardRow key={dashboard.id} dashboard={dashboard} now={now} onDelete={setDeleting} />
              ))}
            </ul>
          )}
        </div>
      </section>

      <DeleteDashboardDialog dashboard={deleting} onClose={() => setDeleting(null)} onDeleted={() => heading.current?.focus()} />
    </section>
  );
}
