import { PanelLeft } from 'lucide-react';
import { useCallback, useLayoutEffect, useRef } from 'react';
import { isApiError } from '../../api/client';
import { Alert, ErrorAlert } from '../../components/Alert';
import { Button } from '../../components/Button';
import { LoadingBlock } from '../../components/Skeleton';
import { useConfig } from '../auth/config';
import { CHAT_OFF_TEXT, describeChatError } from './chatErrors';
import { Composer } from './Composer';
import { ConnectionBanner } from './ConnectionBanner';
import { conversationTitle } from './conversations/hooks';
import { NEW_CONVERSATION, useDrafts } from './draftsStore';
import { Transcript } from './Transcript';
import { useChatSession } from './useChatSession';
import { Welcome } from './Welcome';

/** Keeps the newest content in view while the reader is at the bottom; leaves them be otherwise. */
function useStickToBottom(content: unknown) {
  const ref = useRef<HTMLDivElement>(null);
  const stuck = useRef(true);
  const onScroll = useCallback(() => {
    const el = ref.current;
    if (el) stuck.current = el.scrollHeight - el.scrollTop - el.clientHeight < 80;
  }, []);
  useLayoutEffect(() => {
    const el = ref.current;
    if (el && stuck.current) el.scrollTop = el.scrollHeight;
  }, [content]);
  const stick = useCallback(() => {
    stuck.current = true;
  }, []);
  return { ref, onScroll, stick };
}

export function ChatScreen({ routeId, onShowConversations }: { routeId: string | null; onShowConversations: () => void }) {
  const session = useChatSession(routeId);
  const config = useConfig();
  const setDraft = useDrafts((s) => s.setDraft);
  const chatOff = config.data?.features.chat === false;
  const { ref, onScroll, stick } = useStickToBottom(session.turns);
  const { history, turns, state } = session;
  const draftKey = state.conversationId ?? NEW_CONVERSATION;

  const composer = useRef<HTMLTextAreaElement>(null);
  const send = (text: string) => {
    stick();
    session.send(text);
  };
  const ask = (text: string) => {
    send(text);
    // The suggestion that had focus is gone: carry on in the composer.
    composer.current?.focus();
  };
  const edit = (clientMessageId: string, text: string) => {
    session.discard(clientMessageId);
    setDraft(draftKey, text);
    composer.current?.focus();
  };

  const gone = history.isError && isApiError(history.error) && history.error.status === 404;
  const title = history.data?.conversation.id === routeId && history.data ? conversationTitle(history.data.conversation) : null;
  let body;
  if (routeId && history.isPending && turns.length === 0) body = <LoadingBlock label="Loading the conversation…" lines={5} />;
  else if (routeId && history.isError && turns.length === 0) {
    body = (
      <ErrorAlert error={history.error} overrides={gone ? { not_found: "We couldn't find this conversation. It may have been deleted." } : {}}>
        {!gone && (
          <Button variant="secondary" className="mt-3" onClick={() => void history.refetch()}>
            Try again
          </Button>
        )}
      </ErrorAlert>
    );
  } else if (turns.length === 0) body = <Welcome onAsk={ask} disabled={chatOff} isPageTitle={!title} />;
  else {
    body = (
      <Transcript
        turns={turns}
        actions={{
          onRetryRun: session.retryable ? session.retryRun : undefined,
          onResend: (id, text) => {
            stick();
            session.resend(id, text);
          },
          onEdit: edit,
        }}
      />
    );
  }

  const notice = state.notice ? describeChatError(state.notice) : null;
  return (
    <div className="flex h-full min-h-0 flex-col">
      <header className="flex min-h-12 shrink-0 items-center gap-2 border-b border-slate-200 bg-white px-3 lg:px-6">
        <button
          type="button"
          onClick={onShowConversations}
          aria-haspopup="dialog"
          className="flex items-center gap-1.5 rounded-md px-2 py-1.5 text-sm font-medium text-slate-700 hover:bg-slate-100 lg:hidden"
        >
          <PanelLeft className="size-4" aria-hidden="true" />
          Show conversations
        </button>
        {title && <h1 className="min-w-0 truncate text-base font-semibold text-slate-900">{title}</h1>}
      </header>
      <ConnectionBanner />
      <div ref={ref} onScroll={onScroll} className="min-h-0 flex-1 overflow-y-auto">
        <div className="mx-auto max-w-3xl px-4 py-6 sm:px-6">{body}</div>
      </div>
      <div className="shrink-0 border-t border-slate-200 bg-slate-50 px-4 pb-3 pt-3 sm:px-6">
        <div className="mx-auto max-w-3xl space-y-2">
          {notice && (
            <Alert tone="info" title={notice.title} detail={notice.detail}>
              <Button variant="ghost" className="mt-1 -ml-3" onClick={session.dismissNotice}>
                Dismiss
              </Button>
            </Alert>
          )}
          <Composer
            draftKey={draftKey}
            running={session.running}
            disabledReason={chatOff ? CHAT_OFF_TEXT : null}
            onSend={send}
            onStop={session.stop}
            textareaRef={composer}
          />
        </div>
      </div>
    </div>
  );
}
