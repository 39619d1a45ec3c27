import { MessageSquare } from 'lucide-react';
import { SUGGESTIONS } from './suggestions';

/** An empty conversation: what to ask, with suggestions that ask themselves. */
export function Welcome({ onAsk, disabled, isPageTitle }: { onAsk: (text: string) => void; disabled: boolean; isPageTitle: boolean }) {
  const Heading = isPageTitle ? 'h1' : 'h2';
  return (
    <section aria-labelledby="chat-welcome" className="py-6">
      <MessageSquare className="size-8 text-brand-600" aria-hidden="true" />
      <Heading id="chat-welcome" className="mt-3 text-2xl font-semibold tracking-tight">
        Ask about your revenue
      </Heading>
      <p className="mt-1 text-slate-700">Plain questions work best. Revtops looks up the answer in your data and shows how.</p>
      <ul className="mt-6 flex flex-wrap gap-2" aria-label="Suggested questions">
        {SUGGESTIONS.map((text) => (
          <li key={text}>
            <button
              type="button"
              disabled={disabled}
              onClick={() => onAsk(text)}
              className="rounded-full border border-slate-300 bg-white px-3.5 py-1.5 text-sm text-slate-800 hover:border-brand-500 hover:bg-brand-50 disabled:cursor-not-allowed disabled:opacity-60"
            >
              {text}
            </button>
          </li>
        ))}
      </ul>
    </section>
  );
}
