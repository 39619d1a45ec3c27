/** Chat errors in words that say what to do; the server's message is the detail. */
import { type ErrorText, describeCode } from '../../lib/errors';

const CHAT_SENTENCES: Record<string, string> = {
  no_model_configured:
    'No AI model is set up on this server yet. Ask your administrator to set ANTHROPIC_API_KEY (or LLM_PROVIDER=openai with OPENAI_BASE_URL) and restart Revtops.',
};

export function describeChatError(error: { code: string; message: string }): ErrorText {
  const text = describeCode(error.code, error.message);
  const override = CHAT_SENTENCES[error.code];
  // The override already names the settings the server's message lists.
  return override ? { title: override, detail: null } : text;
}

export const CHAT_OFF_TEXT =
  'Chat is not configured on this server: no AI model is set up. Ask your administrator to set ANTHROPIC_API_KEY (or LLM_PROVIDER=openai with OPENAI_BASE_URL) and restart Revtops.';
