import { describe, expect, it } from 'vitest';
import type { RunFrame, ServerFrame } from '../../api/protocol';
import type { MessageView } from '../../api/types';
import {
  type AnswerTurn,
  type ChatAction,
  type ChatState,
  type QuestionTurn,
  type Turn,
  chatReducer,
  initialChatState,
  isRunning,
  retryableError,
  selectTurns,
} from './reducer';

const C = 'c1';
const R = 'r1';
const SQL = 'SELECT stage, count(*) AS deals FROM deals GROUP BY stage';
const OUTPUT = {
  columns: ['stage', 'deals'],
  types: ['text', 'int8'],
  rows: [
    ['Discovery', '4'],
    ['Proposal', '2'],
  ],
  row_count: 2,
  truncated: false,
  elapsed_ms: 14,
  chart: { kind: 'bar', x: 'stage', y: ['deals'], series: null, stacked: false, format: 'number', title: null },
};

type Body =
  | { type: 'run_started'; question: string | null; question_message_id: string | null; client_message_id: string | null }
  | { type: 'queued' }
  | { type: 'text_delta'; text: string }
  | { type: 'tool_call'; id: string; name: string; input: Record<string, unknown> }
  | { type: 'tool_result'; id: string; status: 'ok' | 'error'; summary: string; output: Record<string, unknown> | null }
  | { type: 'artifact_created'; artifact_id: string; title: string }
  | { type: 'error'; code: string; message: string; retryable: boolean; client_message_id: null }
  | { type: 'message_complete'; usage: { input_tokens: number; output_tokens: number }; stop_reason: string };

/** Numbers the bodies 0, 1, 2, … as one run's frames. */
function runFrames(bodies: Body[], runId = R, conversationId = C): RunFrame[] {
  return bodies.map((body, seq) => ({ ...body, conversation_id: conversationId, run_id: runId, seq }) as RunFrame);
}

const started = (question: string | null = 'How many deals per stage?', qmid: string | null = 'q2', cmid: string | null = null): Body => ({
  type: 'run_started',
  question,
  question_message_id: qmid,
  client_message_id: cmid,
});
const text = (t: string): Body => ({ type: 'text_delta', text: t });
const call = (id = 't1', name = 'run_sql_query', input: Record<string, unknown> = { sql: SQL }): Body => ({
  type: 'tool_call',
  id,
  name,
  input,
});
const result = (id = 't1', output: Record<string, unknown> | null = OUTPUT, status: 'ok' | 'error' = 'ok'): Body => ({
  type: 'tool_result',
  id,
  status,
  summary: status === 'ok' ? '2 rows' : String(output?.error),
  output,
});
const complete = (stop = 'end_turn'): Body => ({
  type: 'message_complete',
  usage: { input_tokens: 10, output_tokens: 5 },
  stop_reason: stop,
});

/** The standard answer: text, a query, more text. */
const ANSWER: Body[] = [
  started(),
  text('Let me count '),
  text('the deals.'),
  call(),
  result(),
  text('You have **6** open deals.'),
  complete(),
];

function reduce(state: ChatState, ...actions: ChatAction[]): ChatState {
  return actions.reduce(chatReducer, state);
}

const frames = (...fs: ServerFrame[]): ChatAction[] => fs.map((frame) => ({ type: 'frame', frame }));

const msg = (id: string, role: 'user' | 'assistant', content: unknown[]): MessageView => ({
  id,
  role,
  content,
  created_at: '2026-01-01T00:00:00Z',
});

/** An earlier, finished exchange. */
const EARLIER: MessageView[] = [
  msg('q1', 'user', [{ type: 'text', text: 'Hello' }]),
  msg('a1', 'assistant', [{ type: 'text', text: 'Hi! Ask me about your pipeline.' }]),
];

/** How the server stores ANSWER. */
const STORED_ANSWER: MessageView[] = [
  msg('q2', 'user', [{ type: 'text', text: 'How many deals per stage?' }]),
  msg('a2', 'assistant', [
    { type: 'text', text: 'Let me count the deals.' },
    { type: 'tool_use', id: 't1', name: 'run_sql_query', input: { sql: SQL } },
  ]),
  msg('u2', 'user', [{ type: 'tool_result', tool_use_id: 't1', content: JSON.stringify(OUTPUT), is_error: false }]),
  msg('a3', 'assistant', [{ type: 'text', text: 'You have **6** open deals.' }]),
];

