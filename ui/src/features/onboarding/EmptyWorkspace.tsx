import { Database, Sparkles } from 'lucide-react';
import { useEffect, useRef } from 'react';
import { Link } from 'react-router';
import { toast } from 'sonner';
import type { WorkspaceView } from '../../api/types';
import { Alert, ErrorAlert } from '../../components/Alert';
import { Button } from '../../components/Button';
import { useConfig } from '../auth/config';
import { useMe } from '../auth/hooks';
import { useLoadDemo } from './hooks';

const DEMO_ERRORS = { conflict: 'Demo data cannot be loaded now.', forbidden: 'Only administrators can load demo data.' };

function DemoProgress({ workspace }: { workspace: WorkspaceView }) {
  const job = workspace.demo;
  if (!job) return null;
  const total = Math.max(1, job.steps_total);
  const percent = Math.round((Math.min(job.steps_done, total) / total) * 100);
  return (
    <div className="mt-4">
      <div className="flex justify-between text-sm text-slate-700">
        <span>{job.step ? `Loading ${job.step}…` : 'Preparing…'}</span>
        <span>
          {job.steps_done} of {job.steps_total} steps
        </span>
      </div>
      <div
        role="progressbar"
        aria-label="Loading demo data"
        aria-valuemin={0}
        aria-valuemax={100}
        aria-valuenow={percent}
        className="mt-2 h-2 overflow-hidden rounded-full bg-slate-200"
      >
        <div className="h-full rounded-full bg-brand-600 transition-all" style={{ width: `${percent}%` }} />
      </div>
    </div>
  );
}

/** The two ways to get data into an empty organization. */
export function EmptyWorkspace({ workspace }: { workspace: WorkspaceView }) {
  const { data: me } = useMe();
  const { data: config } = useConfig();
  const load = useLoadDemo();
  const isAdmin = me?.user.role === 'admin';
  const demoAllowed = config?.features.demo_data ?? true;
  const job = workspace.demo;
  const running = job?.status === 'running';
  const wasRunning = useRef(running);

  useEffect(() => {
    if (wasRunning.current && job?.status === 'failed') toast.error('Demo data could not be loaded.');
    wasRunning.current = running;
  }, [running, job?.status]);

  return (
    <section aria-labelledby="empty-title" className="mx-auto max-w-3xl">
      <h1 id="empty-title" className="text-2xl font-semibold tracking-tight">
        Let's get some data in
      </h1>
      <p className="mt-1 text-slate-700">Revtops answers questions about your deals, accounts and activities. Pick how to start.</p>

      <div className="mt-8 grid gap-6 md:grid-cols-2">
        {demoAllowed && (
          <div className="flex flex-col rounded-xl border border-slate-200 bg-white p-6 shadow-sm">
            <Sparkles className="size-7 text-brand-600" aria-hidden="true" />
            <h2 className="mt-3 text-lg font-semibold">Try it with demo data</h2>
            <p className="mt-1 flex-1 text-sm text-slate-700">
              A realistic sample company (accounts, deals, reps and their activity) so you can ask questions right away. You can
              connect your real data later.
            </p>
            {load.error && <ErrorAlert className="mt-4" error={load.error} overrides={DEMO_ERRORS} />}
            {job?.status === 'failed' && !running && (
              <Alert className="mt-4" title="Loading demo data failed." detail={job.error} />
            )}
            {running ? (
              <DemoProgress workspace={workspace} />
            ) : isAdmin ? (
              <Button size="lg" className="mt-5" busy={load.isPending} onClick={() => load.mutate()}>
                {load.isPending ? 'Starting…' : job?.status === 'failed' ? 'Try loading demo data again' : 'Load demo data'}
              </Button>
            ) : (
              <p className="mt-5 text-sm text-slate-700">Ask an administrator of your organization to load it.</p>
            )}
          </div>
        )}
        <div className="flex flex-col rounded-xl border border-slate-200 bg-white p-6 shadow-sm">
          <Database className="size-7 text-brand-600" aria-hidden="true" />
          <h2 className="mt-3 text-lg font-semibold">Connect a data source</h2>
          <p className="mt-1 flex-1 text-sm text-slate-700">
            Bring in your CRM (HubSpot, Salesforce), Slack and calendars, kept in sync automatically.
          </p>
          <Link
            to="/sources"
            className="mt-5 inline-flex items-center justify-center rounded-md px-5 py-3 text-base font-medium text-slate-800 ring-1 ring-inset ring-slate-300 hover:bg-slate-50"
          >
            See data sources
          </Link>
        </div>
      </div>
    </section>
  );
}
