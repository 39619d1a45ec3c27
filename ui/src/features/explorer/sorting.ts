/**
 * Sorting result rows in the browser by a column's PostgreSQL type: numbers numerically (exact
 * decimal strings compared exactly), dates and timestamps chronologically, booleans false
 * before true, everything else as text. Nulls always go last, whichever the direction.
 */
import { isNumericType } from '../chat/steps/formatValue';

export type ColumnKind = 'number' | 'date' | 'boolean' | 'json' | 'text';

const DATE_TYPES = new Set(['date', 'timestamp', 'timestamptz']);
const JSON_TYPES = new Set(['json', 'jsonb']);

export function columnKind(type: string | undefined): ColumnKind {
  if (!type) return 'text';
  if (type.startsWith('_')) return 'text';
  if (isNumericType(type)) return 'number';
  if (DATE_TYPES.has(type)) return 'date';
  if (type === 'bool' || type === 'boolean') return 'boolean';
  if (JSON_TYPES.has(type)) return 'json';
  return 'text';
}

const DECIMAL = /^(-?)(\d+)(?:\.(\d+))?$/;

/** Compares two exact decimal strings ("-12.50", "3") without going through floats. */
export function compareDecimals(a: string, b: string): number {
  const ma = DECIMAL.exec(a.trim());
  const mb = DECIMAL.exec(b.trim());
  if (!ma || !mb) return 0;
  const int = (m: RegExpExecArray) => m[2]!.replace(/^0+(?=\d)/, '');
  const frac = (m: RegExpExecArray) => (m[3] ?? '').replace(/0+$/, '');
  const zero = (m: RegExpExecArray) => /^0+$/.test(m[2]!) && frac(m) === '';
  const negA = ma[1] === '-' && !zero(ma);
  const negB = mb[1] === '-' && !zero(mb);
  if (negA !== negB) return negA ? -1 : 1;
  let magnitude: number;
  const ia = int(ma);
  const ib = int(mb);
  if (ia.length !== ib.length) magnitude = ia.length - ib.length;
  else if (ia !== ib) magnitude = ia < ib ? -1 : 1;
  else {
    const fa = frac(ma);
    const fb = frac(mb);
    const width = Math.max(fa.length, fb.length);
    const pa = fa.padEnd(width, '0');
    const pb = fb.padEnd(width, '0');
    magnitude = pa === pb ? 0 : pa < pb ? -1 : 1;
  }
  return Math.sign(negA ? -magnitude : magnitude);
}

/** A cell as a number for ordering; NaN (PostgreSQL's NaN, unreadable text) sorts above everything. */
function asNumber(value: unknown): number {
  if (typeof value === 'number') return value;
  if (typeof value === 'string') {
    const text = value.trim();
    const n = Number(text);
    if (text !== '' && !Number.isNaN(n)) return n;
    // money as the database prints it: "$1,234.50", "-$3.00"
    const digits = text.replace(/[^\d.-]/g, '');
    const m = digits === '' ? Number.NaN : Number(digits);
    return Number.isNaN(m) ? Number.NaN : m;
  }
  return Number.NaN;
}

function compareNumbers(a: unknown, b: unknown): number {
  const x = asNumber(a);
  const y = asNumber(b);
  const nanX = Number.isNaN(x);
  const nanY = Number.isNaN(y);
  if (nanX || nanY) return nanX === nanY ? 0 : nanX ? 1 : -1;
  if (x !== y) return x < y ? -1 : 1;
  // Equal as floats: large or long decimals may still differ.
  return typeof a === 'string' && typeof b === 'string' ? compareDecimals(a, b) : 0;
}

function asTime(value: unknown): number {
  if (typeof value !== 'string') return Number.NaN;
  const text = value.trim().toLowerCase();
  if (text === 'infinity') return Number.POSITIVE_INFINITY;
  if (text === '-infinity') return Number.NEGATIVE_INFINITY;
  return Date.parse(/^\d{4}-\d{2}-\d{2}$/.test(text) ? `${text}T00:00:00Z` : value);
}

function compareDates(a: unknown, b: unknown): number {
  const x = asTime(a);
  const y = asTime(b);
  const badX = Number.isNaN(x);
  const badY = Number.isNaN(y);
  if (badX || badY) return badX && badY ? compareText(a, b) : badX ? 1 : -1;
  return x === y ? 0 : x < y ? -1 : 1;
}

const collator = new Intl.Collator(undefined, { numeric: true, sensitivity: 'base' });

function textOf(value: unknown): string {
  return typeof value === 'string' ? value : JSON.stringify(value);
}

function compareText(a: unknown, b: unknown): number {
  return collator.compare(textOf(a), textOf(b));
}

function compareBooleans(a: unknown, b: unknown): number {
  if (typeof a === 'boolean' && typeof b === 'boolean') return a === b ? 0 : a ? 1 : -1;
  return compareText(a, b);
}

const COMPARE: Record<ColumnKind, (a: unknown, b: unknown) => number> = {
  number: compareNumbers,
  date: compareDates,
  boolean: compareBooleans,
  json: compareText,
  text: compareText,
};

export const isNull = (value: unknown) => value === null || value === undefined;

/** Compares two non-null cells of a column of this kind (ascending). */
export function compareCells(a: unknown, b: unknown, kind: ColumnKind): number {
  return COMPARE[kind](a, b);
}

/**
 * The rows ordered by one column; ties keep their order (the query's). Nulls last both ways.
 * Returns a new array; `rows` is left alone.
 */
export function sortRows<Row extends readonly unknown[]>(rows: readonly Row[], column: number, kind: ColumnKind, desc: boolean): Row[] {
  const direction = desc ? -1 : 1;
  return [...rows].sort((ra, rb) => {
    const a = ra[column];
    const b = rb[column];
    const nullA = isNull(a);
    const nullB = isNull(b);
    if (nullA || nullB) return nullA === nullB ? 0 : nullA ? 1 : -1;
    return direction * compareCells(a, b, kind);
  });
}
