import { Database, Download, Play, Save } from 'lucide-react';
import { Suspense, lazy, useCallback, useEffect, useId, useRef, useState } from 'react';
import { useLocation, useNavigate } from 'react-router';
import { toast } from 'sonner';
import { ErrorAlert } from '../../components/Alert';
import { Button } from '../../components/Button';
import { Skeleton } from '../../components/Skeleton';
import { cx } from '../../lib/cx';
import { useMe } from '../auth/hooks';
import { useExplorerSql, useExplorerStore, sqlFromLocationState } from './explorerStore';
import { type SchemaTable, useDownloadCsv, useRunQuery, useSchema } from './hooks';
import { spacedInsert } from './insertion';
import { ResultsPanel, type ShownResult } from './ResultsPanel';
import { EditorBoundary, PlainSqlEditor } from './PlainSqlEditor';
import { SaveArtifactDialog } from './SaveArtifactDialog';
import { SchemaPanel, type SchemaPanelProps } from './SchemaPanel';
import type { SqlEditorHandle } from './SqlEditor';

// CodeMirror and the PostgreSQL dialect are most of this page's weight: their own chunk.
const SqlEditor = lazy(() => import('./SqlEditor'));

const NO_TABLES: SchemaTable[] = [];

const CSV_ERRORS = { query_rejected: "That query couldn't be downloaded: it doesn't run." };

function shortcutText(): string {
  const platform = typeof navigator === 'undefined' ? '' : `${navigator.platform ?? ''} ${navigator.userAgent ?? ''}`;
  return /Mac|iPhone|iPad/.test(platform) ? '⌘ Enter' : 'Ctrl+Enter';
}

function EditorLoading() {
  return (
    <div role="status" className="h-full p-3">
      <span className="sr-only">Loading the editor…</span>
      <Skeleton className="h-4 w-2/3" />
      <Skeleton className="mt-2 h-4 w-1/2" />
    </div>
  );
}

type Problem = { error: unknown; action: 'run' | 'csv' };

/**
 * `/explorer` (issue 12 §3): read-only SQL over the organization's data. The schema beside the
 * editor, results in a sortable grid, saving as an artifact (and pinning it), CSV export. The
 * SQL in the editor is kept in this browser; another page can hand a query over with
 * `navigate('/explorer', { state: { sql } })`, which is put in the editor and run.
 */
