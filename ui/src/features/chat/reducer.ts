/**
 * The chat view model of one conversation, as a PURE reducer over (stored history + socket frames).
 *
 * - Frames of a run apply in `seq` order. A duplicate (same run and seq) is ignored; a frame ahead
 *   of a gap is held until the gap fills. A replay (after a reconnect or a reload) re-sends the run
 *   from seq 0 and never duplicates text.
 * - History and live runs merge: stored messages strictly before a live run's question, then the
 *   live run. Once a completed run is in refetched history, history alone renders it (the same
 *   text and steps); its stop reason and error, which history does not store, stay attached.
 */
import type { MessageView } from '../../api/types';
import {
  type HistoryBlock,
  type RequestErrorFrame,
  type RunFrame,
  type ServerFrame,
  type Uuid,
  isRunFrame,
  parseHistoryBlocks,
} from '../../api/protocol';
import {
  type ToolOutputView,
  type ToolStep,
  finishStep,
  newStep,
  parseStoredToolOutput,
  parseToolOutput,
  unfinishedStep,
} from './toolOutput';

export type { ToolStep } from './toolOutput';

export interface TurnError {
  code: string;
  message: string;
  retryable: boolean;
}

export type AnswerPart = { kind: 'text'; text: string } | { kind: 'tool'; step: ToolStep };

export interface ArtifactRef {
  id: Uuid;
  title: string;
}

export interface QuestionTurn {
  kind: 'question';
  key: string;
  /** The stored chat message, once the server has it. */
  messageId: Uuid | null;
  clientMessageId: Uuid | null;
  text: string;
  /** `sending` until the server started answering; `failed` when it refused the message. */
  status: 'sent' | 'sending' | 'failed';
  error: TurnError | null;
}

export interface AnswerTurn {
  kind: 'answer';
  key: string;
  runId: Uuid | null;
  /** Text and tool steps in the order they happened. */
  parts: AnswerPart[];
  /** The Markdown source: the text parts, separated by blank lines. */
  text: string;
  steps: ToolStep[];
  artifacts: ArtifactRef[];
  stopReason: string | null;
  error: TurnError | null;
  streaming: boolean;
  /** Waiting for a free model slot. */
  queued: boolean;
}

export type Turn = QuestionTurn | AnswerTurn;

interface StoredMessage {
  id: Uuid;
  role: 'user' | 'assistant';
  blocks: HistoryBlock[];
}

export interface LiveRun {
  runId: Uuid;
  nextSeq: number;
  /** Frames that arrived ahead of a gap, by seq. */
  held: Record<number, RunFrame>;
  started: boolean;
  question: string | null;
  questionMessageId: Uuid | null;
  clientMessageId: Uuid | null;
  parts: AnswerPart[];
  artifacts: ArtifactRef[];
  queued: boolean;
  error: TurnError | null;
  stopReason: string | null;
  complete: boolean;
}

export interface PendingQuestion {
  clientMessageId: Uuid;
  text: string;
  status: 'sending' | 'failed';
  error: TurnError | null;
}

export interface RunOutcome {
  questionMessageId: Uuid | null;
  stopReason: string | null;
  error: TurnError | null;
}

export interface ChatState {
  conversationId: Uuid | null;
  /** Parsed stored messages; null until the first history load. */
  history: StoredMessage[] | null;
  /** Live runs not (yet) covered by history, oldest first. */
  runs: LiveRun[];
  /** Runs already rendered from history: late frames of theirs are ignored. */
  settledRunIds: Uuid[];
  pending: PendingQuestion[];
  /** How the most recent settled run ended (history does not store it). */
  lastOutcome: RunOutcome | null;
  /** A refusal not tied to a question of ours (e.g. cancel when nothing runs). */
  notice: TurnError | null;
}

export type ChatAction =
  | { type: 'history'; messages: readonly MessageView[] }
  | { type: 'frame'; frame: ServerFrame }
  | { type: 'sent'; clientMessageId: Uuid; text: string }
  | { type: 'discard_pending'; clientMessageId: Uuid }
  | { type: 'dismiss_notice' };

export function initialChatState(conversationId: Uuid | null): ChatState {
  return { conversationId, history: null, runs: [], settledRunIds: [], pending: [], lastOutcome: null, notice: null };
}

// ---------------------------------------------------------------------------------------------
// Reducer

export function chatReducer(state: ChatState, action: ChatAction): ChatState {
  switch (action.type) {
    case 'history':
      return settleRuns({ ...state, history: parseMessages(action.messages) });
    case 'sent':
      if (state.pending.some((p) => p.clientMessageId === action.clientMessageId)) return state;
      return {
        ...state,
        pending: [...state.pending, { clientMessageId: action.clientMessageId, text: action.text, status: 'sending', error: null }],
      };
    case 'discard_pending':
      return { ...state, pending: state.pending.filter((p) => p.clientMessageId !== action.clientMessageId) };
    case 'dismiss_notice':
      return state.notice ? { ...state, notice: null } : state;
    case 'frame':
      return applyFrame(state, action.frame);
  }
}