const answers = (turns: Turn[]) => turns.filter((t): t is AnswerTurn => t.kind === 'answer');
const questions = (turns: Turn[]) => turns.filter((t): t is QuestionTurn => t.kind === 'question');
const lastAnswer = (state: ChatState) => answers(selectTurns(state)).at(-1)!;

/** What the user sees of an answer, without bookkeeping fields. */
const looks = (a: AnswerTurn) => ({
  text: a.text,
  parts: a.parts,
  steps: a.steps,
  artifacts: a.artifacts,
  stopReason: a.stopReason,
  error: a.error,
});

const base = () => reduce(initialChatState(C), { type: 'history', messages: EARLIER });

describe('live run', () => {
  it('streams text and tool steps in order', () => {
    const fs = runFrames(ANSWER);
    let state = reduce(base(), ...frames(...fs.slice(0, 4)));
    let answer = lastAnswer(state);
    expect(answer.streaming).toBe(true);
    expect(isRunning(state)).toBe(true);
    expect(answer.text).toBe('Let me count the deals.');
    expect(answer.steps).toHaveLength(1);
    expect(answer.steps[0]).toMatchObject({ id: 't1', name: 'run_sql_query', sql: SQL, status: 'running', summary: null });

    state = reduce(state, ...frames(...fs.slice(4)));
    answer = lastAnswer(state);
    expect(answer.streaming).toBe(false);
    expect(isRunning(state)).toBe(false);
    expect(answer.stopReason).toBe('end_turn');
    expect(answer.parts.map((p) => p.kind)).toEqual(['text', 'tool', 'text']);
    expect(answer.text).toBe('Let me count the deals.\n\nYou have **6** open deals.');
    expect(answer.steps[0]).toMatchObject({
      status: 'ok',
      summary: '2 rows',
      output: {
        columns: ['stage', 'deals'],
        types: ['text', 'int8'],
        rows: OUTPUT.rows,
        rowCount: 2,
        truncated: false,
        elapsedMs: 14,
        chart: OUTPUT.chart,
      },
    });

    const turns = selectTurns(state);
    expect(turns.map((t) => t.kind)).toEqual(['question', 'answer', 'question', 'answer']);
    expect(questions(turns).map((q) => q.text)).toEqual(['Hello', 'How many deals per stage?']);
  });

  it('ignores duplicate frames', () => {
    const fs = runFrames(ANSWER);
    const state = reduce(base(), ...frames(fs[0]!, fs[1]!, fs[1]!, fs[2]!, fs[2]!, fs[1]!));
    expect(lastAnswer(state).text).toBe('Let me count the deals.');
  });

  it('holds a frame that arrives ahead of a gap until the gap fills', () => {
    const fs = runFrames(ANSWER);
    let state = reduce(base(), ...frames(fs[0]!, fs[2]!, fs[3]!));
    expect(lastAnswer(state).text).toBe('');
    expect(lastAnswer(state).steps).toHaveLength(0);

    state = reduce(state, ...frames(fs[1]!));
    expect(lastAnswer(state).text).toBe('Let me count the deals.');
    expect(lastAnswer(state).steps).toHaveLength(1);
    expect(state.runs[0]!.held).toEqual({});
  });

  it('applies shuffled frames in seq order', () => {
    const fs = runFrames(ANSWER);
    const shuffled = [fs[5]!, fs[3]!, fs[6]!, fs[1]!, fs[4]!, fs[0]!, fs[2]!];
    const inOrder = reduce(base(), ...frames(...fs));
    const outOfOrder = reduce(base(), ...frames(...shuffled));
    expect(looks(lastAnswer(outOfOrder))).toEqual(looks(lastAnswer(inOrder)));
  });

  it('does not duplicate text when a reconnect replays the run from seq 0', () => {
    const fs = runFrames(ANSWER);
    let state = reduce(base(), ...frames(...fs.slice(0, 3)));
    state = reduce(
      state,
      ...frames({ type: 'subscribed', conversation_id: C, running: true, run_id: R, client_message_id: null }),
      ...frames(...fs),
    );
    const expected = reduce(base(), ...frames(...fs));
    expect(looks(lastAnswer(state))).toEqual(looks(lastAnswer(expected)));
    expect(lastAnswer(state).text).toBe('Let me count the deals.\n\nYou have **6** open deals.');
  });

  it('waits for the replay when it joins a run mid-way', () => {
    const fs = runFrames(ANSWER);
    let state = reduce(base(), ...frames(fs[3]!, fs[4]!)); // joined late: no run_started yet
    expect(answers(selectTurns(state))).toHaveLength(1); // only the earlier, stored answer
    state = reduce(state, ...frames(...fs));
    expect(lastAnswer(state).steps).toHaveLength(1);
    expect(lastAnswer(state).text).toBe('Let me count the deals.\n\nYou have **6** open deals.');
  });

  it('shows queued until the run starts producing', () => {
    const fs = runFrames([started(), { type: 'queued' }, text('Hi')]);
    let state = reduce(base(), ...frames(fs[0]!, fs[1]!));
    expect(lastAnswer(state).queued).toBe(true);
    state = reduce(state, ...frames(fs[2]!));
    expect(lastAnswer(state).queued).toBe(false);
  });

  it('ignores frames of other conversations', () => {
    const other = runFrames(ANSWER, 'r9', 'c9');
    const state = reduce(base(), ...frames(...other));
    expect(state.runs).toEqual([]);
    expect(selectTurns(state)).toHaveLength(2);
  });

  it('collects artifacts', () => {
    const fs = runFrames([
      started(),
      call('t2', 'create_artifact', { title: 'Pipeline', type: 'chart', queries: [{ name: 'q', sql: SQL }] }),
      result('t2', { artifact_id: 'art1', title: 'Pipeline', saved: true }),
      { type: 'artifact_created', artifact_id: 'art1', title: 'Pipeline' },
      complete(),
    ]);
    const answer = lastAnswer(reduce(base(), ...frames(...fs)));
    expect(answer.artifacts).toEqual([{ id: 'art1', title: 'Pipeline' }]);
    expect(answer.steps[0]).toMatchObject({ status: 'ok', summary: 'saved "Pipeline"', artifactIds: ['art1'], sql: null });
  });
});

