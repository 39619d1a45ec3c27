/**
 * The chat WebSocket protocol (`/ws/chat`), mirroring the server's protocol module: every frame is
 * JSON text with a `type` tag; optional fields are present with `null`.
 *
 * `parseServerFrame` validates every field's type and answers `null` for anything else (unknown
 * `type`, missing or mistyped field, bad JSON); it never throws. Unknown extra fields are dropped.
 * The stored-history block shapes (`GET /api/chat/conversations/{id}` → `content`, which the
 * OpenAPI document leaves untyped) live here too, with their guard.
 */

export type Uuid = string;

export const MAX_MESSAGE_CHARS = 32_000;

// ---------------------------------------------------------------------------------------------
// Shared shapes

export const CHART_KINDS = ['bar', 'line', 'area', 'pie', 'funnel', 'number', 'table'] as const;
export type ChartKind = (typeof CHART_KINDS)[number];
export const CHART_FORMATS = ['number', 'currency', 'percent'] as const;
export type ChartFormat = (typeof CHART_FORMATS)[number];

export interface ChartSpec {
  kind: ChartKind;
  x: string | null;
  y: string[];
  series: string | null;
  stacked: boolean;
  format: ChartFormat | null;
  title: string | null;
}

export interface Usage {
  input_tokens: number;
  output_tokens: number;
}

export type ToolStatus = 'ok' | 'error';

// ---------------------------------------------------------------------------------------------
// Server → client

export interface ReadyFrame {
  type: 'ready';
  user_id: Uuid;
  organization_id: Uuid | null;
}

export interface ConversationCreatedFrame {
  type: 'conversation_created';
  conversation_id: Uuid;
  title: string;
  client_message_id: Uuid | null;
}

export interface SubscribedFrame {
  type: 'subscribed';
  conversation_id: Uuid;
  running: boolean;
  run_id: Uuid | null;
  client_message_id: Uuid | null;
}

interface RunFrameBase {
  conversation_id: Uuid;
  run_id: Uuid;
  seq: number;
}

export interface RunStartedFrame extends RunFrameBase {
  type: 'run_started';
  question: string | null;
  question_message_id: Uuid | null;
  client_message_id: Uuid | null;
}

export interface QueuedFrame extends RunFrameBase {
  type: 'queued';
}

export interface TextDeltaFrame extends RunFrameBase {
  type: 'text_delta';
  text: string;
}

export interface ToolCallFrame extends RunFrameBase {
  type: 'tool_call';
  id: string;
  name: string;
  input: Record<string, unknown>;
}

export interface ToolResultFrame extends RunFrameBase {
  type: 'tool_result';
  id: string;
  status: ToolStatus;
  summary: string;
  output: Record<string, unknown> | null;
}

export interface ArtifactCreatedFrame extends RunFrameBase {
  type: 'artifact_created';
  artifact_id: Uuid;
  title: string;
}

/** The run failed (it still ends with `message_complete`). */
export interface RunErrorFrame extends RunFrameBase {
  type: 'error';
  code: string;
  message: string;
  retryable: boolean;
  client_message_id: null;
}

export interface MessageCompleteFrame extends RunFrameBase {
  type: 'message_complete';
  usage: Usage;
  stop_reason: string;
}

/** A request refused before any run started. */
export interface RequestErrorFrame {
  type: 'error';
  conversation_id: Uuid | null;
  run_id: null;
  seq: null;
  client_message_id: Uuid | null;
  code: string;
  message: string;
  retryable: boolean;
}

export interface PongFrame {
  type: 'pong';
}

export interface SyncProgressFrame {
  type: 'sync_progress';
  run_id: Uuid;
  provider: string;
  object: string;
  records: number;
  skipped: number;
  status: string | null;
  /** Set while the provider's rate limit holds the run back: it goes on in this many seconds. */
  throttled_for_secs: number | null;
  /** While throttled, when the connector can tell: about this many seconds until the run is done. */
  done_in_secs: number | null;
}

export type RunFrame =
  | RunStartedFrame
  | QueuedFrame
  | TextDeltaFrame
  | ToolCallFrame
  | ToolResultFrame
  | ArtifactCreatedFrame
  | RunErrorFrame
  | MessageCompleteFrame;

export type ServerFrame =
  | ReadyFrame
  | ConversationCreatedFrame
  | SubscribedFrame
  | RunFrame
  | RequestErrorFrame
  | PongFrame
  | SyncProgressFrame;

export type ServerFrameType = ServerFrame['type'];

