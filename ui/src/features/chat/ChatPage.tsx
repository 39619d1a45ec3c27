import { MessageSquare } from 'lucide-react';
import { useEffect, useMemo, useRef } from 'react';
import { useParams } from 'react-router';
import { toast } from 'sonner';
import { isApiError } from '../../api/client';
import { ErrorAlert } from '../../components/Alert';
import { Button } from '../../components/Button';
import { LoadingBlock } from '../../components/Skeleton';
import { EmptyWorkspace } from '../onboarding/EmptyWorkspace';
import { isEmptyWorkspace, useWorkspace } from '../onboarding/hooks';
import { NEW_CONVERSATION, useDraft, useDrafts } from './draftsStore';
import { useConversation } from './hooks';
import { chatReducer, initialChatState, selectTurns } from './reducer';
import { SUGGESTIONS } from './suggestions';
import { Transcript } from './Transcript';

function DraftBox({ conversationKey }: { conversationKey: string }) {
  const draft = useDraft(conversationKey);
  const setDraft = useDrafts((s) => s.setDraft);
  return (
    <div className="mt-8">
      <label htmlFor="chat-draft" className="block text-sm font-medium text-slate-800">
        Your question
      </label>
      <textarea
        id="chat-draft"
        rows={3}
        value={draft}
        onChange={(e) => setDraft(conversationKey, e.target.value)}
        aria-describedby="chat-draft-hint"
        placeholder="Ask about your pipeline, deals or accounts…"
        className="mt-1 block w-full resize-y rounded-lg border border-slate-300 bg-white px-3 py-2 text-sm shadow-sm placeholder:text-slate-500"
      />
      <p id="chat-draft-hint" className="mt-1 text-xs text-slate-600">
        Asking from this screen arrives with the next update. Your draft is saved in this browser.
      </p>
    </div>
  );
}

function NewChat() {
  const setDraft = useDrafts((s) => s.setDraft);
  return (
    <section aria-labelledby="chat-title" className="mx-auto max-w-3xl">
      <MessageSquare className="size-8 text-brand-600" aria-hidden="true" />
      <h1 id="chat-title" className="mt-3 text-2xl font-semibold tracking-tight">
        Ask about your revenue
      </h1>
      <p className="mt-1 text-slate-700">Plain questions work best. Revtops looks up the answer in your data and shows how.</p>
      <ul className="mt-6 flex flex-wrap gap-2" aria-label="Suggested questions">
        {SUGGESTIONS.map((text) => (
          <li key={text}>
            <button
              type="button"
              onClick={() => setDraft(NEW_CONVERSATION, text)}
              className="rounded-full border border-slate-300 bg-white px-3.5 py-1.5 text-sm text-slate-800 hover:border-brand-500 hover:bg-brand-50"
            >
              {text}
            </button>
          </li>
        ))}
      </ul>
      <DraftBox conversationKey={NEW_CONVERSATION} />
    </section>
  );
}

function Conversation({ id }: { id: string }) {
  const conversation = useConversation(id);
  const turns = useMemo(() => {
    if (!conversation.data) return [];
    return selectTurns(chatReducer(initialChatState(id), { type: 'history', messages: conversation.data.messages }));
  }, [conversation.data, id]);

  if (conversation.isPending) return <LoadingBlock label="Loading the conversation…" lines={5} />;
  if (conversation.isError) {
    const gone = isApiError(conversation.error) && conversation.error.status === 404;
    return (
      <ErrorAlert error={conversation.error} overrides={gone ? { not_found: "We couldn't find this conversation. It may have been deleted." } : {}}>
        {!gone && (
          <Button variant="secondary" className="mt-3" onClick={() => void conversation.refetch()}>
            Try again
          </Button>
        )}
      </ErrorAlert>
    );
  }
  return (
    <section aria-labelledby="conversation-title" className="mx-auto max-w-3xl">
      <h1 id="conversation-title" className="mb-6 text-xl font-semibold tracking-tight">
        {conversation.data.conversation.title || 'Conversation'}
      </h1>
      <Transcript turns={turns} />
      <DraftBox conversationKey={id} />
    </section>
  );
}

/** `/chat` and `/chat/:conversationId`. */
export default function ChatPage() {
  const { conversationId } = useParams<{ conversationId: string }>();
  const workspace = useWorkspace();
  const ws = workspace.data;
  const demoStatus = ws?.demo?.status;
  const previousStatus = useRef(demoStatus);

  useEffect(() => {
    if (previousStatus.current === 'running' && demoStatus === 'succeeded') {
      toast.success('Demo data is ready. Ask your first question.');
    }
    previousStatus.current = demoStatus;
  }, [demoStatus]);

  if (conversationId) return <Conversation id={conversationId} />;
  if (workspace.isPending) return <LoadingBlock label="Loading your workspace…" lines={4} />;
  if (ws && (isEmptyWorkspace(ws) || ws.demo?.status === 'running')) return <EmptyWorkspace workspace={ws} />;
  return <NewChat />;
}