describe('history', () => {
  it('renders stored messages as questions and answers', () => {
    const state = reduce(initialChatState(C), { type: 'history', messages: [...EARLIER, ...STORED_ANSWER] });
    const turns = selectTurns(state);
    expect(turns.map((t) => t.kind)).toEqual(['question', 'answer', 'question', 'answer']);
    const answer = answers(turns)[1]!;
    expect(answer.key).toBe('answer:q2');
    expect(answer.text).toBe('Let me count the deals.\n\nYou have **6** open deals.');
    expect(answer.steps[0]).toMatchObject({ status: 'ok', summary: '2 rows', sql: SQL, output: { rowCount: 2, elapsedMs: 14 } });
  });

  it('reads tool results stored as JSON text, errors included', () => {
    const messages = [
      msg('q1', 'user', [{ type: 'text', text: 'Revenue by month?' }]),
      msg('a1', 'assistant', [
        { type: 'tool_use', id: 't1', name: 'run_sql_query', input: { sql: 'SELECT nope' } },
        { type: 'tool_use', id: 't2', name: 'search_activities', input: { query: 'renewal' } },
      ]),
      msg('u1', 'user', [
        { type: 'tool_result', tool_use_id: 't1', content: '{"error":"column \\"nope\\" does not exist"}', is_error: true },
        {
          type: 'tool_result',
          tool_use_id: 't2',
          content: JSON.stringify({ columns: ['subject'], types: ['text'], rows: [['Renewal call']], row_count: 1, truncated: true, elapsed_ms: 3 }),
          is_error: false,
        },
      ]),
    ];
    const answer = lastAnswer(reduce(initialChatState(C), { type: 'history', messages }));
    expect(answer.steps.map((s) => [s.status, s.summary])).toEqual([
      ['error', 'column "nope" does not exist'],
      ['ok', '1 row (truncated)'],
    ]);
    expect(answer.steps[0]!.output?.error).toBe('column "nope" does not exist');
  });

  it('marks a stored step without a result as unfinished', () => {
    const messages = [
      msg('q1', 'user', [{ type: 'text', text: 'x' }]),
      msg('a1', 'assistant', [{ type: 'tool_use', id: 't1', name: 'run_sql_query', input: { sql: SQL } }]),
    ];
    const answer = lastAnswer(reduce(initialChatState(C), { type: 'history', messages }));
    expect(answer.steps[0]).toMatchObject({ status: 'error', summary: 'Did not finish' });
  });

  it('a completed run, once in refetched history, looks the same from history alone', () => {
    const live = reduce(base(), ...frames(...runFrames(ANSWER)));
    const liveAnswer = lastAnswer(live);
    const liveTurns = selectTurns(live);

    const settled = reduce(live, { type: 'history', messages: [...EARLIER, ...STORED_ANSWER] });
    expect(settled.runs).toEqual([]);
    const turns = selectTurns(settled);
    expect(turns.map((t) => t.key)).toEqual(liveTurns.map((t) => t.key));
    expect(looks(lastAnswer(settled))).toEqual(looks(liveAnswer));
    expect(questions(turns).map((q) => q.text)).toEqual(questions(liveTurns).map((q) => q.text));
  });

  it('keeps the live run while refetched history does not contain it yet', () => {
    const live = reduce(base(), ...frames(...runFrames(ANSWER)));
    const stale = reduce(live, { type: 'history', messages: EARLIER });
    expect(stale.runs).toHaveLength(1);
    expect(answers(selectTurns(stale))).toHaveLength(2);
  });

  it('does not drop a run that is still streaming when history arrives', () => {
    const fs = runFrames(ANSWER);
    const state = reduce(base(), ...frames(...fs.slice(0, 3)), { type: 'history', messages: [...EARLIER, ...STORED_ANSWER.slice(0, 2)] });
    expect(state.runs).toHaveLength(1);
    expect(lastAnswer(state).streaming).toBe(true);
    expect(answers(selectTurns(state))).toHaveLength(2);
  });

  it('ignores late frames of a run that history already renders', () => {
    const fs = runFrames(ANSWER);
    let state = reduce(base(), ...frames(...fs), { type: 'history', messages: [...EARLIER, ...STORED_ANSWER] });
    state = reduce(state, ...frames(...fs));
    expect(state.runs).toEqual([]);
    expect(answers(selectTurns(state))).toHaveLength(2);
  });
});

