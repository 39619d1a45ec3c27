/** Numbers, durations and times as the sources page writes them. */

const integer = new Intl.NumberFormat(undefined, { maximumFractionDigits: 0 });
const oneDecimal = new Intl.NumberFormat(undefined, { maximumFractionDigits: 1 });

export const formatCount = (n: number) => integer.format(n);

export function plural(n: number, one: string, many: string): string {
  return `${formatCount(n)} ${n === 1 ? one : many}`;
}

/** "1.5 records/s", "120 records/s". */
export function formatRate(perSecond: number): string {
  return `${perSecond < 10 ? oneDecimal.format(perSecond) : integer.format(perSecond)} records/s`;
}

const NBSP = '\u00a0';
const unit = (n: number, u: string) => `${n}${NBSP}${u}`;

/** "850 ms", "42 s", "3 min 5 s", "1 h 2 min" (a number never wraps away from its unit). */
export function formatDuration(ms: number): string {
  if (ms < 1000) return unit(Math.round(ms), 'ms');
  const secs = Math.round(ms / 1000);
  if (secs < 60) return unit(secs, 's');
  const mins = Math.floor(secs / 60);
  if (mins < 60) return secs % 60 ? `${unit(mins, 'min')} ${unit(secs % 60, 's')}` : unit(mins, 'min');
  const hours = Math.floor(mins / 60);
  return mins % 60 ? `${unit(hours, 'h')} ${unit(mins % 60, 'min')}` : unit(hours, 'h');
}

const relative = new Intl.RelativeTimeFormat(undefined, { numeric: 'auto' });
const absolute = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' });

/** "3 minutes ago", "yesterday"; "just now" under a minute. */
export function formatRelative(iso: string, now = Date.now()): string {
  const at = Date.parse(iso);
  if (Number.isNaN(at)) return '';
  const secs = Math.round((at - now) / 1000);
  const abs = Math.abs(secs);
  if (abs < 60) return 'just now';
  if (abs < 3600) return relative.format(Math.round(secs / 60), 'minute');
  if (abs < 86_400) return relative.format(Math.round(secs / 3600), 'hour');
  if (abs < 30 * 86_400) return relative.format(Math.round(secs / 86_400), 'day');
  return absolute.format(at);
}

export function formatDateTime(iso: string): string {
  const at = Date.parse(iso);
  return Number.isNaN(at) ? '' : absolute.format(at);
}

/**
 * How long a run still needs, as a person would say it: "less than a minute", "about 12 min",
 * "about 1 h 20 min", "about 2 days" (rounded to what matters at that scale).
 */
export function formatRemaining(secs: number): string {
  if (secs < 60) return 'less than a minute';
  const mins = Math.round(secs / 60);
  if (mins < 60) return `about ${unit(mins, 'min')}`;
  if (mins < 24 * 60) {
    // Past an hour, five minutes is as precise as an estimate gets.
    const rounded = Math.round(mins / 5) * 5;
    const hours = Math.floor(rounded / 60);
    const rest = rounded % 60;
    return rest ? `about ${unit(hours, 'h')} ${unit(rest, 'min')}` : `about ${unit(hours, 'h')}`;
  }
  const days = Math.round(mins / (24 * 60));
  return `about ${plural(days, 'day', 'days')}`;
}