export const SERVER_FRAME_TYPES = [
  'ready',
  'conversation_created',
  'subscribed',
  'run_started',
  'queued',
  'text_delta',
  'tool_call',
  'tool_result',
  'artifact_created',
  'error',
  'message_complete',
  'pong',
  'sync_progress',
] as const satisfies readonly ServerFrameType[];

/** True for frames that belong to a run (they carry `run_id` and `seq`). */
export function isRunFrame(frame: ServerFrame): frame is RunFrame {
  return 'seq' in frame && typeof frame.seq === 'number';
}

/** The `client_message_id` a frame acknowledges, if any. */
export function ackedClientMessageId(frame: ServerFrame): Uuid | null {
  switch (frame.type) {
    case 'run_started':
    case 'conversation_created':
    case 'subscribed':
    case 'error':
      return frame.client_message_id;
    default:
      return null;
  }
}

// ---------------------------------------------------------------------------------------------
// Client → server

export interface AuthFrame {
  type: 'auth';
  token: string;
}

export interface SendMessageFrame {
  type: 'send_message';
  conversation_id: Uuid | null;
  text: string;
  time_zone: string | null;
  client_message_id: Uuid | null;
}

export interface RetryFrame {
  type: 'retry';
  conversation_id: Uuid;
}

export interface CancelFrame {
  type: 'cancel';
  conversation_id: Uuid;
}

export interface SubscribeFrame {
  type: 'subscribe';
  conversation_id: Uuid;
  run_id: Uuid | null;
  after_seq: number | null;
}

export interface PingFrame {
  type: 'ping';
}

export type ClientFrame = AuthFrame | SendMessageFrame | RetryFrame | CancelFrame | SubscribeFrame | PingFrame;
export type ClientFrameType = ClientFrame['type'];

export const CLIENT_FRAME_TYPES = [
  'auth',
  'send_message',
  'retry',
  'cancel',
  'subscribe',
  'ping',
] as const satisfies readonly ClientFrameType[];

export const authFrame = (token: string): AuthFrame => ({ type: 'auth', token });

export function sendMessageFrame(args: {
  conversationId: Uuid | null;
  text: string;
  timeZone?: string | null;
  clientMessageId?: Uuid | null;
}): SendMessageFrame {
  return {
    type: 'send_message',
    conversation_id: args.conversationId,
    text: args.text,
    time_zone: args.timeZone ?? null,
    client_message_id: args.clientMessageId ?? null,
  };
}

export const retryFrame = (conversationId: Uuid): RetryFrame => ({ type: 'retry', conversation_id: conversationId });

export const cancelFrame = (conversationId: Uuid): CancelFrame => ({ type: 'cancel', conversation_id: conversationId });

export function subscribeFrame(conversationId: Uuid, runId: Uuid | null = null, afterSeq: number | null = null): SubscribeFrame {
  return { type: 'subscribe', conversation_id: conversationId, run_id: runId, after_seq: afterSeq };
}

export const pingFrame = (): PingFrame => ({ type: 'ping' });

/** The browser's IANA time zone, or null when it cannot tell. */
export function browserTimeZone(): string | null {
  try {
    return Intl.DateTimeFormat().resolvedOptions().timeZone || null;
  } catch {
    return null;
  }
}

// ---------------------------------------------------------------------------------------------
// Field readers: each returns `BAD` when the field is missing or has the wrong type.

const BAD = Symbol('bad');
type Bad = typeof BAD;
type Obj = Record<string, unknown>;

