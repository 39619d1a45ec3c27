/**
 * The chat socket: one WebSocket to `/ws/chat`, framework-free.
 *
 * - Authenticates with the subprotocols `['bearer', token]` and waits for `ready`.
 * - Outbox: `send_message` frames carry a fresh `client_message_id` and stay queued until a frame
 *   acknowledges that id (`run_started`, `conversation_created`, `subscribed`, `error`). Frames
 *   sent while disconnected wait; after a reconnect every unacknowledged message is sent again
 *   (the server de-duplicates by client_message_id), so a sent message is never lost.
 * - Reconnects with exponential backoff and jitter, reset once a connection reaches `ready`; then
 *   subscribes again to every watched conversation from the last frame it saw.
 * - Close codes 1008 and 4401 mean the session ended: no reconnect, `sessionEnded` fires. 4403
 *   means the user's access changed (removed from the organization, another role): `accessChanged`
 *   fires and the socket reconnects at once, as whoever the user is now.
 * - Sends `ping` when nothing was sent for a while; a connection that then stays silent is
 *   treated as dead and replaced.
 */
import {
  type ClientFrame,
  type SendMessageFrame,
  type ServerFrame,
  type Uuid,
  ackedClientMessageId,
  browserTimeZone,
  isRunFrame,
  parseServerFrame,
  pingFrame,
  sendMessageFrame,
  subscribeFrame,
} from './protocol';

export type ConnectionState = 'idle' | 'connecting' | 'open' | 'reconnecting' | 'closed';

/** Close codes after which the socket must not reconnect: the session is over. */
export const SESSION_ENDED_CODES: ReadonlySet<number> = new Set([1008, 4401]);
export const ACCESS_CHANGED_CODE = 4403;

/** The subset of the browser WebSocket this client uses (a fake implements it in tests). */
export interface SocketLike {
  readonly readyState: number;
  send(data: string): void;
  close(code?: number, reason?: string): void;
  onopen: ((event: Event) => void) | null;
  onmessage: ((event: MessageEvent) => void) | null;
  onclose: ((event: CloseEvent) => void) | null;
  onerror: ((event: Event) => void) | null;
}

export type SocketFactory = (url: string, protocols: string[]) => SocketLike;

export interface BackoffOptions {
  initialMs: number;
  maxMs: number;
  /** 0.2 spreads each delay over ±20 %. */
  jitter: number;
}

export const DEFAULT_BACKOFF: BackoffOptions = { initialMs: 500, maxMs: 15_000, jitter: 0.2 };

/** Delay before reconnect attempt `attempt` (0 = first retry): doubles from `initialMs` up to `maxMs`. */
export function backoffDelay(attempt: number, random: () => number = Math.random, options = DEFAULT_BACKOFF): number {
  const base = Math.min(options.maxMs, options.initialMs * 2 ** Math.max(0, attempt));
  const spread = 1 - options.jitter + 2 * options.jitter * random();
  return Math.round(Math.min(options.maxMs, base * spread));
}

export interface ChatSocketOptions {
  /** The current session token; null means signed out (the socket stays closed). */
  getToken: () => string | null;
  /** Defaults to `ws(s)://<host>/ws/chat` of the current page. */
  url?: string;
  /** Defaults to the browser WebSocket. */
  createSocket?: SocketFactory;
  backoff?: BackoffOptions;
  random?: () => number;
  /** Ping after this long without sending anything (default 25 s). */
  pingIntervalMs?: number;
  /** A connection silent this long after a ping is replaced (default 10 s). */
  pongTimeoutMs?: number;
  newId?: () => Uuid;
  timeZone?: () => string | null;
}

export interface OutboxEntry {
  clientMessageId: Uuid;
  frame: SendMessageFrame;
}

interface WatchCursor {
  runId: Uuid | null;
  /** Highest seq seen without a gap in `runId`. */
  seq: number | null;
}

type FrameListener = (frame: ServerFrame) => void;
type StateListener = (state: ConnectionState) => void;
type AckListener = (clientMessageId: Uuid, frame: ServerFrame) => void;
type SessionEndedListener = (closeCode: number) => void;

export function defaultSocketUrl(): string {
  const { protocol, host } = window.location;
  return `${protocol === 'https:' ? 'wss' : 'ws'}://${host}/ws/chat`;
}

const OPEN = 1;

export class ChatSocket {
  private readonly options: Required<Omit<ChatSocketOptions, 'url'>> & { url: string | undefined };
  private socket: SocketLike | null = null;
  private ready = false;
  private stateValue: ConnectionState = 'idle';
  private attempt = 0;
  private reconnectTimer: ReturnType<typeof setTimeout> | null = null;
  private pingTimer: ReturnType<typeof setTimeout> | null = null;
  private pongTimer: ReturnType<typeof setTimeout> | null = null;
  private stopped = true;
  private readonly outbox: OutboxEntry[] = [];
  /** Frames other than send_message queued while down; sent once on the next `ready`. */
  private readonly queued: ClientFrame[] = [];
  private readonly acked = new Set<Uuid>();
  private readonly watched = new Map<Uuid, WatchCursor>();
  private readonly frameListeners = new Set<FrameListener>();
  private readonly stateListeners = new Set<StateListener>();
  private readonly ackListeners = new Set<AckListener>();
  private readonly sessionEndedListeners = new Set<SessionEndedListener>();
  private readonly accessChangedListeners = new Set<() => void>();