const isMine = (state: ChatState, clientMessageId: Uuid | null) =>
  clientMessageId !== null && state.pending.some((p) => p.clientMessageId === clientMessageId);

function applyFrame(state: ChatState, frame: ServerFrame): ChatState {
  if (frame.type === 'conversation_created') {
    if (state.conversationId === null && isMine(state, frame.client_message_id)) {
      return { ...state, conversationId: frame.conversation_id };
    }
    return state;
  }
  if (frame.type === 'error' && !isRunFrame(frame)) return applyRequestError(state, frame);
  if (!('conversation_id' in frame) || frame.conversation_id !== state.conversationId || state.conversationId === null) {
    return state;
  }
  if (frame.type === 'subscribed') {
    let next = state;
    if (frame.client_message_id) {
      // Received before: either answered already (history has it) or running (the replay that
      // follows shows the question).
      next = { ...next, pending: next.pending.filter((p) => p.clientMessageId !== frame.client_message_id) };
    }
    // Runs we were following that are not the one in flight ended while we were away.
    const stale = (run: LiveRun) => !run.complete && (!frame.running || run.runId !== frame.run_id);
    if (next.runs.some(stale)) next = { ...next, runs: next.runs.map((r) => (stale(r) ? interrupt(r) : r)) };
    return next;
  }
  if (isRunFrame(frame)) return applyRunFrame(state, frame);
  return state;
}

function applyRequestError(state: ChatState, frame: RequestErrorFrame): ChatState {
  const error = { code: frame.code, message: frame.message, retryable: frame.retryable };
  if (isMine(state, frame.client_message_id)) {
    return {
      ...state,
      pending: state.pending.map((p) =>
        p.clientMessageId === frame.client_message_id ? { ...p, status: 'failed', error } : p,
      ),
    };
  }
  if (frame.conversation_id !== null && frame.conversation_id === state.conversationId) return { ...state, notice: error };
  return state;
}

function applyRunFrame(state: ChatState, frame: RunFrame): ChatState {
  if (state.settledRunIds.includes(frame.run_id)) return state;
  let runs = state.runs;
  let index = runs.findIndex((r) => r.runId === frame.run_id);
  if (index < 0) {
    // A new run supersedes any unfinished earlier one.
    runs = [...runs.map((r) => (r.complete ? r : interrupt(r))), emptyRun(frame.run_id)];
    index = runs.length - 1;
  }
  const run = runs[index]!;
  if (frame.seq < run.nextSeq || run.held[frame.seq]) return runs === state.runs ? state : { ...state, runs };

  let updated: LiveRun;
  if (frame.seq > run.nextSeq) {
    updated = { ...run, held: { ...run.held, [frame.seq]: frame } };
  } else {
    updated = applyInOrder(run, frame);
    const held = { ...updated.held };
    let next = held[updated.nextSeq];
    while (next) {
      delete held[updated.nextSeq];
      updated = applyInOrder({ ...updated, held }, next);
      next = held[updated.nextSeq];
    }
  }
  runs = runs.map((r, i) => (i === index ? updated : r));
  let pending = state.pending;
  if (frame.type === 'run_started' && updated.clientMessageId) {
    pending = pending.filter((p) => p.clientMessageId !== updated.clientMessageId);
  }
  return { ...state, runs, pending };
}

function emptyRun(runId: Uuid): LiveRun {
  return {
    runId,
    nextSeq: 0,
    held: {},
    started: false,
    question: null,
    questionMessageId: null,
    clientMessageId: null,
    parts: [],
    artifacts: [],
    queued: false,
    error: null,
    stopReason: null,
    complete: false,
  };
}

/** The run ended without us seeing its last frame: history will tell the rest. */
function interrupt(run: LiveRun): LiveRun {
  return { ...run, held: {}, complete: true, queued: false, parts: run.parts.map(finishPart) };
}

const finishPart = (part: AnswerPart): AnswerPart =>
  part.kind === 'tool' ? { kind: 'tool', step: unfinishedStep(part.step) } : part;

