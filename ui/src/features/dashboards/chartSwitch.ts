/**
 * Switching a tile's chart type without asking the model: a valid chart spec for another kind,
 * built from the columns of the result it draws and the spec it has now. The rules are the
 * server's (`sql::chart`): bar, line and area need an x column and 1–6 numeric y columns (a
 * series column only with one y); pie and funnel an x and exactly one y; a single number one y
 * and no x; a table nothing. The x and the y columns of the current chart are kept when they
 * still fit, so a bar of "total by stage" becomes a pie of "total by stage".
 */
import type { ChartKind, ChartSpec } from '../../api/protocol';
import type { components } from '../../api/schema.gen';
import { isNumericType } from '../chat/steps/formatValue';

export type ChartSpecInput = components['schemas']['ChartSpecInput'];

export interface ResultColumn {
  name: string;
  /** PostgreSQL type name. */
  type: string;
}

export const KIND_ORDER: readonly ChartKind[] = ['bar', 'line', 'area', 'pie', 'funnel', 'number', 'table'];

export const KIND_LABELS: Record<ChartKind, string> = {
  bar: 'Bar chart',
  line: 'Line chart',
  area: 'Area chart',
  pie: 'Pie chart',
  funnel: 'Funnel',
  number: 'Single number',
  table: 'Table',
};

const MAX_Y = 6;

/** Columns the server accepts as y: numeric scalars (not arrays of them). */
export function isPlottable(column: ResultColumn): boolean {
  return !column.type.startsWith('_') && isNumericType(column.type);
}

/** The category column: the current x when the result still has it, else the first non-numeric column. */
function pickX(columns: readonly ResultColumn[], current: ChartSpec | null): string | null {
  if (current?.x && columns.some((c) => c.name === current.x)) return current.x;
  const category = columns.find((c) => !isPlottable(c));
  if (category) return category.name;
  // Every column is a number (year, total): the first one is the axis, if another is left to plot.
  return columns.filter(isPlottable).length >= 2 ? columns[0]!.name : null;
}

/** The y columns: the current ones that are still numeric, else every numeric column; never x. */
function pickY(columns: readonly ResultColumn[], current: ChartSpec | null, x: string | null): string[] {
  const numeric = columns.filter(isPlottable).map((c) => c.name);
  const kept = (current?.y ?? []).filter((y) => numeric.includes(y) && y !== x);
  return (kept.length > 0 ? kept : numeric.filter((y) => y !== x)).slice(0, MAX_Y);
}

function withCommon(spec: ChartSpecInput, current: ChartSpec | null): ChartSpecInput {
  if (current?.format) spec.format = current.format;
  if (current?.title) spec.title = current.title;
  return spec;
}

/**
 * The spec of `kind` for this result, or null when the result cannot be drawn that way.
 * `rowCount` (when known) keeps "single number" to results of one row: it shows the first row only.
 */
export function chartFor(
  kind: ChartKind,
  columns: readonly ResultColumn[],
  current: ChartSpec | null,
  rowCount: number | null = null,
): ChartSpecInput | null {
  if (kind === 'table') return withCommon({ kind, y: [], stacked: false }, current);
  if (kind === 'number') {
    if (rowCount !== null && rowCount > 1) return null;
    const [y] = pickY(columns, current, null);
    return y ? withCommon({ kind, y: [y], stacked: false }, current) : null;
  }
  const x = pickX(columns, current);
  if (!x) return null;
  const y = pickY(columns, current, x);
  if (y.length === 0) return null;
  if (kind === 'pie' || kind === 'funnel') return withCommon({ kind, x, y: [y[0]!], stacked: false }, current);
  const spec: ChartSpecInput = { kind, x, y, stacked: Boolean(current?.stacked) && (kind === 'bar' || kind === 'area') };
  const series = current?.series;
  if (series && series !== x && y.length === 1 && columns.some((c) => c.name === series)) spec.series = series;
  return withCommon(spec, current);
}

/** The kinds this result can be drawn as, in menu order. */
export function availableKinds(columns: readonly ResultColumn[], current: ChartSpec | null, rowCount: number | null = null): ChartKind[] {
  return KIND_ORDER.filter((kind) => chartFor(kind, columns, current, rowCount) !== null);
}
