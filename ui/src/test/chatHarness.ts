/** Builders for chat component tests: the app with a fake REST API and a fake chat server. */
import type { RunFrame, ServerFrame } from '../api/protocol';
import { type Handler, mockApi } from './mockApi';
import { FakeChatServer } from './fakeChatServer';
import { CONFIG, ORG, USER, WORKSPACE_WITH_DATA, signedIn } from './render';

export function chatApp(routes: Record<string, Handler | unknown> = {}, { online = true } = {}) {
  signedIn();
  const server = new FakeChatServer({ online });
  const api = mockApi({
    'GET /api/config': CONFIG,
    'GET /api/auth/me': { user: USER, organization: ORG },
    'GET /api/workspace': WORKSPACE_WITH_DATA,
    'GET /api/chat/conversations': [],
    ...routes,
  });
  return { server, api };
}

export const conversation = (id: string, title: string | null, updated = '2026-01-02T00:00:00Z') => ({
  id,
  title,
  created_at: '2026-01-01T00:00:00Z',
  updated_at: updated,
});

export const message = (id: string, role: 'user' | 'assistant', content: unknown[]) => ({
  id,
  role,
  content,
  created_at: '2026-01-01T00:00:00Z',
});

export const detail = (id: string, title: string, messages: unknown[]) => ({ conversation: conversation(id, title), messages });

/** The frames of one run, numbered 0, 1, 2, … in the order they are built. */
export function runOf(conversationId: string, runId: string) {
  let seq = 0;
  const base = () => ({ conversation_id: conversationId, run_id: runId, seq: seq++ });
  return {
    started: (question: string | null, questionMessageId: string | null, clientMessageId: string | null = null): RunFrame => ({
      type: 'run_started',
      ...base(),
      question,
      question_message_id: questionMessageId,
      client_message_id: clientMessageId,
    }),
    text: (text: string): RunFrame => ({ type: 'text_delta', ...base(), text }),
    call: (id: string, name: string, input: Record<string, unknown>): RunFrame => ({ type: 'tool_call', ...base(), id, name, input }),
    result: (id: string, output: Record<string, unknown> | null, status: 'ok' | 'error' = 'ok'): RunFrame => ({
      type: 'tool_result',
      ...base(),
      id,
      status,
      summary: status === 'ok' ? 'ok' : String(output?.error ?? ''),
      output,
    }),
    artifact: (artifactId: string, title: string): RunFrame => ({ type: 'artifact_created', ...base(), artifact_id: artifactId, title }),
    error: (code: string, text: string, retryable: boolean): RunFrame => ({
      type: 'error',
      ...base(),
      code,
      message: text,
      retryable,
      client_message_id: null,
    }),
    complete: (stopReason = 'end_turn'): RunFrame => ({
      type: 'message_complete',
      ...base(),
      usage: { input_tokens: 1, output_tokens: 1 },
      stop_reason: stopReason,
    }),
  };
}

export const created = (conversationId: string, clientMessageId: string, title = 'New question'): ServerFrame => ({
  type: 'conversation_created',
  conversation_id: conversationId,
  title,
  client_message_id: clientMessageId,
});

export const requestError = (conversationId: string | null, clientMessageId: string, code: string, text: string, retryable: boolean): ServerFrame => ({
  type: 'error',
  conversation_id: conversationId,
  run_id: null,
  seq: null,
  client_message_id: clientMessageId,
  code,
  message: text,
  retryable,
});

export const subscribed = (conversationId: string, runId: string | null): ServerFrame => ({
  type: 'subscribed',
  conversation_id: conversationId,
  running: runId !== null,
  run_id: runId,
  client_message_id: null,
});

export const SQL = 'SELECT stage, sum(amount) AS total FROM deals GROUP BY stage';

export const STAGE_OUTPUT = {
  columns: ['stage', 'total', 'closed_at'],
  types: ['text', 'numeric', 'timestamptz'],
  rows: [
    ['Discovery', '120000.00', '2026-03-04T15:30:00Z'],
    ['Proposal, late', null, null],
  ],
  row_count: 2,
  truncated: false,
  elapsed_ms: 12.4,
};
