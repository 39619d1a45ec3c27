import { useEffect, useState } from 'react';
import type { SqlToken, SqlTokenKind } from './sqlHighlight';

let highlighter: Promise<typeof import('./sqlHighlight')> | null = null;
/** The tokenizer is its own chunk, fetched the first time a step shows its SQL. */
const loadHighlighter = () => (highlighter ??= import('./sqlHighlight'));

const CLASSES: Partial<Record<SqlTokenKind, string>> = {
  keyword: 'font-semibold text-brand-700',
  function: 'text-sky-800',
  type: 'text-emerald-800',
  string: 'text-amber-800',
  number: 'text-rose-800',
  comment: 'italic text-slate-600',
};

/** The SQL as plain text at once, highlighted when the tokenizer has loaded (same text either way). */
export function SqlCode({ sql, testId = 'step-sql' }: { sql: string; testId?: string }) {
  const [tokens, setTokens] = useState<{ sql: string; tokens: SqlToken[] } | null>(null);
  useEffect(() => {
    let live = true;
    loadHighlighter()
      .then((m) => live && setTokens({ sql, tokens: m.tokenizeSql(sql) }))
      .catch(() => {
        // Highlighting is a nicety: the plain SQL stays.
      });
    return () => {
      live = false;
    };
  }, [sql]);
  const current = tokens?.sql === sql ? tokens.tokens : null;
  return (
    // Focusable so a long query can be scrolled with the keyboard.
    <div role="region" aria-label="SQL" tabIndex={0} className="max-h-72 overflow-auto rounded-md bg-slate-50 ring-1 ring-inset ring-slate-200">
      <pre data-testid={testId} className="whitespace-pre-wrap break-words p-3 font-mono text-xs leading-5 text-slate-900">
        <code>
          {current
            ? current.map((t, i) => (CLASSES[t.kind] ? <span key={i} className={CLASSES[t.kind]}>{t.text}</span> : t.text))
            : sql}
        </code>
      </pre>
    </div>
  );
}
