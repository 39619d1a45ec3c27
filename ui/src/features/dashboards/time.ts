import { useEffect, useState } from 'react';

export { formatDateTime, formatRelative } from '../sources/format';

const DAY = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium' });

/** "Jan 5, 2026"; empty when it is not a date. */
export function formatDay(iso: string): string {
  const at = Date.parse(iso);
  return Number.isNaN(at) ? '' : DAY.format(at);
}

/** The current time, re-read every `everyMs`, so "3 minutes ago" stays true on an open page. */
export function useNow(everyMs = 30_000): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), everyMs);
    return () => clearInterval(timer);
  }, [everyMs]);
  return now;
}

/** "3 tiles", "1 tile", "No tiles". */
export function tileCountText(n: number): string {
  if (n === 0) return 'No tiles';
  return `${n} tile${n === 1 ? '' : 's'}`;
}
