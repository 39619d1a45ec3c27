import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { ClientFrame, ServerFrame } from './protocol';
import { ChatSocket, type ConnectionState, type SocketLike, backoffDelay } from './socket';

class FakeWebSocket implements SocketLike {
  static instances: FakeWebSocket[] = [];
  readyState = 0;
  readonly sent: ClientFrame[] = [];
  closedWith: number | null = null;
  onopen: ((event: Event) => void) | null = null;
  onmessage: ((event: MessageEvent) => void) | null = null;
  onclose: ((event: CloseEvent) => void) | null = null;
  onerror: ((event: Event) => void) | null = null;

  readonly url: string;
  readonly protocols: string[];

  constructor(url: string, protocols: string[]) {
    this.url = url;
    this.protocols = protocols;
    FakeWebSocket.instances.push(this);
  }

  static get last(): FakeWebSocket {
    const socket = FakeWebSocket.instances.at(-1);
    if (!socket) throw new Error('no socket was created');
    return socket;
  }

  send(data: string): void {
    if (this.readyState !== 1) throw new Error('not open');
    this.sent.push(JSON.parse(data) as ClientFrame);
  }

  close(code = 1000): void {
    this.closedWith = code;
    this.readyState = 3;
  }

  // Server side
  accept(): void {
    this.readyState = 1;
    this.onopen?.(new Event('open'));
    this.push({ type: 'ready', user_id: 'u1', organization_id: 'o1' });
  }

  push(frame: ServerFrame | Record<string, unknown>): void {
    this.onmessage?.({ data: JSON.stringify(frame) } as MessageEvent);
  }

  drop(code = 1006): void {
    this.readyState = 3;
    this.onclose?.({ code } as CloseEvent);
  }

  sentOfType<T extends ClientFrame['type']>(type: T): Extract<ClientFrame, { type: T }>[] {
    return this.sent.filter((f): f is Extract<ClientFrame, { type: T }> => f.type === type);
  }
}

let ids = 0;
let token: string | null = 'tok-1';

function makeSocket(overrides: Partial<ConstructorParameters<typeof ChatSocket>[0]> = {}) {
  const socket = new ChatSocket({
    url: 'ws://test/ws/chat',
    getToken: () => token,
    createSocket: (url, protocols) => new FakeWebSocket(url, protocols),
    random: () => 0.5,
    newId: () => `m${++ids}`,
    timeZone: () => 'Europe/Paris',
    ...overrides,
  });
  const states: ConnectionState[] = [];
  socket.onState((s) => states.push(s));
  return { socket, states };
}

const run = (seq: number, extra: Record<string, unknown> = {}) => ({
  conversation_id: 'c1',
  run_id: 'r1',
  seq,
  ...extra,
});

beforeEach(() => {
  vi.useFakeTimers();
  FakeWebSocket.instances = [];
  ids = 0;
  token = 'tok-1';
});

afterEach(() => {
  vi.useRealTimers();
});

describe('backoffDelay', () => {
  it('doubles from 0.5 s to a 15 s cap', () => {
    const mid = () => 0.5;
    expect([0, 1, 2, 3, 4, 5, 6, 10].map((a) => backoffDelay(a, mid))).toEqual([
      500, 1000, 2000, 4000, 8000, 15000, 15000, 15000,
    ]);
  });

  it('spreads each delay by ±20 % and never exceeds the cap', () => {
    expect(backoffDelay(0, () => 0)).toBe(400);
    expect(backoffDelay(0, () => 1)).toBe(600);
    expect(backoffDelay(8, () => 1)).toBe(15000);
    expect(backoffDelay(8, () => 0)).toBe(12000);
  });
});

