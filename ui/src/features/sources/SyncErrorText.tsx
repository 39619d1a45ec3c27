import { cx } from '../../lib/cx';
import type { SyncErrorText } from './syncErrors';

/** The server's own words behind a plain-words error, folded away for whoever has to fix it. */
export function TechnicalDetails({ raw, className }: { raw: string; className?: string }) {
  return (
    <details className={cx('text-xs', className)}>
      <summary className="cursor-pointer rounded text-slate-700 underline-offset-2 hover:underline focus-visible:outline-2 focus-visible:outline-brand-600">
        Technical details
      </summary>
      <pre className="mt-1 whitespace-pre-wrap break-words rounded bg-slate-100 p-2 font-mono text-slate-800">{raw}</pre>
    </details>
  );
}

/** A sync failure: what happened, what to do, and the raw text on demand. */
export function SyncErrorBlock({ text, raw, when }: { text: SyncErrorText; raw: string; when?: string | null }) {
  const tone = text.throttled ? 'border-amber-200 bg-amber-50 text-amber-950' : 'border-rose-200 bg-rose-50 text-rose-900';
  return (
    <div className={cx('rounded-md border p-3 text-sm', tone)}>
      <p className="font-medium">{text.title}</p>
      <p className="mt-0.5">{text.hint}</p>
      {when && <p className="mt-1 text-xs opacity-90">{when}</p>}
      <TechnicalDetails raw={raw} className="mt-2" />
    </div>
  );
}