function applyInOrder(run: LiveRun, frame: RunFrame): LiveRun {
  const next = { ...run, nextSeq: frame.seq + 1 };
  switch (frame.type) {
    case 'run_started':
      return {
        ...next,
        started: true,
        question: frame.question,
        questionMessageId: frame.question_message_id,
        clientMessageId: frame.client_message_id,
      };
    case 'queued':
      return { ...next, queued: true };
    case 'text_delta': {
      const last = next.parts.at(-1);
      const parts: AnswerPart[] =
        last?.kind === 'text'
          ? [...next.parts.slice(0, -1), { kind: 'text', text: last.text + frame.text }]
          : [...next.parts, { kind: 'text', text: frame.text }];
      return { ...next, queued: false, parts };
    }
    case 'tool_call':
      return { ...next, queued: false, parts: [...next.parts, { kind: 'tool', step: newStep(frame.id, frame.name, frame.input) }] };
    case 'tool_result': {
      const output = parseToolOutput(frame.output);
      const parts = next.parts.map((part): AnswerPart =>
        part.kind === 'tool' && part.step.id === frame.id
          ? { kind: 'tool', step: finishStep(part.step, frame.status, output, frame.summary) }
          : part,
      );
      return { ...next, parts };
    }
    case 'artifact_created':
      if (next.artifacts.some((a) => a.id === frame.artifact_id)) return next;
      return { ...next, artifacts: [...next.artifacts, { id: frame.artifact_id, title: frame.title }] };
    case 'error':
      return { ...next, error: { code: frame.code, message: frame.message, retryable: frame.retryable } };
    case 'message_complete':
      return { ...next, complete: true, queued: false, stopReason: frame.stop_reason, parts: next.parts.map(finishPart) };
  }
}

/** Drops completed runs that the (just refetched) history now contains. */
function settleRuns(state: ChatState): ChatState {
  const history = state.history;
  if (!history) return state;
  const contained = (run: LiveRun) => {
    if (!run.complete) return false;
    if (run.questionMessageId === null) return true;
    const at = history.findIndex((m) => m.id === run.questionMessageId);
    return at >= 0 && history.slice(at + 1).some((m) => m.role === 'assistant');
  };
  const settled = state.runs.filter(contained);
  if (settled.length === 0) return state;
  const last = settled.at(-1)!;
  return {
    ...state,
    runs: state.runs.filter((r) => !contained(r)),
    settledRunIds: [...state.settledRunIds, ...settled.map((r) => r.runId)],
    lastOutcome: { questionMessageId: last.questionMessageId, stopReason: last.stopReason, error: last.error },
  };
}

// ---------------------------------------------------------------------------------------------
// History

function parseMessages(messages: readonly MessageView[]): StoredMessage[] {
  return messages
    .filter((m) => m.role === 'user' || m.role === 'assistant')
    .map((m) => ({ id: m.id, role: m.role as 'user' | 'assistant', blocks: parseHistoryBlocks(m.content) }));
}

/** A user message made only of tool results is the tools' answer, not a question. */
const isQuestion = (m: StoredMessage) => m.role === 'user' && m.blocks.some((b) => b.type === 'text');

const questionText = (m: StoredMessage) =>
  m.blocks
    .filter((b) => b.type === 'text')
    .map((b) => b.text)
    .join('\n\n');

function answerTurn(key: string, runId: Uuid | null, rawParts: AnswerPart[], extra: Partial<AnswerTurn> = {}): AnswerTurn {
  const parts = normalizeParts(rawParts);
  const texts = parts.flatMap((p) => (p.kind === 'text' && p.text.length > 0 ? [p.text] : []));
  return {
    kind: 'answer',
    key,
    runId,
    parts,
    text: texts.join('\n\n'),
    steps: parts.flatMap((p) => (p.kind === 'tool' ? [p.step] : [])),
    artifacts: [],
    stopReason: null,
    error: null,
    streaming: false,
    queued: false,
    ...extra,
  };
}

/**
 * Parsed once per stored block (blocks live as long as that history): turns are rebuilt on every
 * frame, and an unchanged output must stay the same object so its table and chart do not redraw.
 */
const storedOutputs = new WeakMap<HistoryBlock, ToolOutputView | null>();

function storedOutput(block: Extract<HistoryBlock, { type: 'tool_result' }>): ToolOutputView | null {
  if (!storedOutputs.has(block)) storedOutputs.set(block, parseStoredToolOutput(block.content, block.is_error));
  return storedOutputs.get(block)!;
}

function historyTurns(messages: StoredMessage[]): Turn[] {
  const turns: Turn[] = [];
  let parts: AnswerPart[] | null = null;
  let answerKey = 'answer:start';

  const closeAnswer = () => {
    if (parts && parts.length > 0) {
      const finished = parts.map(finishPart);
      const artifacts = finished.flatMap((p) =>
        p.kind === 'tool' && p.step.output?.artifactId && p.step.status === 'ok'
          ? [{ id: p.step.output.artifactId, title: p.step.output.title ?? '' }]
          : [],
      );
      turns.push(answerTurn(answerKey, null, finished, { artifacts }));
    }
    parts = null;
  };

  for (const message of messages) {
    if (isQuestion(message)) {
      closeAnswer();
      turns.push({
        kind: 'question',
        key: message.id,
        messageId: message.id,
        clientMessageId: null,
        text: questionText(message),
        status: 'sent',
        error: null,
      });
      answerKey = `answer:${message.id}`;
      continue;
    }
    parts ??= [];
    for (const block of message.blocks) {
      if (block.type === 'text') {
        if (block.text.length > 0) parts.push({ kind: 'text', text: block.text });
      } else if (block.type === 'tool_use') {
        parts.push({ kind: 'tool', step: newStep(block.id, block.name, block.input) });
      } else {
        const output = storedOutput(block);
        parts = parts.map((part): AnswerPart =>
          part.kind === 'tool' && part.step.id === block.tool_use_id
            ? { kind: 'tool', step: finishStep(part.step, block.is_error ? 'error' : 'ok', output, null) }
            : part,
        );
      }
    }
  }
  closeAnswer();
  return turns;
}

