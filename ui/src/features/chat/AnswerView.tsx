import { AlertCircle, Loader2, RotateCcw } from 'lucide-react';
import { useEffect, useState } from 'react';
import { Button } from '../../components/Button';
import { ArtifactCard } from './artifacts/ArtifactCard';
import { describeChatError } from './chatErrors';
import { AnswerMarkdown } from './Markdown';
import type { AnswerTurn } from './reducer';
import { ToolStepView } from './steps/ToolStepView';

function Working({ queued }: { queued: boolean }) {
  return (
    <p className="flex items-center gap-2 text-sm text-slate-600">
      <Loader2 className="size-4 animate-spin" aria-hidden="true" />
      {queued ? 'Many questions are being answered right now. Yours is next in line…' : 'Working on it…'}
    </p>
  );
}

/**
 * One answer, in the order it happened: what the model said while it worked (notes) and its tool
 * steps (with charts), then the answer itself (the text after the last step), saved artifacts,
 * and how it ended. `onRetry` is set on the last answer when its run failed and the server said
 * it can be retried.
 */
export function AnswerView({ turn, onRetry }: { turn: AnswerTurn; onRetry?: () => void }) {
  const error = turn.error ? describeChatError(turn.error) : null;
  // One click, one retry: the button waits a while for the new run to replace this answer.
  const [retrying, setRetrying] = useState(false);
  useEffect(() => {
    if (!retrying) return;
    const timer = setTimeout(() => setRetrying(false), 10_000);
    return () => clearTimeout(timer);
  }, [retrying]);
  const nothingYet = turn.streaming && !turn.text && turn.steps.length === 0;
  const lastStep = turn.parts.map((p) => p.kind).lastIndexOf('tool');
  const working = turn.parts.slice(0, lastStep + 1);
  const answer = turn.parts
    .slice(lastStep + 1)
    .flatMap((p) => (p.kind === 'text' ? [p.text] : []))
    .join('\n\n');
  return (
    <article
      data-testid="answer"
      data-streaming={turn.streaming ? 'true' : 'false'}
      aria-busy={turn.streaming}
      aria-label="Answer"
      className="space-y-3"
    >
      {working.length > 0 && (
        <div className="space-y-2">
          {working.map((part, i) =>
            part.kind === 'tool' ? (
              <ToolStepView key={part.step.id} step={part.step} />
            ) : (
              <div key={`note-${i}`} data-testid="answer-note" className="text-sm text-slate-600">
                <AnswerMarkdown text={part.text} />
              </div>
            ),
          )}
        </div>
      )}
      {(nothingYet || turn.queued) && <Working queued={turn.queued} />}
      <div data-testid="answer-text">{answer && <AnswerMarkdown text={answer} />}</div>
      {turn.artifacts.map((artifact) => (
        <ArtifactCard key={artifact.id} artifact={artifact} />
      ))}
      {turn.stopReason === 'cancelled' && !turn.error && <p className="text-xs text-slate-600">Stopped before the answer was finished.</p>}
      {error && (
        <div role="alert" className="flex gap-2 rounded-md border border-rose-200 bg-rose-50 p-3 text-sm text-rose-900">
          <AlertCircle className="mt-0.5 size-4 shrink-0" aria-hidden="true" />
          <div className="min-w-0">
            <p className="font-medium">{error.title}</p>
            {error.detail && <p className="mt-0.5">{error.detail}</p>}
            {onRetry && (
              <Button
                variant="secondary"
                className="mt-2"
                busy={retrying}
                onClick={() => {
                  setRetrying(true);
                  onRetry();
                }}
              >
                <RotateCcw className="size-4" aria-hidden="true" />
                Retry
              </Button>
            )}
          </div>
        </div>
      )}
    </article>
  );
}
