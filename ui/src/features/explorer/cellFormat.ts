/**
 * Cells of the explorer's grid. Values are formatted by the chat's `formatCell` (exact grouped
 * decimals, local timestamps, calendar dates); the explorer speaks SQL, so null reads "null"
 * (muted), booleans "true"/"false", and JSON stays JSON.
 */
import { formatCell } from '../chat/steps/formatValue';
import { type ColumnKind, columnKind } from './sorting';

export interface DisplayCell {
  text: string;
  /** How the grid styles it: nulls muted, numbers right-aligned, JSON monospace. */
  tone: 'null' | 'number' | 'json' | 'plain';
  /** The raw value when the text differs from it (a tooltip for timestamps, long JSON). */
  raw: string | null;
}

function rawText(value: unknown): string {
  return typeof value === 'string' ? value : JSON.stringify(value);
}

export function displayCell(value: unknown, type: string | undefined, kind: ColumnKind = columnKind(type)): DisplayCell {
  if (value === null || value === undefined) return { text: 'null', tone: 'null', raw: null };
  if (typeof value === 'boolean') return { text: value ? 'true' : 'false', tone: 'plain', raw: null };
  if (kind === 'json' || (typeof value === 'object' && !Array.isArray(value))) {
    const text = typeof value === 'string' ? value : JSON.stringify(value);
    return { text, tone: 'json', raw: text.length > 60 ? text : null };
  }
  const text = formatCell(value, type);
  const raw = rawText(value);
  return { text, tone: kind === 'number' ? 'number' : 'plain', raw: raw !== text ? raw : null };
}

/** A column's width in `ch`, from its header and a sample of its formatted cells: 6 to 40. */
export function columnWidth(name: string, type: string, cells: readonly string[]): number {
  let widest = Math.max(name.length + 3, type.length);
  for (const cell of cells) if (cell.length > widest) widest = cell.length;
  return Math.min(40, Math.max(6, widest + 2));
}