/** Merges consecutive text parts (a live run streams one text between two tool steps). */
function normalizeParts(parts: AnswerPart[]): AnswerPart[] {
  const out: AnswerPart[] = [];
  for (const part of parts) {
    if (part.kind === 'text' && part.text.length === 0) continue;
    const last = out.at(-1);
    if (part.kind === 'text' && last?.kind === 'text') out[out.length - 1] = { kind: 'text', text: `${last.text}\n\n${part.text}` };
    else out.push(part);
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// View

/** The turns the chat screen renders, oldest first. */
export function selectTurns(state: ChatState): Turn[] {
  const history = state.history ?? [];
  const runs = state.runs.filter((r) => r.started || r.parts.length > 0);

  // Where the live part begins: strictly before the first live run's question.
  let cut = history.length;
  let retryQuestion: StoredMessage | null = null;
  const first = runs[0];
  if (first) {
    const at = first.questionMessageId ? history.findIndex((m) => m.id === first.questionMessageId) : -1;
    if (at >= 0) {
      cut = at;
      if (first.question === null) retryQuestion = history[at]!;
    } else if (first.question === null && first.started) {
      // A retry without a question id: keep the question, replace what followed it.
      for (let i = history.length - 1; i >= 0; i -= 1) {
        if (isQuestion(history[i]!)) {
          cut = i + 1;
          break;
        }
      }
    }
  }

  const turns = historyTurns(history.slice(0, cut));
  attachOutcome(turns, state.lastOutcome);

  for (const run of runs) {
    // A retry answers the previous question again: its answer replaces the failed one.
    const isRetry = run.started && run.question === null && run.questionMessageId === null;
    if (isRetry && run !== first && turns.at(-1)?.kind === 'answer') turns.pop();
    const text =
      run.question ??
      (run === first && retryQuestion ? questionText(retryQuestion) : null) ??
      (run.questionMessageId ? questionOf(history, run.questionMessageId) : null);
    const questionKey = run.questionMessageId ?? run.clientMessageId ?? `run:${run.runId}`;
    if (text !== null) {
      turns.push({
        kind: 'question',
        key: questionKey,
        messageId: run.questionMessageId,
        clientMessageId: run.clientMessageId,
        text,
        status: 'sent',
        error: null,
      });
    }
    turns.push(
      answerTurn(`answer:${questionKey}`, run.runId, run.parts, {
        artifacts: run.artifacts,
        stopReason: run.stopReason,
        error: run.error,
        streaming: !run.complete,
        queued: run.queued,
      }),
    );
  }

  for (const p of state.pending) {
    turns.push({
      kind: 'question',
      key: p.clientMessageId,
      messageId: null,
      clientMessageId: p.clientMessageId,
      text: p.text,
      status: p.status,
      error: p.error,
    });
  }
  return turns;
}

function questionOf(history: StoredMessage[], id: Uuid): string | null {
  const message = history.find((m) => m.id === id);
  return message ? questionText(message) : null;
}

function attachOutcome(turns: Turn[], outcome: RunOutcome | null): void {
  if (!outcome) return;
  let index = -1;
  if (outcome.questionMessageId) {
    const q = turns.findIndex((t) => t.kind === 'question' && t.messageId === outcome.questionMessageId);
    if (q >= 0 && turns[q + 1]?.kind === 'answer') index = q + 1;
  } else if (turns.at(-1)?.kind === 'answer') {
    index = turns.length - 1;
  }
  const turn = turns[index];
  if (turn?.kind === 'answer') turns[index] = { ...turn, stopReason: outcome.stopReason, error: outcome.error };
}

/** True while an answer is streaming (the composer shows Stop instead of Send). */
export function isRunning(state: ChatState): boolean {
  return state.runs.some((r) => !r.complete);
}

/** The run that failed last and may be retried, if any. */
export function retryableError(state: ChatState): TurnError | null {
  const last = state.runs.at(-1);
  if (last) return last.complete && last.error?.retryable ? last.error : null;
  return state.lastOutcome?.error?.retryable ? state.lastOutcome.error : null;
}
