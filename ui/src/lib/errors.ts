/**
 * Error codes → sentences a sales manager understands. The code is never shown alone: the
 * sentence is the headline and the server's own message, when it adds something, the detail.
 */
import { isApiError } from '../api/client';

export interface ErrorText {
  title: string;
  detail: string | null;
}

const SENTENCES: Record<string, string> = {
  // REST (ErrorCode in the OpenAPI document) and client-side codes
  network_error: "We couldn't reach Revtops. Check your connection and try again.",
  invalid_response: 'Revtops sent an answer we could not read. Try again in a moment.',
  bad_request: "Something in that request wasn't right.",
  invalid_body: "Something in that request wasn't right.",
  unauthorized: 'Your session ended. Sign in again.',
  forbidden: "You don't have permission to do that.",
  not_found: "We couldn't find that. It may have been removed.",
  method_not_allowed: "That action isn't available.",
  conflict: 'That clashes with something that already exists.',
  payload_too_large: 'That is too large to send.',
  unsupported_media_type: "Something in that request wasn't right.",
  validation_failed: 'Some details need fixing.',
  rate_limited: "You're going a bit fast. Wait a moment and try again.",
  internal: 'Something went wrong on our side. Try again in a moment.',
  unavailable: 'Part of Revtops is unavailable right now. Try again shortly.',
  query_rejected: "That query couldn't run.",
  integrations_unavailable: "Connecting data sources isn't set up on this server yet.",
  // Chat socket codes
  invalid_frame: 'Your browser sent something the server did not understand. Reload the page.',
  frame_too_large: 'That message is too long to send.',
  invalid_message: "That question can't be sent as it is. Check it and try again.",
  conversation_not_found: "We couldn't find this conversation. It may have been deleted.",
  conversation_busy: 'Revtops is still answering the previous question.',
  not_running: 'There is no answer in progress to stop.',
  no_organization: 'Create or join an organization before asking questions.',
  no_model_configured: 'No AI model is set up on this server yet. Ask your administrator to add one.',
  model_unavailable: 'The AI model is busy right now. Try again in a moment.',
  model_error: 'The AI model ran into a problem while answering.',
  iteration_limit: 'This question needed too many steps. Try asking something more specific.',
  token_budget_exceeded: 'Your organization has reached its AI usage limit for now.',
};

const GENERIC = 'Something went wrong. Try again in a moment.';

function sentenceCase(text: string): string {
  const trimmed = text.trim();
  if (!trimmed) return trimmed;
  const first = trimmed.charAt(0).toUpperCase() + trimmed.slice(1);
  return /[.!?…]$/.test(first) ? first : `${first}.`;
}

/** The sentence for a code, or null when the code is unknown. */
export function sentenceFor(code: string): string | null {
  return SENTENCES[code] ?? null;
}

export function waitText(secs: number): string {
  if (secs <= 1) return 'Try again in a second.';
  if (secs < 90) return `Try again in ${secs} seconds.`;
  return `Try again in ${Math.ceil(secs / 60)} minutes.`;
}

/**
 * Describes an error. `overrides` replace the sentence for codes that mean something specific
 * where they happen (a 401 on sign-in is a wrong password, not an ended session).
 */
export function describeError(error: unknown, overrides: Partial<Record<string, string>> = {}): ErrorText {
  if (isApiError(error)) {
    let title = overrides[error.code] ?? sentenceFor(error.code) ?? GENERIC;
    if (error.code === 'rate_limited' && error.retryAfterSecs !== null && !overrides.rate_limited) {
      title = `You're going a bit fast. ${waitText(error.retryAfterSecs)}`;
    }
    const message = error.message?.trim();
    const useless = !message || message === 'internal error' || error.code === 'network_error' || error.code === 'invalid_response';
    const detail = useless || sentenceCase(message) === title ? null : sentenceCase(message);
    return { title, detail };
  }
  if (error instanceof Error && error.name === 'AbortError') return { title: 'The request was cancelled.', detail: null };
  return { title: GENERIC, detail: error instanceof Error && error.message ? sentenceCase(error.message) : null };
}

/** For protocol errors (socket frames): code + server message. */
export function describeCode(code: string, message: string | null): ErrorText {
  const title = sentenceFor(code) ?? GENERIC;
  const detail = message && sentenceCase(message) !== title ? sentenceCase(message) : null;
  return { title, detail };
}