  constructor(options: ChatSocketOptions) {
    this.options = {
      url: options.url,
      getToken: options.getToken,
      createSocket: options.createSocket ?? ((url, protocols) => new WebSocket(url, protocols)),
      backoff: options.backoff ?? DEFAULT_BACKOFF,
      random: options.random ?? Math.random,
      pingIntervalMs: options.pingIntervalMs ?? 25_000,
      pongTimeoutMs: options.pongTimeoutMs ?? 10_000,
      newId: options.newId ?? (() => crypto.randomUUID()),
      timeZone: options.timeZone ?? browserTimeZone,
    };
  }

  get state(): ConnectionState {
    return this.stateValue;
  }

  /** Unacknowledged messages, oldest first. */
  get pending(): readonly OutboxEntry[] {
    return this.outbox;
  }

  /** Opens the connection (no-op when already started). */
  connect(): void {
    if (!this.stopped) return;
    this.stopped = false;
    this.attempt = 0;
    this.open();
  }

  /** Closes for good (sign-out, leaving the chat). The outbox is kept for a later `connect()`. */
  close(): void {
    this.stopped = true;
    this.clearTimers();
    this.dropSocket(1000, 'closed by the client');
    this.setState('closed');
  }

  /** Replaces the connection now, e.g. after the token was refreshed. */
  reconnectNow(): void {
    if (this.stopped) return;
    this.clearTimers();
    this.dropSocket(1000, 'reconnecting');
    this.attempt = 0;
    this.open();
  }

  /**
   * Queues a question and returns its client_message_id. It is sent now when connected, otherwise
   * on the next connection, and again after every reconnect until acknowledged.
   */
  sendMessage(conversationId: Uuid | null, text: string): Uuid {
    const clientMessageId = this.options.newId();
    const frame = sendMessageFrame({ conversationId, text, timeZone: this.options.timeZone(), clientMessageId });
    this.outbox.push({ clientMessageId, frame });
    if (this.ready) this.transmit(frame);
    return clientMessageId;
  }

  /** Sends any other frame now, or once connected (cancel, retry, …). Pings are never queued. */
  send(frame: ClientFrame): void {
    if (frame.type === 'send_message') {
      throw new Error('use sendMessage() so the message goes through the outbox');
    }
    if (this.ready) this.transmit(frame);
    else if (frame.type !== 'ping') this.queued.push(frame);
  }

  /** Follows a conversation: subscribes now and again after every reconnect. */
  watch(conversationId: Uuid): void {
    if (!this.watched.has(conversationId)) this.watched.set(conversationId, { runId: null, seq: null });
    if (this.ready) this.transmit(this.subscribeFor(conversationId));
  }

  unwatch(conversationId: Uuid): void {
    this.watched.delete(conversationId);
  }

  onFrame(listener: FrameListener): () => void {
    this.frameListeners.add(listener);
    return () => this.frameListeners.delete(listener);
  }

  onState(listener: StateListener): () => void {
    this.stateListeners.add(listener);
    return () => this.stateListeners.delete(listener);
  }

  /** Fires once per client_message_id, with the first frame that acknowledged it. */
  onAck(listener: AckListener): () => void {
    this.ackListeners.add(listener);
    return () => this.ackListeners.delete(listener);
  }

  onSessionEnded(listener: SessionEndedListener): () => void {
    this.sessionEndedListeners.add(listener);
    return () => this.sessionEndedListeners.delete(listener);
  }

  /** The server closed the socket because the user's organization or role changed. */
  onAccessChanged(listener: () => void): () => void {
    this.accessChangedListeners.add(listener);
    return () => this.accessChangedListeners.delete(listener);
  }

  // -------------------------------------------------------------------------------------------

  private open(): void {
    const token = this.options.getToken();
    if (!token) {
      this.stopped = true;
      this.setState('closed');
      return;
    }
    this.setState(this.attempt === 0 && this.stateValue !== 'reconnecting' ? 'connecting' : 'reconnecting');
    const url = this.options.url ?? defaultSocketUrl();
    let socket: SocketLike;
    try {
      socket = this.options.createSocket(url, ['bearer', token]);
    } catch {
      this.scheduleReconnect();
      return;
    }
    this.socket = socket;
    this.ready = false;
    socket.onmessage = (event) => {
      if (this.socket !== socket) return;
      if (typeof event.data === 'string') this.receive(event.data);
    };
    socket.onclose = (event) => {
      if (this.socket !== socket) return;
      this.handleClose(event.code);
    };
    socket.onerror = () => {
      // A close event follows; it decides what happens next.
    };
    socket.onopen = () => {
      // Authentication is in the subprotocol; the server answers `ready` when it accepted it.
    };
  }

