import { ArrowUp, Square } from 'lucide-react';
import { type FormEvent, type KeyboardEvent, type RefObject, useId, useLayoutEffect } from 'react';
import { MAX_MESSAGE_CHARS } from '../../api/protocol';
import { Button } from '../../components/Button';
import { formatCount } from './steps/formatValue';
import { useDraft, useDrafts } from './draftsStore';

export interface ComposerProps {
  /** The drafts store key: the conversation id, or NEW_CONVERSATION. */
  draftKey: string;
  running: boolean;
  /** Why nothing can be sent (chat not configured); the box is disabled and says it. */
  disabledReason?: string | null;
  onSend: (text: string) => void;
  onStop: () => void;
  /** The text box, so the screen can move focus back to it (after a suggestion was asked). */
  textareaRef: RefObject<HTMLTextAreaElement | null>;
}

const MAX_HEIGHT = 240;

/** Enter sends, Shift+Enter is a new line, Esc (or Stop) cancels a streaming answer. */
export function Composer({ draftKey, running, disabledReason, onSend, onStop, textareaRef: ref }: ComposerProps) {
  const draft = useDraft(draftKey);
  const setDraft = useDrafts((s) => s.setDraft);
  const clearDraft = useDrafts((s) => s.clearDraft);
  const id = useId();
  const text = draft.trim();
  const tooLong = draft.length > MAX_MESSAGE_CHARS;
  const canSend = !disabledReason && !running && text.length > 0 && !tooLong;

  useLayoutEffect(() => {
    const el = ref.current;
    if (!el) return;
    el.style.height = 'auto';
    el.style.height = `${Math.min(el.scrollHeight, MAX_HEIGHT)}px`;
  }, [draft, ref]);

  const submit = () => {
    if (!canSend) return;
    onSend(text);
    clearDraft(draftKey);
  };

  const onKeyDown = (event: KeyboardEvent<HTMLTextAreaElement>) => {
    if (event.key === 'Enter' && !event.shiftKey && !event.nativeEvent.isComposing) {
      event.preventDefault();
      submit();
    } else if (event.key === 'Escape' && running) {
      event.preventDefault();
      onStop();
    }
  };

  const onSubmit = (event: FormEvent) => {
    event.preventDefault();
    submit();
  };

  const hint = disabledReason ?? (tooLong ? `That is too long: at most ${formatCount(MAX_MESSAGE_CHARS)} characters.` : null);
  return (
    <form onSubmit={onSubmit} className="flex flex-col gap-1">
      <label htmlFor={id} className="sr-only">
        Ask a question
      </label>
      <div className="flex items-end gap-2 rounded-xl border border-slate-300 bg-white p-2 shadow-sm focus-within:border-brand-500">
        <textarea
          ref={ref}
          id={id}
          rows={1}
          value={draft}
          disabled={Boolean(disabledReason)}
          onChange={(e) => setDraft(draftKey, e.target.value)}
          onKeyDown={onKeyDown}
          aria-describedby={`${id}-hint`}
          aria-invalid={tooLong || undefined}
          placeholder="Ask about your pipeline, deals or accounts…"
          className="max-h-60 min-h-9 flex-1 resize-none bg-transparent px-2 py-1.5 text-sm text-slate-900 outline-none placeholder:text-slate-500 disabled:cursor-not-allowed"
        />
        {running ? (
          <Button variant="secondary" onClick={onStop}>
            <Square className="size-3.5 fill-current" aria-hidden="true" />
            Stop
          </Button>
        ) : (
          <Button type="submit" disabled={!canSend}>
            <ArrowUp className="size-4" aria-hidden="true" />
            Send
          </Button>
        )}
      </div>
      <p id={`${id}-hint`} className={hint ? 'text-xs text-rose-800' : 'hidden text-xs text-slate-600 sm:block'}>
        {hint ?? (running ? 'Esc stops the answer.' : 'Enter sends, Shift+Enter starts a new line.')}
      </p>
    </form>
  );
}