export function isObject(value: unknown): value is Obj {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

const has = (o: Obj, key: string) => Object.prototype.hasOwnProperty.call(o, key);

function str(o: Obj, key: string): string | Bad {
  const v = o[key];
  return typeof v === 'string' ? v : BAD;
}

function strOrNull(o: Obj, key: string): string | null | Bad {
  if (!has(o, key)) return BAD;
  const v = o[key];
  return v === null ? null : typeof v === 'string' ? v : BAD;
}

function bool(o: Obj, key: string): boolean | Bad {
  const v = o[key];
  return typeof v === 'boolean' ? v : BAD;
}

function count(o: Obj, key: string): number | Bad {
  const v = o[key];
  return typeof v === 'number' && Number.isInteger(v) && v >= 0 ? v : BAD;
}

function countOrNull(o: Obj, key: string): number | null | Bad {
  if (!has(o, key)) return BAD;
  return o[key] === null ? null : count(o, key);
}

function obj(o: Obj, key: string): Obj | Bad {
  const v = o[key];
  return isObject(v) ? v : BAD;
}

function objOrNull(o: Obj, key: string): Obj | null | Bad {
  if (!has(o, key)) return BAD;
  const v = o[key];
  return v === null ? null : isObject(v) ? v : BAD;
}

function isNull(o: Obj, key: string): null | Bad {
  return has(o, key) && o[key] === null ? null : BAD;
}

/** Builds the frame unless a field was `BAD`. */
function build<T>(fields: { [K in keyof T]: T[K] | Bad }): T | null {
  for (const value of Object.values(fields)) if (value === BAD) return null;
  return fields as T;
}

function runBase(o: Obj): RunFrameBase | null {
  return build<RunFrameBase>({ conversation_id: str(o, 'conversation_id'), run_id: str(o, 'run_id'), seq: count(o, 'seq') });
}

function parseUsage(o: Obj): Usage | Bad {
  const u = obj(o, 'usage');
  if (u === BAD) return BAD;
  return build<Usage>({ input_tokens: count(u, 'input_tokens'), output_tokens: count(u, 'output_tokens') }) ?? BAD;
}

function parseRunFrame(o: Obj, type: RunFrame['type']): RunFrame | null {
  const base = runBase(o);
  if (!base) return null;
  switch (type) {
    case 'run_started':
      return build<RunStartedFrame>({
        type,
        ...base,
        question: strOrNull(o, 'question'),
        question_message_id: strOrNull(o, 'question_message_id'),
        client_message_id: strOrNull(o, 'client_message_id'),
      });
    case 'queued':
      return { type, ...base };
    case 'text_delta':
      return build<TextDeltaFrame>({ type, ...base, text: str(o, 'text') });
    case 'tool_call':
      return build<ToolCallFrame>({ type, ...base, id: str(o, 'id'), name: str(o, 'name'), input: obj(o, 'input') });
    case 'tool_result': {
      const status = o.status === 'ok' || o.status === 'error' ? o.status : BAD;
      return build<ToolResultFrame>({
        type,
        ...base,
        id: str(o, 'id'),
        status,
        summary: str(o, 'summary'),
        output: objOrNull(o, 'output'),
      });
    }
    case 'artifact_created':
      return build<ArtifactCreatedFrame>({ type, ...base, artifact_id: str(o, 'artifact_id'), title: str(o, 'title') });
    case 'error':
      return build<RunErrorFrame>({
        type,
        ...base,
        code: str(o, 'code'),
        message: str(o, 'message'),
        retryable: bool(o, 'retryable'),
        client_message_id: isNull(o, 'client_message_id'),
      });
    case 'message_complete':
      return build<MessageCompleteFrame>({ type, ...base, usage: parseUsage(o), stop_reason: str(o, 'stop_reason') });
  }
}

/** Validates a parsed JSON value as a server frame. */
export function toServerFrame(value: unknown): ServerFrame | null {
  if (!isObject(value) || typeof value.type !== 'string') return null;
  const o = value;
  switch (value.type) {
    case 'ready':
      return build<ReadyFrame>({ type: 'ready', user_id: str(o, 'user_id'), organization_id: strOrNull(o, 'organization_id') });
    case 'conversation_created':
      return build<ConversationCreatedFrame>({
        type: 'conversation_created',
        conversation_id: str(o, 'conversation_id'),
        title: str(o, 'title'),
        client_message_id: strOrNull(o, 'client_message_id'),
      });
    case 'subscribed':
      return build<SubscribedFrame>({
        type: 'subscribed',
        conversation_id: str(o, 'conversation_id'),
        running: bool(o, 'running'),
        run_id: strOrNull(o, 'run_id'),
        client_message_id: strOrNull(o, 'client_message_id'),
      });
    case 'run_started':
    case 'queued':
    case 'text_delta':
    case 'tool_call':
    case 'tool_result':
    case 'artifact_created':
    case 'message_complete':
      return parseRunFrame(o, value.type);
    case 'error':
      // A run error carries run_id and seq; a refused request has both null.
      if (o.run_id === null && o.seq === null) {
        return build<RequestErrorFrame>({
          type: 'error',
          conversation_id: strOrNull(o, 'conversation_id'),
          run_id: null,
          seq: null,
          client_message_id: strOrNull(o, 'client_message_id'),
          code: str(o, 'code'),
          message: str(o, 'message'),
          retryable: bool(o, 'retryable'),
        });
      }
      return parseRunFrame(o, 'error');
    case 'pong':
      return { type: 'pong' };
    case 'sync_progress':
      return build<SyncProgressFrame>({
        type: 'sync_progress',
        run_id: str(o, 'run_id'),
        provider: str(o, 'provider'),
        object: str(o, 'object'),
        records: count(o, 'records'),
        skipped: count(o, 'skipped'),
        status: strOrNull(o, 'status'),
        throttled_for_secs: countOrNull(o, 'throttled_for_secs'),
        done_in_secs: countOrNull(o, 'done_in_secs'),
      });
    default:
      return null;
  }
}

/** Parses one WebSocket text message; `null` for anything that is not a valid server frame. */
export function parseServerFrame(text: string): ServerFrame | null {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return null;
  }
  return toServerFrame(value);
}