  private receive(text: string): void {
    this.clearPongTimer();
    const frame = parseServerFrame(text);
    if (!frame) return;
    if (frame.type === 'ready') {
      this.ready = true;
      this.attempt = 0;
      this.setState('open');
      this.flush();
    }
    this.track(frame);
    const acked = ackedClientMessageId(frame);
    if (acked) this.acknowledge(acked, frame);
    for (const listener of [...this.frameListeners]) listener(frame);
  }

  private acknowledge(clientMessageId: Uuid, frame: ServerFrame): void {
    const index = this.outbox.findIndex((e) => e.clientMessageId === clientMessageId);
    if (index >= 0) this.outbox.splice(index, 1);
    if (this.acked.has(clientMessageId)) return;
    if (index < 0) return; // not ours (another tab, or an older session)
    this.acked.add(clientMessageId);
    for (const listener of [...this.ackListeners]) listener(clientMessageId, frame);
  }

  /** Keeps, per watched conversation, the last run frame seen without a gap. */
  private track(frame: ServerFrame): void {
    if (frame.type === 'conversation_created' && frame.client_message_id) {
      const mine = this.outbox.some((e) => e.clientMessageId === frame.client_message_id);
      if (mine && !this.watched.has(frame.conversation_id)) {
        this.watched.set(frame.conversation_id, { runId: null, seq: null });
      }
      return;
    }
    if (!isRunFrame(frame)) return;
    const cursor = this.watched.get(frame.conversation_id);
    if (!cursor) return;
    if (frame.run_id !== cursor.runId) {
      if (frame.seq === 0) {
        cursor.runId = frame.run_id;
        cursor.seq = 0;
      }
      return;
    }
    if (cursor.seq !== null && frame.seq === cursor.seq + 1) cursor.seq = frame.seq;
  }

  private subscribeFor(conversationId: Uuid) {
    const cursor = this.watched.get(conversationId);
    return cursor && cursor.runId !== null && cursor.seq !== null
      ? subscribeFrame(conversationId, cursor.runId, cursor.seq)
      : subscribeFrame(conversationId);
  }

  /** After `ready`: re-subscribe, then queued frames, then every unacknowledged message. */
  private flush(): void {
    for (const conversationId of this.watched.keys()) this.transmit(this.subscribeFor(conversationId));
    for (const frame of this.queued.splice(0)) this.transmit(frame);
    for (const entry of [...this.outbox]) this.transmit(entry.frame);
    this.schedulePing();
  }

  private transmit(frame: ClientFrame): void {
    const socket = this.socket;
    if (!socket || socket.readyState !== OPEN) return;
    try {
      socket.send(JSON.stringify(frame));
    } catch {
      return;
    }
    this.schedulePing();
  }

  private schedulePing(): void {
    if (this.pingTimer) clearTimeout(this.pingTimer);
    this.pingTimer = setTimeout(() => {
      this.pingTimer = null;
      if (!this.ready) return;
      this.transmit(pingFrame());
      this.clearPongTimer();
      this.pongTimer = setTimeout(() => {
        this.pongTimer = null;
        // No answer at all: the connection is dead even if the browser has not noticed.
        const socket = this.socket;
        this.dropSocket(4000, 'no answer to ping');
        if (socket) this.handleClose(1006);
      }, this.options.pongTimeoutMs);
    }, this.options.pingIntervalMs);
  }

  private handleClose(code: number): void {
    this.socket = null;
    this.ready = false;
    this.clearTimers();
    if (this.stopped) return;
    if (SESSION_ENDED_CODES.has(code)) {
      this.stopped = true;
      this.setState('closed');
      for (const listener of [...this.sessionEndedListeners]) listener(code);
      return;
    }
    if (code === ACCESS_CHANGED_CODE) {
      for (const listener of [...this.accessChangedListeners]) listener();
      this.attempt = 0;
    }
    this.scheduleReconnect();
  }

  private scheduleReconnect(): void {
    this.setState('reconnecting');
    const delay = backoffDelay(this.attempt, this.options.random, this.options.backoff);
    this.attempt += 1;
    this.reconnectTimer = setTimeout(() => {
      this.reconnectTimer = null;
      if (!this.stopped) this.open();
    }, delay);
  }

  private dropSocket(code: number, reason: string): void {
    const socket = this.socket;
    this.socket = null;
    this.ready = false;
    if (!socket) return;
    socket.onopen = socket.onmessage = socket.onclose = socket.onerror = null;
    try {
      socket.close(code, reason);
    } catch {
      // already closed
    }
  }

  private clearPongTimer(): void {
    if (this.pongTimer) clearTimeout(this.pongTimer);
    this.pongTimer = null;
  }

  private clearTimers(): void {
    if (this.reconnectTimer) clearTimeout(this.reconnectTimer);
    if (this.pingTimer) clearTimeout(this.pingTimer);
    this.reconnectTimer = this.pingTimer = null;
    this.clearPongTimer();
  }

  private setState(state: ConnectionState): void {
    if (state === this.stateValue) return;
    this.stateValue = state;
    for (const listener of [...this.stateListeners]) listener(state);
  }
}
