import { useQuery } from '@tanstack/react-query';
import { api, unwrap } from '../../api/client';

export const conversationQueryKey = (id: string) => ['conversation', id] as const;

/** One conversation with its stored messages. */
export function useConversation(id: string | undefined) {
  return useQuery({
    queryKey: conversationQueryKey(id ?? ''),
    queryFn: ({ signal }) => unwrap(api.GET('/chat/conversations/{id}', { params: { path: { id: id ?? '' } }, signal })),
    enabled: Boolean(id),
  });
}
