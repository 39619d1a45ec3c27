import { X } from 'lucide-react';
import { useEffect, useRef, useState } from 'react';
import { useParams } from 'react-router';
import { toast } from 'sonner';
import { Dialog } from '../../components/Dialog';
import { LoadingBlock } from '../../components/Skeleton';
import { EmptyWorkspace } from '../onboarding/EmptyWorkspace';
import { isEmptyWorkspace, useWorkspace } from '../onboarding/hooks';
import { ChatScreen } from './ChatScreen';
import { ConversationList } from './conversations/ConversationList';

const PADDED = 'h-full overflow-y-auto p-4 sm:p-6 md:p-10';

/**
 * `/chat/:conversationId?`: the conversation list (beside the transcript from 1024 px, a drawer
 * below) and the chat screen. An empty workspace gets demo data or a data source first.
 */
export default function ChatPage() {
  const { conversationId } = useParams<{ conversationId: string }>();
  const routeId = conversationId ?? null;
  const workspace = useWorkspace();
  const ws = workspace.data;
  const demoStatus = ws?.demo?.status;
  const previousStatus = useRef(demoStatus);
  const [drawerOpen, setDrawerOpen] = useState(false);

  useEffect(() => {
    if (previousStatus.current === 'running' && demoStatus === 'succeeded') {
      toast.success('Demo data is ready. Ask your first question.');
    }
    previousStatus.current = demoStatus;
  }, [demoStatus]);

  useEffect(() => setDrawerOpen(false), [routeId]);

  if (!routeId) {
    if (workspace.isPending) {
      return (
        <div className={PADDED}>
          <LoadingBlock label="Loading your workspace…" lines={4} />
        </div>
      );
    }
    if (ws && (isEmptyWorkspace(ws) || ws.demo?.status === 'running')) {
      return (
        <div className={PADDED}>
          <EmptyWorkspace workspace={ws} />
        </div>
      );
    }
  }

  return (
    <div className="flex h-full min-h-0">
      <div className="hidden w-64 shrink-0 border-r border-slate-200 bg-white lg:block xl:w-72">
        <ConversationList activeId={routeId} />
      </div>
      <Dialog
        open={drawerOpen}
        onClose={() => setDrawerOpen(false)}
        label="Conversation list"
        className="m-0 h-full max-h-full w-80 max-w-[85vw] lg:hidden"
      >
        <div className="flex h-full flex-col bg-white">
          <div className="flex justify-end px-2 pt-2">
            <button
              type="button"
              aria-label="Close conversation list"
              onClick={() => setDrawerOpen(false)}
              className="rounded-md p-1.5 text-slate-600 hover:bg-slate-100"
            >
              <X className="size-5" aria-hidden="true" />
            </button>
          </div>
          <div className="min-h-0 flex-1">
            <ConversationList activeId={routeId} onNavigate={() => setDrawerOpen(false)} />
          </div>
        </div>
      </Dialog>
      <div className="min-w-0 flex-1">
        <ChatScreen routeId={routeId} onShowConversations={() => setDrawerOpen(true)} />
      </div>
    </div>
  );
}