/** Validates a client frame (used by tests against the server's fixtures). */
export function toClientFrame(value: unknown): ClientFrame | null {
  if (!isObject(value) || typeof value.type !== 'string') return null;
  const o = value;
  switch (value.type) {
    case 'auth':
      return build<AuthFrame>({ type: 'auth', token: str(o, 'token') });
    case 'send_message':
      return build<SendMessageFrame>({
        type: 'send_message',
        conversation_id: strOrNull(o, 'conversation_id'),
        text: str(o, 'text'),
        time_zone: strOrNull(o, 'time_zone'),
        client_message_id: strOrNull(o, 'client_message_id'),
      });
    case 'retry':
      return build<RetryFrame>({ type: 'retry', conversation_id: str(o, 'conversation_id') });
    case 'cancel':
      return build<CancelFrame>({ type: 'cancel', conversation_id: str(o, 'conversation_id') });
    case 'subscribe': {
      const afterSeq = !has(o, 'after_seq') ? BAD : o.after_seq === null ? null : count(o, 'after_seq');
      return build<SubscribeFrame>({
        type: 'subscribe',
        conversation_id: str(o, 'conversation_id'),
        run_id: strOrNull(o, 'run_id'),
        after_seq: afterSeq,
      });
    }
    case 'ping':
      return { type: 'ping' };
    default:
      return null;
  }
}

export function parseClientFrame(text: string): ClientFrame | null {
  try {
    return toClientFrame(JSON.parse(text));
  } catch {
    return null;
  }
}

// ---------------------------------------------------------------------------------------------
// Chart spec and tool output (the `output` of a tool_result, and the JSON text stored in
// history's tool_result blocks).

export function parseChartSpec(value: unknown): ChartSpec | null {
  if (!isObject(value)) return null;
  const kind = CHART_KINDS.find((k) => k === value.kind);
  const y = Array.isArray(value.y) && value.y.every((c) => typeof c === 'string') ? (value.y as string[]) : null;
  const format = value.format === null ? null : CHART_FORMATS.find((f) => f === value.format);
  if (!kind || !y || format === undefined) return null;
  const spec = build<ChartSpec>({
    kind,
    x: strOrNull(value, 'x'),
    y,
    series: strOrNull(value, 'series'),
    stacked: bool(value, 'stacked'),
    format,
    title: strOrNull(value, 'title'),
  });
  return spec;
}

// ---------------------------------------------------------------------------------------------
// Stored history blocks

export type HistoryBlock =
  | { type: 'text'; text: string }
  | { type: 'tool_use'; id: string; name: string; input: Record<string, unknown> }
  | { type: 'tool_result'; tool_use_id: string; content: string; is_error: boolean };

/** Validates a message's `content`; blocks of unknown types are skipped, bad blocks too. */
export function parseHistoryBlocks(content: unknown): HistoryBlock[] {
  if (!Array.isArray(content)) return [];
  const blocks: HistoryBlock[] = [];
  for (const raw of content) {
    if (!isObject(raw)) continue;
    let block: HistoryBlock | null = null;
    if (raw.type === 'text') block = build({ type: 'text' as const, text: str(raw, 'text') });
    else if (raw.type === 'tool_use') {
      block = build({ type: 'tool_use' as const, id: str(raw, 'id'), name: str(raw, 'name'), input: obj(raw, 'input') });
    } else if (raw.type === 'tool_result') {
      // The server stores a JSON string; the Anthropic shape also allows a list of text blocks.
      const content = Array.isArray(raw.content)
        ? raw.content.flatMap((c) => (isObject(c) && c.type === 'text' && typeof c.text === 'string' ? [c.text] : [])).join('')
        : str(raw, 'content');
      block = build({
        type: 'tool_result' as const,
        tool_use_id: str(raw, 'tool_use_id'),
        content,
        is_error: typeof raw.is_error === 'boolean' ? raw.is_error : false,
      });
    }
    if (block) blocks.push(block);
  }
  return blocks;
}
