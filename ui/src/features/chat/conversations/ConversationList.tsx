import { Plus, Search } from 'lucide-react';
import { useId, useState } from 'react';
import { useNavigate } from 'react-router';
import { toast } from 'sonner';
import type { ConversationView } from '../../../api/types';
import { ErrorAlert } from '../../../components/Alert';
import { Button } from '../../../components/Button';
import { Skeleton } from '../../../components/Skeleton';
import { useDebouncedValue } from '../../../lib/useDebouncedValue';
import { ConversationItem } from './ConversationItem';
import { DeleteConversationDialog } from './DeleteConversationDialog';
import { conversationTitle, useConversations, useDeleteConversation } from './hooks';

export const SEARCH_DEBOUNCE_MS = 300;

function ListSkeleton() {
  return (
    <div role="status" className="space-y-2 px-3 py-2">
      <span className="sr-only">Loading conversations…</span>
      {[0, 1, 2, 3].map((i) => (
        <Skeleton key={i} className="h-7 w-full" />
      ))}
    </div>
  );
}

/** Conversations, most recent first: new, search by title, rename and delete. */
export function ConversationList({ activeId, onNavigate }: { activeId: string | null; onNavigate?: () => void }) {
  const navigate = useNavigate();
  const [search, setSearch] = useState('');
  const query = useDebouncedValue(search.trim(), SEARCH_DEBOUNCE_MS);
  const list = useConversations(query);
  const remove = useDeleteConversation();
  const [deleting, setDeleting] = useState<ConversationView | null>(null);
  const searchId = useId();

  const startNew = () => {
    onNavigate?.();
    void navigate('/chat');
  };

  const confirmDelete = () => {
    if (!deleting) return;
    const { id } = deleting;
    remove.mutate(id, {
      onSuccess: () => {
        setDeleting(null);
        toast.success('Conversation deleted');
        if (id === activeId) void navigate('/chat', { replace: true });
      },
    });
  };

  const items = list.data ?? [];
  return (
    <nav aria-label="Conversations" className="flex h-full min-h-0 flex-col">
      <div className="space-y-2 border-b border-slate-200 p-3">
        <Button className="w-full" onClick={startNew}>
          <Plus className="size-4" aria-hidden="true" />
          New conversation
        </Button>
        <div className="relative">
          <label htmlFor={searchId} className="sr-only">
            Search conversations
          </label>
          <Search className="pointer-events-none absolute left-2.5 top-2.5 size-4 text-slate-500" aria-hidden="true" />
          <input
            id={searchId}
            type="search"
            value={search}
            onChange={(e) => setSearch(e.target.value)}
            placeholder="Search conversations"
            className="block w-full rounded-md border border-slate-300 bg-white py-2 pl-8 pr-2 text-sm text-slate-900 placeholder:text-slate-500"
          />
        </div>
      </div>
      <div className="min-h-0 flex-1 overflow-y-auto p-2">
        {list.isPending ? (
          <ListSkeleton />
        ) : list.isError ? (
          <ErrorAlert error={list.error}>
            <Button variant="secondary" className="mt-2" onClick={() => void list.refetch()}>
              Try again
            </Button>
          </ErrorAlert>
        ) : items.length === 0 ? (
          <p className="px-2 py-3 text-sm text-slate-600">{query ? `No conversations match “${query}”.` : 'No conversations yet'}</p>
        ) : (
          <ul className="space-y-0.5" aria-busy={list.isFetching && list.isPlaceholderData}>
            {items.map((c) => (
              <ConversationItem
                key={c.id}
                conversation={c}
                active={c.id === activeId}
                onNavigate={onNavigate}
                onDelete={(conversation) => {
                  remove.reset();
                  setDeleting(conversation);
                }}
              />
            ))}
          </ul>
        )}
      </div>
      <DeleteConversationDialog
        title={deleting ? conversationTitle(deleting) : null}
        busy={remove.isPending}
        error={remove.error}
        onConfirm={confirmDelete}
        onClose={() => setDeleting(null)}
      />
    </nav>
  );
}
