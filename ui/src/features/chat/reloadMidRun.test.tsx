import { act, screen, waitFor, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { SQL, STAGE_OUTPUT, chatApp, detail, message, runOf, subscribed } from '../../test/chatHarness';
import type { HandlerContext } from '../../test/mockApi';
import { renderApp } from '../../test/render';

const QUESTION = 'How many deals per stage?';
const EARLIER = [message('q0', 'user', [{ type: 'text', text: 'Hello' }]), message('a0', 'assistant', [{ type: 'text', text: 'Hi! Ask me anything.' }])];
/** What the server has stored while the answer is still streaming: the first model turn. */
const SO_FAR = [
  message('q1', 'user', [{ type: 'text', text: QUESTION }]),
  message('a1', 'assistant', [
    { type: 'text', text: 'Let me count the deals.' },
    { type: 'tool_use', id: 't1', name: 'run_sql_query', input: { sql: SQL } },
  ]),
  message('u1', 'user', [{ type: 'tool_result', tool_use_id: 't1', content: JSON.stringify(STAGE_OUTPUT), is_error: false }]),
];
const FINAL = [...SO_FAR, message('a2', 'assistant', [{ type: 'text', text: 'You have **6** open deals.' }])];

function deferred<T>() {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((r) => {
    resolve = r;
  });
  return { promise, resolve };
}

/** The run from its start, as the server replays it to a new subscriber. */
function replay() {
  const run = runOf('c1', 'r1');
  const sofar = [
    run.started(QUESTION, 'q1'),
    run.text('Let me count '),
    run.text('the deals.'),
    run.call('t1', 'run_sql_query', { sql: SQL }),
    run.result('t1', STAGE_OUTPUT),
  ];
  return { run, sofar };
}

const transcript = () => screen.getByRole('list', { name: 'Conversation' });

describe('reload during a streaming answer', () => {
  it('shows what streamed so far, keeps streaming, and looks the same once history takes over', async () => {
    const final = deferred<unknown>();
    const { server, api } = chatApp({
      'GET /api/chat/conversations/:id': ({ call }: HandlerContext) =>
        call === 1 ? detail('c1', 'Deals', [...EARLIER, ...SO_FAR]) : final.promise.then(() => detail('c1', 'Deals', [...EARLIER, ...FINAL])),
    });
    renderApp('/chat/c1');
    await screen.findByText('Hi! Ask me anything.', {}, { timeout: 5000 });
    await waitFor(() => expect(server.sent('subscribe')).toEqual([{ type: 'subscribe', conversation_id: 'c1', run_id: null, after_seq: null }]));

    const { run, sofar } = replay();
    server.push(subscribed('c1', 'r1'), ...sofar);
    const answers = screen.getAllByTestId('answer');
    expect(answers).toHaveLength(2);
    const live = answers[1]!;
    expect(live).toHaveAttribute('data-streaming', 'true');
    // What the model said before its query is a note above the step; the answer comes after.
    expect(within(live).getByTestId('answer-note')).toHaveTextContent(/^Let me count the deals\.$/);
    expect(within(live).getByTestId('answer-text').textContent).toBe('');
    expect(within(live).getAllByTestId('tool-step')).toHaveLength(1);
    expect(within(transcript()).getAllByText(QUESTION)).toHaveLength(1);

    server.push(run.text('You have **6** open deals.'), run.complete());
    await waitFor(() => expect(live).toHaveAttribute('data-streaming', 'false'));
    await waitFor(() => expect(api.callsTo('GET', '/api/chat/conversations/c1')).toHaveLength(2));
    const streamed = transcript().innerHTML;
    expect(within(live).getByTestId('answer-text')).toHaveTextContent(/^You have 6 open deals\.$/);

    final.resolve(null);
    await api.fetch.mock.results.at(-1)!.value;
    // Let React Query hand the refetched history to the screen, then compare.
    await act(() => new Promise((r) => setTimeout(r, 50)));
    expect(transcript().innerHTML).toBe(streamed);
  });

  it('merges the same way when the replay arrives before the history', async () => {
    const history = deferred<unknown>();
    const { server } = chatApp({
      'GET /api/chat/conversations/:id': () => history.promise.then(() => detail('c1', 'Deals', [...EARLIER, ...SO_FAR])),
    });
    renderApp('/chat/c1');
    await waitFor(() => expect(server.sent('subscribe')).toHaveLength(1), { timeout: 5000 });
    const { run, sofar } = replay();
    server.push(subscribed('c1', 'r1'), ...sofar, run.text(' Almost there.'));
    history.resolve(null);
    await screen.findByText('Hi! Ask me anything.');
    const answers = screen.getAllByTestId('answer');
    expect(answers).toHaveLength(2);
    expect(within(answers[1]!).getByTestId('answer-note')).toHaveTextContent(/^Let me count the deals\.$/);
    expect(within(answers[1]!).getByTestId('answer-text')).toHaveTextContent(/^Almost there\.$/);
    expect(within(transcript()).getAllByText(QUESTION)).toHaveLength(1);
    expect(screen.getAllByTestId('tool-step')).toHaveLength(1);
  });
});
