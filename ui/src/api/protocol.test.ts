import { describe, expect, it } from 'vitest';
import fixture from './__fixtures__/frames.json';
import {
  CLIENT_FRAME_TYPES,
  type ClientFrame,
  SERVER_FRAME_TYPES,
  ackedClientMessageId,
  authFrame,
  cancelFrame,
  isRunFrame,
  parseChartSpec,
  parseClientFrame,
  parseHistoryBlocks,
  parseServerFrame,
  pingFrame,
  retryFrame,
  sendMessageFrame,
  subscribeFrame,
} from './protocol';

const fixtures = fixture as { server: unknown[]; client: unknown[] };

/** Rebuilds a client frame with the builders the app uses. */
function rebuild(frame: ClientFrame): ClientFrame {
  switch (frame.type) {
    case 'auth':
      return authFrame(frame.token);
    case 'send_message':
      return sendMessageFrame({
        conversationId: frame.conversation_id,
        text: frame.text,
        timeZone: frame.time_zone,
        clientMessageId: frame.client_message_id,
      });
    case 'retry':
      return retryFrame(frame.conversation_id);
    case 'cancel':
      return cancelFrame(frame.conversation_id);
    case 'subscribe':
      return subscribeFrame(frame.conversation_id, frame.run_id, frame.after_seq);
    case 'ping':
      return pingFrame();
  }
}

describe('fixture frames (written by the server tests)', () => {
  it('every server frame parses to itself, and every server kind is covered', () => {
    const kinds = new Set<string>();
    for (const sample of fixtures.server) {
      const parsed = parseServerFrame(JSON.stringify(sample));
      expect(parsed, JSON.stringify(sample)).toEqual(sample);
      kinds.add(parsed!.type);
    }
    expect([...kinds].sort()).toEqual([...SERVER_FRAME_TYPES].sort());
  });

  it('every client frame parses, the builders produce it exactly, and every client kind is covered', () => {
    const kinds = new Set<string>();
    for (const sample of fixtures.client) {
      const parsed = parseClientFrame(JSON.stringify(sample));
      expect(parsed, JSON.stringify(sample)).toEqual(sample);
      expect(rebuild(parsed!)).toEqual(sample);
      kinds.add(parsed!.type);
    }
    expect([...kinds].sort()).toEqual([...CLIENT_FRAME_TYPES].sort());
  });

  it('server frames are not client frames and the other way round', () => {
    for (const sample of fixtures.server) {
      if ((sample as { type: string }).type === 'error') continue;
      expect(parseClientFrame(JSON.stringify(sample))).toBeNull();
    }
    for (const sample of fixtures.client) expect(parseServerFrame(JSON.stringify(sample))).toBeNull();
  });
});

const RUN = { conversation_id: 'c1', run_id: 'r1', seq: 3 };