describe('ChatSocket', () => {
  it('connects with the bearer subprotocol and waits for ready', () => {
    const { socket, states } = makeSocket();
    socket.connect();
    const ws = FakeWebSocket.last;
    expect(ws.url).toBe('ws://test/ws/chat');
    expect(ws.protocols).toEqual(['bearer', 'tok-1']);
    expect(states).toEqual(['connecting']);

    socket.sendMessage(null, 'hello');
    ws.readyState = 1; // open, but not authenticated yet
    expect(ws.sent).toEqual([]);

    ws.push({ type: 'ready', user_id: 'u1', organization_id: null });
    expect(states).toEqual(['connecting', 'open']);
    expect(ws.sent).toEqual([
      { type: 'send_message', conversation_id: null, text: 'hello', time_zone: 'Europe/Paris', client_message_id: 'm1' },
    ]);
  });

  it('queues messages while down and sends them, in order, once connected', () => {
    const { socket } = makeSocket();
    socket.connect();
    socket.sendMessage('c1', 'first');
    socket.sendMessage('c1', 'second');
    socket.send({ type: 'cancel', conversation_id: 'c1' });
    socket.send({ type: 'ping' }); // never queued
    expect(socket.pending.map((e) => e.frame.text)).toEqual(['first', 'second']);

    FakeWebSocket.last.accept();
    expect(FakeWebSocket.last.sent.map((f) => f.type)).toEqual(['cancel', 'send_message', 'send_message']);
    expect(FakeWebSocket.last.sentOfType('send_message').map((f) => f.text)).toEqual(['first', 'second']);
  });

  it('keeps a message until it is acknowledged and resends it after a reconnect', () => {
    const { socket } = makeSocket();
    socket.connect();
    FakeWebSocket.last.accept();
    const id = socket.sendMessage('c1', 'what is our pipeline?');
    expect(FakeWebSocket.last.sentOfType('send_message')).toHaveLength(1);

    FakeWebSocket.last.drop(1006);
    expect(socket.pending).toHaveLength(1);
    vi.advanceTimersByTime(500);
    const second = FakeWebSocket.last;
    expect(FakeWebSocket.instances).toHaveLength(2);
    second.accept();
    const resent = second.sentOfType('send_message');
    expect(resent).toHaveLength(1);
    expect(resent[0]!.client_message_id).toBe(id);

    second.push({ type: 'run_started', ...run(0), question: 'what is our pipeline?', question_message_id: 'q1', client_message_id: id });
    expect(socket.pending).toHaveLength(0);

    second.drop(1006);
    vi.advanceTimersByTime(500);
    FakeWebSocket.last.accept();
    expect(FakeWebSocket.last.sentOfType('send_message')).toHaveLength(0);
  });

  it.each([
    ['conversation_created', { type: 'conversation_created', conversation_id: 'c9', title: 'T', client_message_id: 'm1' }],
    ['subscribed', { type: 'subscribed', conversation_id: 'c1', running: false, run_id: null, client_message_id: 'm1' }],
    [
      'error',
      {
        type: 'error',
        conversation_id: null,
        run_id: null,
        seq: null,
        client_message_id: 'm1',
        code: 'rate_limited',
        message: 'slow down',
        retryable: true,
      },
    ],
  ])('a %s frame acknowledges the message', (_name, frame) => {
    const { socket } = makeSocket();
    socket.connect();
    FakeWebSocket.last.accept();
    socket.sendMessage(null, 'hi');
    FakeWebSocket.last.push(frame);
    expect(socket.pending).toHaveLength(0);
  });

  it('reports each acknowledgement once', () => {
    const { socket } = makeSocket();
    const acks: string[] = [];
    socket.onAck((id, frame) => acks.push(`${id}:${frame.type}`));
    socket.connect();
    FakeWebSocket.last.accept();
    const id = socket.sendMessage(null, 'hi');
    const ws = FakeWebSocket.last;
    ws.push({ type: 'conversation_created', conversation_id: 'c1', title: 'Hi', client_message_id: id });
    ws.push({ type: 'run_started', ...run(0), question: 'hi', question_message_id: 'q1', client_message_id: id });
    ws.push({ type: 'subscribed', conversation_id: 'c1', running: true, run_id: 'r1', client_message_id: id });
    ws.push({ type: 'run_started', ...run(0), question: 'hi', question_message_id: 'q1', client_message_id: 'someone-else' });
    expect(acks).toEqual([`${id}:conversation_created`]);
  });

  it('passes every valid frame to listeners and ignores junk', () => {
    const { socket } = makeSocket();
    const seen: string[] = [];
    socket.onFrame((f) => seen.push(f.type));
    socket.connect();
    const ws = FakeWebSocket.last;
    ws.accept();
    ws.push({ type: 'pong' });
    ws.push({ type: 'text_delta', ...run(1) }); // no text: invalid
    ws.onmessage?.({ data: 'not json' } as MessageEvent);
    expect(seen).toEqual(['ready', 'pong']);
  });

  it('backs off exponentially between failed attempts and resets after a success', () => {
    const { socket } = makeSocket();
    socket.connect();
    expect(FakeWebSocket.instances).toHaveLength(1);

    const expectNextAttemptAfter = (ms: number) => {
      const before = FakeWebSocket.instances.length;
      FakeWebSocket.last.drop(1006);
      vi.advanceTimersByTime(ms - 1);
      expect(FakeWebSocket.instances).toHaveLength(before);
      vi.advanceTimersByTime(1);
      expect(FakeWebSocket.instances).toHaveLength(before + 1);
    };
    expectNextAttemptAfter(500);
    expectNextAttemptAfter(1000);
    expectNextAttemptAfter(2000);
    expectNextAttemptAfter(4000);
    expectNextAttemptAfter(8000);
    expectNextAttemptAfter(15000);
    expectNextAttemptAfter(15000);

    FakeWebSocket.last.accept(); // success resets the backoff
    expect(socket.state).toBe('open');
    expectNextAttemptAfter(500);
  });

  it('reports connection states', () => {
    const { socket, states } = makeSocket();
    socket.connect();
    FakeWebSocket.last.accept();
    FakeWebSocket.last.drop();
    vi.advanceTimersByTime(500);
    FakeWebSocket.last.accept();
    socket.close();
    expect(states).toEqual(['connecting', 'open', 'reconnecting', 'open', 'closed']);
    expect(FakeWebSocket.last.closedWith).toBe(1000);
  });

  it.each([1008, 4401])('does not reconnect after close code %i and reports the session ended', (code) => {
    const { socket, states } = makeSocket();
    const ended: number[] = [];
    socket.onSessionEnded((c) => ended.push(c));
    socket.connect();
    FakeWebSocket.last.accept();
    socket.sendMessage('c1', 'keep me');
    FakeWebSocket.last.drop(code);
    vi.advanceTimersByTime(60_000);
    expect(FakeWebSocket.instances).toHaveLength(1);
    expect(ended).toEqual([code]);
    expect(states.at(-1)).toBe('closed');
    // The unsent message survives for the next session.
    expect(socket.pending.map((e) => e.frame.text)).toEqual(['keep me']);
  });

  it('reconnects after 4403 (access changed) and says so, keeping unsent messages', () => {
    const { socket } = makeSocket();
    const ended: number[] = [];
    let changed = 0;
    socket.onSessionEnded((c) => ended.push(c));
    socket.onAccessChanged(() => (changed += 1));
    socket.connect();
    FakeWebSocket.last.accept();
    socket.sendMessage('c1', 'still mine');
    FakeWebSocket.last.drop(4403);
    expect(changed).toBe(1);
    vi.advanceTimersByTime(1_000);
    expect(FakeWebSocket.instances).toHaveLength(2);
    FakeWebSocket.last.accept();
    expect(FakeWebSocket.last.sentOfType('send_message').map((f) => f.text)).toEqual(['still mine']);
    expect(ended).toEqual([]);
  });

  it('does not connect without a token', () => {
    token = null;
    const { socket } = makeSocket();
    socket.connect();
    expect(FakeWebSocket.instances).toHaveLength(0);
    expect(socket.state).toBe('closed');
  });

  it('re-subscribes to watched conversations after a reconnect, from the last frame seen', () => {
    const { socket } = makeSocket();
    socket.connect();
    socket.watch('c1');
    socket.watch('c2');
    const first = FakeWebSocket.last;
    first.accept();
    expect(first.sentOfType('subscribe')).toEqual([
      { type: 'subscribe', conversation_id: 'c1', run_id: null, after_seq: null },
      { type: 'subscribe', conversation_id: 'c2', run_id: null, after_seq: null },
    ]);
    first.push({ type: 'run_started', ...run(0), question: 'q', question_message_id: 'q1', client_message_id: null });
    first.push({ type: 'text_delta', ...run(1), text: 'a' });
    first.push({ type: 'text_delta', ...run(2), text: 'b' });
    first.push({ type: 'text_delta', ...run(4), text: 'after a gap' });
    socket.unwatch('c2');

    first.drop();
    vi.advanceTimersByTime(500);
    const second = FakeWebSocket.last;
    second.accept();
    expect(second.sentOfType('subscribe')).toEqual([
      { type: 'subscribe', conversation_id: 'c1', run_id: 'r1', after_seq: 2 },
    ]);
  });

  it('subscribes immediately when watching while connected', () => {
    const { socket } = makeSocket();
    socket.connect();
    FakeWebSocket.last.accept();
    socket.watch('c1');
    expect(FakeWebSocket.last.sentOfType('subscribe')).toHaveLength(1);
  });

  it('watches a conversation it created', () => {
    const { socket } = makeSocket();
    socket.connect();
    FakeWebSocket.last.accept();
    const id = socket.sendMessage(null, 'new question');
    FakeWebSocket.last.push({ type: 'conversation_created', conversation_id: 'c7', title: 'New', client_message_id: id });
    FakeWebSocket.last.drop();
    vi.advanceTimersByTime(500);
    FakeWebSocket.last.accept();
    expect(FakeWebSocket.last.sentOfType('subscribe').map((f) => f.conversation_id)).toEqual(['c7']);
  });

  it('pings when idle and replaces a connection that stays silent', () => {
    const { socket } = makeSocket();
    socket.connect();
    const ws = FakeWebSocket.last;
    ws.accept();
    vi.advanceTimersByTime(24_999);
    expect(ws.sentOfType('ping')).toHaveLength(0);
    vi.advanceTimersByTime(1);
    expect(ws.sentOfType('ping')).toHaveLength(1);

    ws.push({ type: 'pong' });
    vi.advanceTimersByTime(25_000);
    expect(ws.sentOfType('ping')).toHaveLength(2);
    expect(FakeWebSocket.instances).toHaveLength(1);

    vi.advanceTimersByTime(10_000); // no pong this time
    expect(ws.closedWith).toBe(4000);
    expect(socket.state).toBe('reconnecting');
    vi.advanceTimersByTime(500);
    expect(FakeWebSocket.instances).toHaveLength(2);
  });

  it('sending postpones the next ping', () => {
    const { socket } = makeSocket();
    socket.connect();
    const ws = FakeWebSocket.last;
    ws.accept();
    vi.advanceTimersByTime(20_000);
    socket.send({ type: 'cancel', conversation_id: 'c1' });
    vi.advanceTimersByTime(20_000);
    expect(ws.sentOfType('ping')).toHaveLength(0);
    vi.advanceTimersByTime(5_000);
    expect(ws.sentOfType('ping')).toHaveLength(1);
  });

  it('reconnectNow uses the current token and keeps the outbox', () => {
    const { socket } = makeSocket();
    socket.connect();
    FakeWebSocket.last.accept();
    socket.sendMessage('c1', 'pending');
    token = 'tok-2';
    socket.reconnectNow();
    const second = FakeWebSocket.last;
    expect(second.protocols).toEqual(['bearer', 'tok-2']);
    second.accept();
    expect(second.sentOfType('send_message').map((f) => f.text)).toEqual(['pending']);
  });

  it('ignores events from a replaced socket', () => {
    const { socket } = makeSocket();
    const seen: string[] = [];
    socket.onFrame((f) => seen.push(f.type));
    socket.connect();
    const old = FakeWebSocket.last;
    old.accept();
    socket.reconnectNow();
    old.push({ type: 'pong' });
    old.drop(4401);
    expect(seen).toEqual(['ready']);
    expect(socket.state).toBe('connecting');
  });

  it('refuses send_message through send()', () => {
    const { socket } = makeSocket();
    expect(() =>
      socket.send({ type: 'send_message', conversation_id: null, text: 'x', time_zone: null, client_message_id: null }),
    ).toThrow();
  });
});
