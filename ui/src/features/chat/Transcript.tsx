import { AlertCircle, RotateCcw } from 'lucide-react';
import { Button } from '../../components/Button';
import { AnswerView } from './AnswerView';
import { describeChatError } from './chatErrors';
import type { QuestionTurn, Turn } from './reducer';

export interface TranscriptActions {
  /** The last run failed with a retryable error: ask the server to run it again. */
  onRetryRun?: () => void;
  /** Send a refused question again (a new client_message_id). */
  onResend: (clientMessageId: string, text: string) => void;
  /** Take a refused question back into the composer. */
  onEdit: (clientMessageId: string, text: string) => void;
}

function Question({ turn, actions }: { turn: QuestionTurn; actions: TranscriptActions }) {
  const error = turn.status === 'failed' && turn.error ? describeChatError(turn.error) : null;
  const id = turn.clientMessageId;
  return (
    <div className="flex flex-col items-end gap-1">
      <p className="max-w-[85%] whitespace-pre-wrap break-words rounded-2xl rounded-br-sm bg-brand-600 px-4 py-2 text-sm text-white">{turn.text}</p>
      {turn.status === 'sending' && <p className="appear-late text-xs text-slate-600">Sending…</p>}
      {error && id && (
        <div role="alert" className="flex max-w-[85%] gap-2 rounded-md border border-rose-200 bg-rose-50 p-3 text-sm text-rose-900">
          <AlertCircle className="mt-0.5 size-4 shrink-0" aria-hidden="true" />
          <div className="min-w-0">
            <p className="font-medium">Not sent. {error.title}</p>
            {error.detail && <p className="mt-0.5">{error.detail}</p>}
            <div className="mt-2 flex flex-wrap gap-2">
              {turn.error?.retryable && (
                <Button variant="secondary" onClick={() => actions.onResend(id, turn.text)}>
                  <RotateCcw className="size-4" aria-hidden="true" />
                  Retry
                </Button>
              )}
              <Button variant="ghost" onClick={() => actions.onEdit(id, turn.text)}>
                Edit question
              </Button>
            </div>
          </div>
        </div>
      )}
    </div>
  );
}

/** The conversation, oldest first: questions on the right, answers full width. */
export function Transcript({ turns, actions }: { turns: Turn[]; actions: TranscriptActions }) {
  let lastAnswer = turns.length - 1;
  while (lastAnswer >= 0 && turns[lastAnswer]!.kind !== 'answer') lastAnswer -= 1;
  return (
    <ol className="space-y-6" aria-label="Conversation">
      {turns.map((turn, index) => (
        <li key={turn.key}>
          {turn.kind === 'question' ? (
            <Question turn={turn} actions={actions} />
          ) : (
            <AnswerView turn={turn} onRetry={index === lastAnswer && turn.error?.retryable ? actions.onRetryRun : undefined} />
          )}
        </li>
      ))}
    </ol>
  );
}