describe('parseServerFrame', () => {
  it('never throws on junk', () => {
    for (const text of ['', 'nope', '{', 'null', '42', '"x"', '[]', '{}', '{"type":7}', '{"type":"nope"}']) {
      expect(parseServerFrame(text)).toBeNull();
    }
  });

  it('rejects missing or mistyped fields', () => {
    const good = { type: 'text_delta', ...RUN, text: 'hi' };
    expect(parseServerFrame(JSON.stringify(good))).toEqual(good);
    expect(parseServerFrame(JSON.stringify({ ...good, text: 3 }))).toBeNull();
    expect(parseServerFrame(JSON.stringify({ ...good, seq: -1 }))).toBeNull();
    expect(parseServerFrame(JSON.stringify({ ...good, seq: 1.5 }))).toBeNull();
    expect(parseServerFrame(JSON.stringify({ ...good, seq: '3' }))).toBeNull();
    expect(parseServerFrame(JSON.stringify({ ...good, run_id: null }))).toBeNull();
    const { conversation_id: _drop, ...noConversation } = good;
    expect(parseServerFrame(JSON.stringify(noConversation))).toBeNull();
  });

  it('requires nullable fields to be present (null), not absent', () => {
    const ready = { type: 'ready', user_id: 'u1', organization_id: null };
    expect(parseServerFrame(JSON.stringify(ready))).toEqual(ready);
    expect(parseServerFrame(JSON.stringify({ type: 'ready', user_id: 'u1' }))).toBeNull();
    expect(parseServerFrame(JSON.stringify({ ...ready, organization_id: 5 }))).toBeNull();
  });

  it('drops unknown extra fields', () => {
    expect(parseServerFrame('{"type":"pong","extra":1}')).toEqual({ type: 'pong' });
  });

  it('validates tool frames', () => {
    const call = { type: 'tool_call', ...RUN, id: 't1', name: 'run_sql_query', input: { sql: 'select 1' } };
    expect(parseServerFrame(JSON.stringify(call))).toEqual(call);
    expect(parseServerFrame(JSON.stringify({ ...call, input: null }))).toBeNull();
    expect(parseServerFrame(JSON.stringify({ ...call, input: [] }))).toBeNull();

    const result = { type: 'tool_result', ...RUN, id: 't1', status: 'error', summary: 'bad', output: null };
    expect(parseServerFrame(JSON.stringify(result))).toEqual(result);
    expect(parseServerFrame(JSON.stringify({ ...result, status: 'failed' }))).toBeNull();
    expect(parseServerFrame(JSON.stringify({ ...result, output: 'x' }))).toBeNull();
    const { output: _o, ...noOutput } = result;
    expect(parseServerFrame(JSON.stringify(noOutput))).toBeNull();
  });

  it('tells run errors from request errors', () => {
    const runError = {
      type: 'error',
      ...RUN,
      code: 'model_error',
      message: 'x',
      retryable: false,
      client_message_id: null,
    };
    const parsed = parseServerFrame(JSON.stringify(runError));
    expect(parsed).toEqual(runError);
    expect(isRunFrame(parsed!)).toBe(true);
    // A run error never acknowledges a message.
    expect(parseServerFrame(JSON.stringify({ ...runError, client_message_id: 'm1' }))).toBeNull();

    const requestError = {
      type: 'error',
      conversation_id: null,
      run_id: null,
      seq: null,
      client_message_id: 'm1',
      code: 'conversation_busy',
      message: 'busy',
      retryable: false,
    };
    const req = parseServerFrame(JSON.stringify(requestError));
    expect(req).toEqual(requestError);
    expect(isRunFrame(req!)).toBe(false);
    expect(ackedClientMessageId(req!)).toBe('m1');
    expect(parseServerFrame(JSON.stringify({ ...requestError, seq: undefined }))).toBeNull();
    expect(parseServerFrame(JSON.stringify({ ...requestError, retryable: 'no' }))).toBeNull();
  });

  it('validates message_complete usage', () => {
    const done = { type: 'message_complete', ...RUN, usage: { input_tokens: 1, output_tokens: 2 }, stop_reason: 'end_turn' };
    expect(parseServerFrame(JSON.stringify(done))).toEqual(done);
    expect(parseServerFrame(JSON.stringify({ ...done, usage: { input_tokens: 1 } }))).toBeNull();
    expect(parseServerFrame(JSON.stringify({ ...done, usage: null }))).toBeNull();
  });

  it('validates sync progress', () => {
    const p = { type: 'sync_progress', run_id: 'r', provider: 'hubspot', object: 'deals', records: 1, skipped: 0, status: 'succeeded', throttled_for_secs: null, done_in_secs: null };
    expect(parseServerFrame(JSON.stringify(p))).toEqual(p);
    expect(parseServerFrame(JSON.stringify({ ...p, throttled_for_secs: 12 }))).toEqual({ ...p, throttled_for_secs: 12 });
    expect(parseServerFrame(JSON.stringify({ ...p, records: '1' }))).toBeNull();
    expect(parseServerFrame(JSON.stringify({ ...p, throttled_for_secs: -1 }))).toBeNull();
    const eta = { ...p, throttled_for_secs: 60, done_in_secs: 600 };
    expect(parseServerFrame(JSON.stringify(eta))).toEqual(eta);
    expect(parseServerFrame(JSON.stringify({ ...p, done_in_secs: 'soon' }))).toBeNull();
  });
});

describe('parseClientFrame', () => {
  it('rejects bad client frames', () => {
    expect(parseClientFrame('{"type":"subscribe","conversation_id":"c","run_id":null}')).toBeNull();
    expect(parseClientFrame('{"type":"send_message","conversation_id":null,"text":"x"}')).toBeNull();
    expect(parseClientFrame('{"type":"cancel"}')).toBeNull();
    expect(parseClientFrame('garbage')).toBeNull();
  });

  it('builders fill optional fields with null', () => {
    expect(sendMessageFrame({ conversationId: null, text: 'hi' })).toEqual({
      type: 'send_message',
      conversation_id: null,
      text: 'hi',
      time_zone: null,
      client_message_id: null,
    });
    expect(subscribeFrame('c1')).toEqual({ type: 'subscribe', conversation_id: 'c1', run_id: null, after_seq: null });
  });
});

describe('parseChartSpec', () => {
  const spec = { kind: 'line', x: 'month', y: ['won'], series: null, stacked: false, format: null, title: null };
  it('accepts a valid spec and rejects bad ones', () => {
    expect(parseChartSpec(spec)).toEqual(spec);
    expect(parseChartSpec({ ...spec, kind: 'radar' })).toBeNull();
    expect(parseChartSpec({ ...spec, y: 'won' })).toBeNull();
    expect(parseChartSpec({ ...spec, format: 'euro' })).toBeNull();
    expect(parseChartSpec({ ...spec, stacked: undefined })).toBeNull();
    expect(parseChartSpec(null)).toBeNull();
  });
});

describe('parseHistoryBlocks', () => {
  it('keeps the three block kinds and skips the rest', () => {
    expect(
      parseHistoryBlocks([
        { type: 'text', text: 'hi' },
        { type: 'tool_use', id: 't1', name: 'run_sql_query', input: { sql: 'select 1' } },
        { type: 'tool_result', tool_use_id: 't1', content: '{"row_count":1}', is_error: false },
        { type: 'thinking', thinking: '...' },
        { type: 'text', text: 5 },
        null,
      ]),
    ).toEqual([
      { type: 'text', text: 'hi' },
      { type: 'tool_use', id: 't1', name: 'run_sql_query', input: { sql: 'select 1' } },
      { type: 'tool_result', tool_use_id: 't1', content: '{"row_count":1}', is_error: false },
    ]);
    expect(parseHistoryBlocks('nope')).toEqual([]);
    expect(
      parseHistoryBlocks([{ type: 'tool_result', tool_use_id: 't1', content: [{ type: 'text', text: '{"row_count":2}' }] }]),
    ).toEqual([{ type: 'tool_result', tool_use_id: 't1', content: '{"row_count":2}', is_error: false }]);
  });
});