export default function ExplorerPage() {
  const { data: me } = useMe();
  const userId = me?.user.id ?? 'anonymous';
  const sql = useExplorerSql(userId);
  const setStoredSql = useExplorerStore((s) => s.setSql);
  const schemaOpen = useExplorerStore((s) => s.schemaOpen);
  const setSchemaOpen = useExplorerStore((s) => s.setSchemaOpen);
  const setSql = useCallback((text: string) => setStoredSql(userId, text), [setStoredSql, userId]);

  const schema = useSchema();
  const run = useRunQuery();
  const csv = useDownloadCsv();
  const [shown, setShown] = useState<ShownResult | null>(null);
  const [problem, setProblem] = useState<Problem | null>(null);
  const [saving, setSaving] = useState(false);
  const editor = useRef<SqlEditorHandle>(null);
  const runs = useRef(0);
  const uid = useId();
  const schemaId = `${uid}-schema`;
  const hintId = `${uid}-hint`;
  const shortcut = shortcutText();
  const hasSql = sql.trim() !== '';

  const execute = useCallback(
    (text: string, { evenIfRunning = false } = {}) => {
      // Only the last run's answer is shown (React Query calls back for the latest mutate only).
      if (text.trim() === '' || (run.isPending && !evenIfRunning)) return;
      setProblem(null);
      run.mutate(
        { sql: text },
        {
          onSuccess: (data) => {
            runs.current += 1;
            setShown({ id: runs.current, sql: text, data });
          },
          onError: (error) => {
            setShown(null);
            setProblem({ error, action: 'run' });
          },
        },
      );
    },
    [run],
  );

  const download = () => {
    if (!hasSql || csv.isPending) return;
    setProblem(null);
    csv.mutate(sql, {
      onSuccess: ({ fileName, truncated }) => {
        if (truncated) toast.info(`Downloaded ${fileName}`, { description: "The server's cap cut the result: the file holds the first rows only." });
        else toast.success(`Downloaded ${fileName}`);
      },
      onError: (error) => setProblem({ error, action: 'csv' }),
    });
  };

  const editorProps = {
    value: sql,
    onChange: setSql,
    onRun: () => execute(sql),
    tables: schema.data?.tables ?? NO_TABLES,
    label: 'SQL query',
    describedBy: hintId,
    placeholder: 'SELECT stage, count(*) FROM deals GROUP BY stage',
  };

  const insert = (text: string) => {
    if (editor.current) editor.current.insert(text);
    else setSql(`${sql}${spacedInsert(text, sql.slice(-1), '')}`);
  };

  // A query handed over by another page (the chat's "Open in explorer"): put it in the editor,
  // run it, and drop it from the history entry so a reload does not run it again.
  const location = useLocation();
  const navigate = useNavigate();
  const handled = useRef<string | null>(null);
  useEffect(() => {
    const incoming = sqlFromLocationState(location.state);
    if (!incoming || handled.current === location.key) return;
    handled.current = location.key;
    setSql(incoming);
    execute(incoming, { evenIfRunning: true });
    void navigate({ pathname: location.pathname, search: location.search, hash: location.hash }, { replace: true, state: null });
    // Only a new history entry brings a new query.
  }, [location.key]);

  return (
    <section aria-labelledby="page-title" className="mx-auto max-w-7xl space-y-4">
      <header className="flex flex-wrap items-end justify-between gap-3">
        <div>
          <h1 id="page-title" className="text-2xl font-semibold tracking-tight">
            SQL explorer
          </h1>
          <p className="mt-1 text-slate-700">Read-only SQL over your organization's data. Nothing you run here can change it.</p>
        </div>
        <Button
          variant="secondary"
          className="lg:hidden"
          aria-expanded={schemaOpen}
          aria-controls={schemaId}
          onClick={() => setSchemaOpen(!schemaOpen)}
        >
          <Database className="size-4" aria-hidden="true" />
          {schemaOpen ? 'Hide schema' : 'Show schema'}
        </Button>
      </header>

      <div className="grid gap-4 lg:grid-cols-[15rem_minmax(0,1fr)] xl:grid-cols-[17rem_minmax(0,1fr)]">
        <div className={cx('relative', schemaOpen ? 'block' : 'hidden', 'lg:block')}>
          <SchemaPanelSlot
            id={schemaId}
            tables={schema.data?.tables}
            isPending={schema.isPending}
            error={schema.error}
            onRetry={() => void schema.refetch()}
            onInsert={insert}
          />
        </div>

        <div className="flex min-w-0 flex-col gap-3">
          <div className="h-56 overflow-hidden rounded-xl border border-slate-300 bg-white focus-within:border-brand-600 focus-within:ring-2 focus-within:ring-brand-600/30 sm:h-72 lg:h-80">
            <EditorBoundary
              fallback={
                <div className="flex h-full flex-col">
                  <p className="border-b border-slate-200 bg-slate-50 px-3 py-1 text-xs text-slate-600">
                    The full editor could not load: highlighting and completion are off. Reload the page to try again.
                  </p>
                  <div className="min-h-0 flex-1">
                    <PlainSqlEditor ref={editor} {...editorProps} />
                  </div>
                </div>
              }
            >
              <Suspense fallback={<EditorLoading />}>
                <SqlEditor ref={editor} {...editorProps} />
              </Suspense>
            </EditorBoundary>
          </div>

          <div className="flex flex-wrap items-center gap-2">
            <Button onClick={() => execute(sql)} busy={run.isPending} disabled={!hasSql}>
              {!run.isPending && <Play className="size-4" aria-hidden="true" />}
              {run.isPending ? 'Running…' : 'Run'}
            </Button>
            <Button variant="secondary" onClick={() => setSaving(true)} disabled={!hasSql}>
              <Save className="size-4" aria-hidden="true" />
              Save as artifact
            </Button>
            <Button variant="secondary" onClick={download} busy={csv.isPending} disabled={!hasSql}>
              {!csv.isPending && <Download className="size-4" aria-hidden="true" />}
              {csv.isPending ? 'Preparing CSV…' : 'Download CSV'}
            </Button>
            <p id={hintId} className="text-xs text-slate-600 sm:ml-auto">
              Press <kbd className="rounded border border-slate-300 bg-white px-1 font-sans">{shortcut}</kbd> in the editor to run.
            </p>
          </div>

          {problem && (
            <ErrorAlert error={problem.error} overrides={problem.action === 'csv' ? CSV_ERRORS : undefined} />
          )}
        </div>
      </div>

      <ResultsPanel shown={shown} running={run.isPending} editedSinceRun={shown !== null && shown.sql !== sql} />

      <SaveArtifactDialog open={saving} sql={sql} onClose={() => setSaving(false)} />
    </section>
  );
}

/** The schema panel fills the row beside the editor on wide screens, and sits above it when narrow. */
function SchemaPanelSlot(props: Omit<SchemaPanelProps, 'className'>) {
  return <SchemaPanel {...props} className="max-h-80 lg:absolute lg:inset-0 lg:max-h-none" />;
}
