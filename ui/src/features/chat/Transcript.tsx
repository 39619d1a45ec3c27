import { AlertCircle, CheckCircle2, Loader2 } from 'lucide-react';
import { describeCode } from '../../lib/errors';
import type { AnswerTurn, ToolStep, Turn } from './reducer';

const TOOL_LABELS: Record<string, string> = {
  run_sql_query: 'Looked up data',
  search_activities: 'Searched activities',
  create_artifact: 'Saved a report',
};

function Step({ step }: { step: ToolStep }) {
  const Icon = step.status === 'running' ? Loader2 : step.status === 'ok' ? CheckCircle2 : AlertCircle;
  return (
    <li className="flex items-start gap-2 text-sm text-slate-700">
      <Icon
        className={step.status === 'running' ? 'mt-0.5 size-4 animate-spin' : step.status === 'ok' ? 'mt-0.5 size-4 text-emerald-700' : 'mt-0.5 size-4 text-rose-700'}
        aria-hidden="true"
      />
      <span>
        <span className="font-medium">{TOOL_LABELS[step.name] ?? step.name}</span>
        {step.summary && <span>: {step.summary}</span>}
        <span className="sr-only">{step.status === 'running' ? ' (running)' : step.status === 'error' ? ' (failed)' : ''}</span>
      </span>
    </li>
  );
}

function Answer({ turn }: { turn: AnswerTurn }) {
  const error = turn.error ? describeCode(turn.error.code, turn.error.message) : null;
  return (
    <div className="rounded-xl border border-slate-200 bg-white p-4">
      {turn.steps.length > 0 && <ul className="mb-3 space-y-1">{turn.steps.map((s) => <Step key={s.id} step={s} />)}</ul>}
      {turn.text && <div className="whitespace-pre-wrap text-sm leading-6 text-slate-900">{turn.text}</div>}
      {turn.stopReason === 'cancelled' && <p className="mt-2 text-xs text-slate-600">Stopped.</p>}
      {error && (
        <p className="mt-2 text-sm text-rose-800">
          {error.title} {error.detail}
        </p>
      )}
    </div>
  );
}

/** A plain read-out of the conversation; the full chat screen (Markdown, tables, charts) replaces it. */
export function Transcript({ turns }: { turns: Turn[] }) {
  return (
    <ol className="space-y-4" aria-label="Conversation">
      {turns.map((turn) => (
        <li key={turn.key} className={turn.kind === 'question' ? 'flex justify-end' : ''}>
          {turn.kind === 'question' ? (
            <p className="max-w-[85%] whitespace-pre-wrap rounded-xl bg-brand-600 px-4 py-2 text-sm text-white">{turn.text}</p>
          ) : (
            <Answer turn={turn} />
          )}
        </li>
      ))}
    </ol>
  );
}