describe('reload mid-answer', () => {
  it('renders stored messages before the question, then the replayed live run', () => {
    // The page reloads while the answer streams: history has the question and a partial answer.
    const partial = [...EARLIER, ...STORED_ANSWER.slice(0, 2)];
    let state = reduce(initialChatState(C), { type: 'history', messages: partial });
    expect(lastAnswer(state).steps[0]!.summary).toBe('Did not finish');

    state = reduce(
      state,
      ...frames({ type: 'subscribed', conversation_id: C, running: true, run_id: R, client_message_id: null }),
      ...frames(...runFrames(ANSWER).slice(0, 4)),
    );
    const turns = selectTurns(state);
    expect(turns.map((t) => t.kind)).toEqual(['question', 'answer', 'question', 'answer']);
    expect(questions(turns).map((q) => q.text)).toEqual(['Hello', 'How many deals per stage?']);
    const answer = lastAnswer(state);
    expect(answer.streaming).toBe(true);
    expect(answer.text).toBe('Let me count the deals.'); // not twice
    expect(answer.steps).toHaveLength(1);
    expect(answer.steps[0]!.status).toBe('running');
  });

  it('takes the question text from history when the replayed run has none', () => {
    const partial = [...EARLIER, ...STORED_ANSWER.slice(0, 1)];
    const state = reduce(
      initialChatState(C),
      { type: 'history', messages: partial },
      ...frames(...runFrames([started(null, 'q2'), text('Working on it')])),
    );
    const turns = selectTurns(state);
    expect(questions(turns).map((q) => q.text)).toEqual(['Hello', 'How many deals per stage?']);
    expect(lastAnswer(state).text).toBe('Working on it');
  });

  it('a run that ended while away is closed by `subscribed` and settled by history', () => {
    let state = reduce(base(), ...frames(...runFrames(ANSWER).slice(0, 4)));
    state = reduce(state, ...frames({ type: 'subscribed', conversation_id: C, running: false, run_id: null, client_message_id: null }));
    expect(isRunning(state)).toBe(false);
    expect(lastAnswer(state).streaming).toBe(false);
    state = reduce(state, { type: 'history', messages: [...EARLIER, ...STORED_ANSWER] });
    expect(state.runs).toEqual([]);
    expect(lastAnswer(state).text).toBe('Let me count the deals.\n\nYou have **6** open deals.');
  });
});

