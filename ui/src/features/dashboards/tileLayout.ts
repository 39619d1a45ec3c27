/**
 * How a tile sits in the 12-column grid and what it draws. Widths are grid columns (3–12),
 * heights grid rows (1–4), both checked by the server; the class names are spelled out whole so
 * Tailwind finds them.
 */
import type { ChartKind } from '../../api/protocol';
import type { Artifact } from './hooks';

export const MIN_WIDTH = 3;
export const MAX_WIDTH = 12;
export const MIN_HEIGHT = 1;
export const MAX_HEIGHT = 4;

/** The widths Wider and Narrower step through. */
const WIDTH_STEPS = [3, 4, 6, 8, 9, 12];

const WIDTH_NAMES: Record<number, string> = {
  3: 'a quarter',
  4: 'a third',
  6: 'half',
  8: 'two thirds',
  9: 'three quarters',
  12: 'full',
};

export function widthName(width: number): string {
  return WIDTH_NAMES[width] ? `${WIDTH_NAMES[width]} width` : `${width} of 12 columns`;
}

export function heightName(height: number): string {
  return `${height} row${height === 1 ? '' : 's'} tall`;
}

export const wider = (width: number) => WIDTH_STEPS.find((w) => w > width) ?? null;
export const narrower = (width: number) => [...WIDTH_STEPS].reverse().find((w) => w < width) ?? null;
export const taller = (height: number) => (height < MAX_HEIGHT ? height + 1 : null);
export const shorter = (height: number) => (height > MIN_HEIGHT ? height - 1 : null);

// The grid is a CSS container: narrow (phones, or a split screen) every tile spans the full
// width; from 36rem a tile is at least half; from 56rem it has its own width.
const SPAN_HALF: Record<number, string> = {
  3: '@xl:col-span-6',
  4: '@xl:col-span-6',
  5: '@xl:col-span-6',
  6: '@xl:col-span-6',
  7: '@xl:col-span-7',
  8: '@xl:col-span-8',
  9: '@xl:col-span-9',
  10: '@xl:col-span-10',
  11: '@xl:col-span-11',
  12: '@xl:col-span-12',
};
const SPAN: Record<number, string> = {
  3: '@4xl:col-span-3',
  4: '@4xl:col-span-4',
  5: '@4xl:col-span-5',
  6: '@4xl:col-span-6',
  7: '@4xl:col-span-7',
  8: '@4xl:col-span-8',
  9: '@4xl:col-span-9',
  10: '@4xl:col-span-10',
  11: '@4xl:col-span-11',
  12: '@4xl:col-span-12',
};
const ROWS: Record<number, string> = { 1: 'row-span-1', 2: 'row-span-2', 3: 'row-span-3', 4: 'row-span-4' };

const clamp = (n: number, min: number, max: number) => Math.min(max, Math.max(min, Math.round(n)));

export function tileClasses(width: number, height: number): string {
  const w = clamp(width, MIN_WIDTH, MAX_WIDTH);
  return `col-span-12 ${SPAN_HALF[w]} ${SPAN[w]} ${ROWS[clamp(height, MIN_HEIGHT, MAX_HEIGHT)]}`;
}

/** A size that suits a chart kind when it is pinned: a number is small, a table wide. */
export function defaultTileSize(kind: ChartKind | null | undefined): { width: number; height: number } {
  if (kind === 'number') return { width: 3, height: 1 };
  if (!kind || kind === 'table') return { width: 12, height: 2 };
  return { width: 6, height: 2 };
}

/** The queries an artifact holds ([{name, sql}] on the wire, untyped in the OpenAPI document). */
export function artifactQueries(artifact: Pick<Artifact, 'queries'>): { name: string; sql: string }[] {
  if (!Array.isArray(artifact.queries)) return [];
  return artifact.queries.flatMap((q: unknown) => {
    const o = q as { name?: unknown; sql?: unknown } | null;
    return o && typeof o.name === 'string' && typeof o.sql === 'string' ? [{ name: o.name, sql: o.sql }] : [];
  });
}
