/**
 * One conversation on screen: stored history (React Query) and socket frames folded by the pure
 * reducer. On mount of /chat/:id it loads history and subscribes, so a reload mid-answer shows
 * what streamed so far and keeps streaming; when a run ends, history is fetched again and takes
 * over (the reducer makes both look the same).
 *
 * A new conversation starts at /chat with no id: the server's `conversation_created` for our own
 * question gives it one, and the address becomes /chat/:id (replace) without losing the answer.
 */
import { useQueryClient } from '@tanstack/react-query';
import { useCallback, useEffect, useMemo, useReducer, useRef, useSyncExternalStore } from 'react';
import { useNavigate } from 'react-router';
import { type Uuid, cancelFrame, retryFrame } from '../../api/protocol';
import type { ConnectionState } from '../../api/socket';
import { chatSocket } from './chatSocket';
import { conversationsQueryKey } from './conversations/hooks';
import { conversationQueryKey, useConversation } from './hooks';
import { type ChatAction, type ChatState, chatReducer, initialChatState, isRunning, retryableError, selectTurns } from './reducer';

type SessionAction = ChatAction | { type: 'reset'; conversationId: Uuid | null };

function sessionReducer(state: ChatState, action: SessionAction): ChatState {
  return action.type === 'reset' ? initialChatState(action.conversationId) : chatReducer(state, action);
}

export function useConnectionState(): ConnectionState {
  const socket = chatSocket();
  return useSyncExternalStore(
    (notify) => socket.onState(notify),
    () => socket.state,
  );
}

export function useChatSession(routeId: Uuid | null) {
  const socket = chatSocket();
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const [raw, dispatch] = useReducer(sessionReducer, routeId, initialChatState);
  const history = useConversation(routeId ?? undefined);

  // The id of a conversation we just created from /chat, until the address has caught up.
  const adopted = useRef<Uuid | null>(null);
  const stateRef = useRef(raw);
  stateRef.current = raw;
  const routeRef = useRef(routeId);
  routeRef.current = routeId;

  const current = raw.conversationId === routeId || (routeId === null && raw.conversationId === adopted.current);
  const state = current ? raw : initialChatState(routeId);

  useEffect(() => {
    if (routeId !== null && routeId === adopted.current) adopted.current = null;
    if (raw.conversationId === routeId) return;
    if (routeId === null && raw.conversationId !== null && raw.conversationId === adopted.current) return;
    dispatch({ type: 'reset', conversationId: routeId });
  }, [routeId, raw.conversationId]);

  useEffect(() => {
    socket.connect();
    return socket.onFrame((frame) => {
      const before = stateRef.current;
      if (frame.type === 'conversation_created') {
        // Ours or not (another tab, a question sent before leaving /chat), the list has a new entry.
        void queryClient.invalidateQueries({ queryKey: conversationsQueryKey });
        const ours = before.conversationId === null && before.pending.some((p) => p.clientMessageId === frame.client_message_id);
        if (ours) {
          adopted.current = frame.conversation_id;
          dispatch({ type: 'frame', frame });
          if (routeRef.current === null) void navigate(`/chat/${frame.conversation_id}`, { replace: true });
          return;
        }
      }
      dispatch({ type: 'frame', frame });
      const ended =
        frame.type === 'message_complete' ||
        // The run we followed ended while the connection was down: history has the rest.
        (frame.type === 'subscribed' && !frame.running && before.runs.some((r) => !r.complete));
      if (ended && frame.conversation_id === before.conversationId) {
        void queryClient.invalidateQueries({ queryKey: conversationQueryKey(frame.conversation_id) });
        void queryClient.invalidateQueries({ queryKey: conversationsQueryKey });
      }
    });
  }, [socket, navigate, queryClient]);

  useEffect(() => {
    if (!routeId) return;
    socket.watch(routeId);
    return () => socket.unwatch(routeId);
  }, [socket, routeId]);

  const messages = history.data?.conversation.id === routeId ? history.data?.messages : undefined;
  useEffect(() => {
    if (messages) dispatch({ type: 'history', messages });
  }, [messages]);

  const conversationId = state.conversationId;
  const send = useCallback(
    (text: string) => {
      const clientMessageId = socket.sendMessage(stateRef.current.conversationId, text);
      dispatch({ type: 'sent', clientMessageId, text });
    },
    [socket],
  );
  const resend = useCallback(
    (clientMessageId: Uuid, text: string) => {
      dispatch({ type: 'discard_pending', clientMessageId });
      send(text);
    },
    [send],
  );
  const discard = useCallback((clientMessageId: Uuid) => dispatch({ type: 'discard_pending', clientMessageId }), []);
  const stop = useCallback(() => {
    if (conversationId) socket.send(cancelFrame(conversationId));
  }, [socket, conversationId]);
  const retryRun = useCallback(() => {
    if (conversationId) socket.send(retryFrame(conversationId));
  }, [socket, conversationId]);
  const dismissNotice = useCallback(() => dispatch({ type: 'dismiss_notice' }), []);

  const turns = useMemo(() => selectTurns(state), [state]);
  return {
    state,
    turns,
    history,
    running: isRunning(state),
    retryable: retryableError(state),
    send,
    resend,
    discard,
    stop,
    retryRun,
    dismissNotice,
  };
}

export type ChatSession = ReturnType<typeof useChatSession>;