describe('cancel, errors and retry', () => {
  it('a cancelled run stops streaming and marks unfinished steps', () => {
    const fs = runFrames([started(), text('Checking'), call(), complete('cancelled')]);
    const answer = lastAnswer(reduce(base(), ...frames(...fs)));
    expect(answer.streaming).toBe(false);
    expect(answer.stopReason).toBe('cancelled');
    expect(answer.steps[0]).toMatchObject({ status: 'error', summary: 'Did not finish' });
  });

  it('a failed run carries its error, offers a retry, and keeps it after history settles it', () => {
    const error: Body = { type: 'error', code: 'model_unavailable', message: 'The model is busy', retryable: true, client_message_id: null };
    const fs = runFrames([started(), text('Let me count the deals.'), error, complete('error')]);
    let state = reduce(base(), ...frames(...fs));
    const failed = lastAnswer(state);
    expect(failed.error).toEqual({ code: 'model_unavailable', message: 'The model is busy', retryable: true });
    expect(failed.stopReason).toBe('error');
    expect(retryableError(state)?.code).toBe('model_unavailable');

    state = reduce(state, {
      type: 'history',
      messages: [...EARLIER, STORED_ANSWER[0]!, msg('a2', 'assistant', [{ type: 'text', text: 'Let me count the deals.' }])],
    });
    expect(state.runs).toEqual([]);
    expect(looks(lastAnswer(state))).toEqual(looks(failed));
    expect(retryableError(state)?.code).toBe('model_unavailable');
  });

  it('a tool error shows the server words as the summary', () => {
    const fs = runFrames([started(), call(), result('t1', { error: 'the query took too long' }, 'error'), complete()]);
    const answer = lastAnswer(reduce(base(), ...frames(...fs)));
    expect(answer.steps[0]).toMatchObject({ status: 'error', summary: 'the query took too long' });
  });

  it('a retry replaces the partial answer left by the failure', () => {
    const history = [...EARLIER, STORED_ANSWER[0]!, msg('a2', 'assistant', [{ type: 'text', text: 'Partial…' }])];
    let state = reduce(initialChatState(C), { type: 'history', messages: history });
    state = reduce(state, ...frames(...runFrames([started(null, 'q2'), text('Fresh answer'), complete()], 'r2')));
    const turns = selectTurns(state);
    expect(turns.map((t) => t.kind)).toEqual(['question', 'answer', 'question', 'answer']);
    expect(questions(turns)[1]!.text).toBe('How many deals per stage?');
    expect(lastAnswer(state).text).toBe('Fresh answer');
    expect(turns.some((t) => t.kind === 'answer' && t.text.includes('Partial'))).toBe(false);
  });

  it('a retry without a question id keeps the question and replaces what followed', () => {
    const history = [...EARLIER, STORED_ANSWER[0]!, msg('a2', 'assistant', [{ type: 'text', text: 'Partial…' }])];
    const state = reduce(
      initialChatState(C),
      { type: 'history', messages: history },
      ...frames(...runFrames([started(null, null), text('Fresh answer')], 'r2')),
    );
    const turns = selectTurns(state);
    expect(turns.map((t) => t.kind)).toEqual(['question', 'answer', 'question', 'answer']);
    expect(lastAnswer(state).text).toBe('Fresh answer');
  });
});

describe('stable outputs', () => {
  it('a stored step keeps the same output object while a later answer streams', () => {
    let state = reduce(initialChatState(C), { type: 'history', messages: STORED_ANSWER });
    const before = answers(selectTurns(state))[0]!.steps[0]!.output;
    state = reduce(state, ...frames(...runFrames([started('Next?', 'q9'), text('Thinking')], 'r9')));
    const after = answers(selectTurns(state))[0]!.steps[0]!.output;
    expect(after).not.toBeNull();
    expect(after).toBe(before);
  });
});

