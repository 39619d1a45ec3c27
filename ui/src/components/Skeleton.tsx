import { cx } from '../lib/cx';

/** A grey placeholder block while something loads (hidden from screen readers). */
export function Skeleton({ className }: { className?: string }) {
  return <div aria-hidden="true" className={cx('animate-pulse rounded-md bg-slate-200', className)} />;
}

/** Announces loading to screen readers and shows a few placeholder lines. */
export function LoadingBlock({ label = 'Loading…', lines = 3 }: { label?: string; lines?: number }) {
  return (
    <div role="status" className="space-y-3">
      <span className="sr-only">{label}</span>
      {Array.from({ length: lines }, (_, i) => (
        <Skeleton key={i} className={cx('h-4', i === lines - 1 ? 'w-2/3' : 'w-full')} />
      ))}
    </div>
  );
}

/** Full-page placeholder shaped like the app shell. */
export function ShellSkeleton() {
  return (
    <div className="flex h-full" role="status">
      <span className="sr-only">Loading Revtops…</span>
      <div className="hidden w-60 shrink-0 bg-slate-900 md:block" aria-hidden="true" />
      <div className="flex-1 space-y-4 p-6 md:p-10" aria-hidden="true">
        <Skeleton className="h-7 w-48" />
        <Skeleton className="h-4 w-full max-w-2xl" />
        <Skeleton className="h-4 w-full max-w-xl" />
        <Skeleton className="h-32 w-full max-w-2xl" />
      </div>
    </div>
  );
}
