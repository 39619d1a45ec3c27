/**
 * An answer's Markdown (GFM tables included), rendered as React elements: raw HTML is skipped,
 * never injected. remend closes half-received syntax (an open `**`, a link without its URL) so a
 * streaming answer does not flicker between forms. It runs on finished answers too: one that was
 * stopped mid-word must look the same live, after the stream ended and after a reload.
 */
import { memo } from 'react';
import ReactMarkdown, { type Components, defaultUrlTransform } from 'react-markdown';
import remarkGfmParse from './remarkGfmParse';
import remend from 'remend';

const SAFE_URL = /^(https?:|mailto:|\/|#)/i;

/** Only web, mail and in-app links survive; `javascript:` and friends become plain text. */
export function safeUrl(url: string): string {
  const cleaned = defaultUrlTransform(url.trim());
  return SAFE_URL.test(cleaned) ? cleaned : '';
}

const components: Components = {
  a: ({ href, children }) =>
    href ? (
      <a href={href} target="_blank" rel="noopener noreferrer">
        {children}
      </a>
    ) : (
      <span>{children}</span>
    ),
  // Images would load from anywhere the model names: show their description instead.
  img: ({ alt }) => (alt ? <span>[{alt}]</span> : null),
  table: ({ children }) => (
    <div className="md-table">
      <table>{children}</table>
    </div>
  ),
};

const plugins = [remarkGfmParse];

export const AnswerMarkdown = memo(function AnswerMarkdown({ text }: { text: string }) {
  const source = remend(text, { linkMode: 'text-only' });
  return (
    <div className="markdown">
      <ReactMarkdown remarkPlugins={plugins} components={components} urlTransform={safeUrl} skipHtml>
        {source}
      </ReactMarkdown>
    </div>
  );
});