describe('retry of a run still on screen', () => {
  it('the new answer takes the place of the failed one', () => {
    const error: Body = { type: 'error', code: 'model_unavailable', message: 'busy', retryable: true, client_message_id: null };
    let state = reduce(base(), ...frames(...runFrames([started(), text('Half'), error, complete('error')])));
    state = reduce(state, ...frames(...runFrames([started(null, null), text('Fresh answer')], 'r2')));
    const turns = selectTurns(state);
    expect(turns.map((t) => t.kind)).toEqual(['question', 'answer', 'question', 'answer']);
    expect(questions(turns)[1]!.text).toBe('How many deals per stage?');
    expect(lastAnswer(state)).toMatchObject({ text: 'Fresh answer', error: null, streaming: true });
  });
});

describe('questions being sent', () => {
  it('shows the question at once and hands over to the run when it starts', () => {
    let state = reduce(base(), { type: 'sent', clientMessageId: 'm1', text: 'How many deals per stage?' });
    let last = selectTurns(state).at(-1)!;
    expect(last).toMatchObject({ kind: 'question', status: 'sending', text: 'How many deals per stage?', key: 'm1' });

    state = reduce(state, ...frames(...runFrames([started('How many deals per stage?', 'q2', 'm1'), text('Sure')])));
    expect(state.pending).toEqual([]);
    const turns = selectTurns(state);
    expect(questions(turns).map((q) => q.text)).toEqual(['Hello', 'How many deals per stage?']);
    last = turns.at(-1)!;
    expect(last).toMatchObject({ kind: 'answer', text: 'Sure', streaming: true });
  });

  it('a refused question shows the error and can be discarded', () => {
    let state = reduce(base(), { type: 'sent', clientMessageId: 'm1', text: 'Again?' });
    state = reduce(
      state,
      ...frames({
        type: 'error',
        conversation_id: C,
        run_id: null,
        seq: null,
        client_message_id: 'm1',
        code: 'rate_limited',
        message: 'too many messages',
        retryable: true,
      }),
    );
    expect(selectTurns(state).at(-1)).toMatchObject({
      kind: 'question',
      status: 'failed',
      error: { code: 'rate_limited', retryable: true },
    });
    state = reduce(state, { type: 'discard_pending', clientMessageId: 'm1' });
    expect(state.pending).toEqual([]);
  });

  it('a resent message the server already runs shows once, from the replay', () => {
    let state = reduce(base(), { type: 'sent', clientMessageId: 'm1', text: 'How many deals per stage?' });
    state = reduce(
      state,
      ...frames({ type: 'subscribed', conversation_id: C, running: true, run_id: R, client_message_id: 'm1' }),
      ...frames(...runFrames([started('How many deals per stage?', 'q2', 'm1'), text('Counting')])),
    );
    expect(questions(selectTurns(state)).map((q) => q.text)).toEqual(['Hello', 'How many deals per stage?']);
  });

  it('a message the server already answered leaves the pending list on `subscribed`', () => {
    let state = reduce(base(), { type: 'sent', clientMessageId: 'm1', text: 'Hi' });
    state = reduce(state, ...frames({ type: 'subscribed', conversation_id: C, running: false, run_id: null, client_message_id: 'm1' }));
    expect(state.pending).toEqual([]);
  });

  it('a new conversation adopts its id from conversation_created', () => {
    let state = reduce(initialChatState(null), { type: 'sent', clientMessageId: 'm1', text: 'First question' });
    state = reduce(state, ...frames({ type: 'conversation_created', conversation_id: 'c-new', title: 'First', client_message_id: 'm1' }));
    expect(state.conversationId).toBe('c-new');
    state = reduce(state, ...frames(...runFrames([started('First question', 'q1', 'm1'), text('Answer')], 'r1', 'c-new')));
    expect(selectTurns(state).map((t) => t.kind)).toEqual(['question', 'answer']);

    // Someone else's new conversation is not ours.
    const other = reduce(initialChatState(null), ...frames({ type: 'conversation_created', conversation_id: 'x', title: 'X', client_message_id: 'zz' }));
    expect(other.conversationId).toBeNull();
  });

  it('a refusal for the conversation that is not about a question becomes a notice', () => {
    let state = reduce(
      base(),
      ...frames({
        type: 'error',
        conversation_id: C,
        run_id: null,
        seq: null,
        client_message_id: null,
        code: 'not_running',
        message: 'nothing to cancel',
        retryable: false,
      }),
    );
    expect(state.notice?.code).toBe('not_running');
    state = reduce(state, { type: 'dismiss_notice' });
    expect(state.notice).toBeNull();
  });
});
