/**
 * Result cells as a sales manager reads them, driven by each column's PostgreSQL type: numbers
 * grouped (numeric arrives as an exact decimal string and stays exact), timestamps in local time,
 * dates as calendar dates, null as an em dash.
 */

const NUMERIC_TYPES = new Set(['int2', 'int4', 'int8', 'numeric', 'float4', 'float8', 'money', 'oid']);
const DECIMAL = /^-?\d+(\.\d+)?$/;

export const EMPTY_CELL = '—';

export function isNumericType(type: string | undefined): boolean {
  return type !== undefined && NUMERIC_TYPES.has(type.replace(/^_/, ''));
}

/** A number or a numeric string as a JS number (for charts); null when it is not one. */
export function toNumber(value: unknown): number | null {
  if (typeof value === 'number') return Number.isFinite(value) ? value : null;
  if (typeof value === 'string' && value.trim() !== '') {
    const n = Number(value);
    return Number.isFinite(n) ? n : null;
  }
  return null;
}

/** Groups digits without losing precision: "1234567.50" → "1,234,567.50" (in the browser's locale). */
export function groupNumber(value: number | string): string {
  const text = typeof value === 'number' ? String(value) : value.trim();
  if (!DECIMAL.test(text)) {
    const n = Number(text);
    return Number.isFinite(n) ? new Intl.NumberFormat(undefined, { maximumFractionDigits: 6 }).format(n) : text;
  }
  const fraction = text.split('.')[1]?.length ?? 0;
  const format = new Intl.NumberFormat(undefined, { minimumFractionDigits: fraction, maximumFractionDigits: fraction });
  // Intl formats decimal strings exactly (no float rounding of large numeric values).
  return format.format(text as unknown as number);
}

const dateTimeFormat = () => new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' });
const dateFormat = () => new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeZone: 'UTC' });

/** "2026-01-05T10:00:00Z" → local date and time; unparsable text is shown as it came. */
export function formatTimestamp(value: string): string {
  const ms = Date.parse(value);
  return Number.isNaN(ms) ? value : dateTimeFormat().format(ms);
}

/** A calendar date has no time zone: format it as the same day everywhere. */
export function formatDate(value: string): string {
  const ms = Date.parse(/^\d{4}-\d{2}-\d{2}$/.test(value) ? `${value}T00:00:00Z` : value);
  return Number.isNaN(ms) ? value : dateFormat().format(ms);
}

export function formatCell(value: unknown, type: string | undefined): string {
  if (value === null || value === undefined) return EMPTY_CELL;
  if (Array.isArray(value)) {
    const itemType = type?.replace(/^_/, '');
    return value.map((v) => formatCell(v, itemType)).join(', ');
  }
  if (typeof value === 'boolean') return value ? 'Yes' : 'No';
  if (typeof value === 'object') return JSON.stringify(value);
  if (typeof value === 'number') return groupNumber(value);
  const text = String(value);
  switch (type) {
    case 'timestamptz':
    case 'timestamp':
      return formatTimestamp(text);
    case 'date':
      return formatDate(text);
    default:
      return isNumericType(type) ? groupNumber(text) : text;
  }
}

/** Row counts and the like: "1,234". */
export const formatCount = (n: number) => new Intl.NumberFormat().format(n);
