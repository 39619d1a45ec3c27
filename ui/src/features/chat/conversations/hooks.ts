/** The conversation list and its edits, as React Query hooks. */
import { keepPreviousData, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api, unwrap } from '../../../api/client';
import type { ConversationDetail, ConversationView } from '../../../api/types';
import { conversationQueryKey } from '../hooks';

export const conversationsQueryKey = ['conversations'] as const;

/** Most recent first; `q` filters by title (the server matches any case). */
export function useConversations(q: string) {
  const query = q.trim();
  return useQuery({
    queryKey: [...conversationsQueryKey, query],
    queryFn: ({ signal }) => unwrap(api.GET('/chat/conversations', { params: { query: query ? { q: query } : {} }, signal })),
    // While a new search runs, the old list stays instead of flashing a skeleton.
    placeholderData: keepPreviousData,
  });
}

export function useRenameConversation() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: ({ id, title }: { id: string; title: string }) =>
      unwrap(api.PATCH('/chat/conversations/{id}', { params: { path: { id } }, body: { title } })),
    onSuccess: (conversation: ConversationView) => {
      queryClient.setQueryData<ConversationDetail>(conversationQueryKey(conversation.id), (old) =>
        old ? { ...old, conversation } : old,
      );
      return queryClient.invalidateQueries({ queryKey: conversationsQueryKey });
    },
  });
}

export function useDeleteConversation() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (id: string) => unwrap(api.DELETE('/chat/conversations/{id}', { params: { path: { id } } })),
    onSuccess: (_data, id) => {
      queryClient.removeQueries({ queryKey: conversationQueryKey(id) });
      return queryClient.invalidateQueries({ queryKey: conversationsQueryKey });
    },
  });
}

export const conversationTitle = (c: { title?: string | null }) => c.title?.trim() || 'Untitled conversation';
