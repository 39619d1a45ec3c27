/**
 * A chart spec (kind, x, y[], series, stacked, format) plus a result → what to draw: echarts
 * options (dataset + encode) for bar, line, area, pie and funnel; one formatted figure for
 * "number"; the rows table for "table". Pure, so every kind is unit-tested without a browser.
 */
import type { EChartsOption } from 'echarts';
import type { ChartSpec } from '../../../api/protocol';
import { EMPTY_CELL, formatCell, toNumber } from '../steps/formatValue';
import { type FormatContext, detectCurrency, formatterFor } from './chartFormat';

export interface ChartData {
  columns: string[];
  types: string[];
  rows: unknown[][];
}

export type ChartView =
  | { type: 'echarts'; option: EChartsOption }
  | { type: 'number'; value: string; label: string }
  | { type: 'table' }
  | { type: 'empty' };

const PALETTE = ['#4f46e5', '#0ea5e9', '#10b981', '#f59e0b', '#ef4444', '#8b5cf6', '#64748b', '#ec4899'];

/** "won_amount" → "Won amount". */
export function humanize(column: string): string {
  const words = column.replace(/[_-]+/g, ' ').trim();
  return words ? words.charAt(0).toUpperCase() + words.slice(1) : column;
}

function formatContext(spec: ChartSpec, data: ChartData, yIndexes: number[]): FormatContext {
  const values = data.rows.flatMap((r) => yIndexes.map((i) => toNumber(r[i]))).filter((v): v is number => v !== null);
  return {
    format: spec.format,
    currency: spec.format === 'currency' ? detectCurrency(data.columns, data.rows) : null,
    fractions: values.length > 0 && values.every((v) => Math.abs(v) <= 1),
  };
}

/** Category labels: dates read as dates, null as an em dash, everything else as text. */
function label(value: unknown, type: string | undefined): string {
  if (value === null || value === undefined) return EMPTY_CELL;
  return type === 'date' || type === 'timestamptz' || type === 'timestamp' ? formatCell(value, type) : String(value);
}

/** Long form (x, series, y) → one column per series value, in order of appearance. */
function pivot(data: ChartData, xi: number, si: number, yi: number): { header: string[]; rows: (string | number | null)[][] } {
  const seriesNames: string[] = [];
  const byX = new Map<string, Map<string, number | null>>();
  for (const row of data.rows) {
    const x = label(row[xi], data.types[xi]);
    const s = label(row[si], data.types[si]);
    if (!seriesNames.includes(s)) seriesNames.push(s);
    if (!byX.has(x)) byX.set(x, new Map());
    byX.get(x)!.set(s, toNumber(row[yi]));
  }
  const rows = [...byX].map(([x, values]) => [x, ...seriesNames.map((s) => values.get(s) ?? null)]);
  return { header: seriesNames, rows };
}

function cartesian(spec: ChartSpec, data: ChartData, xi: number, yIndexes: number[], ctx: FormatContext): EChartsOption {
  const x = spec.x!;
  let header: string[];
  let rows: (string | number | null)[][];
  const si = spec.series ? data.columns.indexOf(spec.series) : -1;
  if (si >= 0 && yIndexes.length === 1) {
    ({ header, rows } = pivot(data, xi, si, yIndexes[0]!));
  } else {
    header = yIndexes.map((i) => data.columns[i]!);
    rows = data.rows.map((r) => [label(r[xi], data.types[xi]), ...yIndexes.map((i) => toNumber(r[i]))]);
  }
  const area = spec.kind === 'area';
  const stack = spec.stacked && (spec.kind === 'bar' || area) ? 'total' : undefined;
  const legend = header.length > 1;
  const full = formatterFor(ctx);
  return {
    color: PALETTE,
    animationDuration: 300,
    dataset: { dimensions: [x, ...header], source: rows },
    grid: { left: 8, right: 16, top: 16, bottom: legend ? 40 : 8, containLabel: true },
    xAxis: { type: 'category', axisLabel: { hideOverlap: true } },
    yAxis: { type: 'value', axisLabel: { formatter: formatterFor(ctx, true) } },
    tooltip: { trigger: 'axis', valueFormatter: (v) => (typeof v === 'number' ? full(v) : EMPTY_CELL) },
    legend: legend ? { type: 'scroll', bottom: 0 } : { show: false },
    series: header.map((name) => ({
      type: area ? 'line' : (spec.kind as 'bar' | 'line'),
      name: si >= 0 ? name : humanize(name),
      encode: { x, y: name },
      ...(stack ? { stack } : {}),
      ...(area ? { areaStyle: { opacity: 0.25 } } : {}),
      ...(spec.kind !== 'bar' ? { showSymbol: rows.length <= 24 } : {}),
      emphasis: { focus: 'series' },
    })) as NonNullable<EChartsOption['series']>,
  };
}

function radial(spec: ChartSpec, data: ChartData, xi: number, yi: number, ctx: FormatContext): EChartsOption {
  const x = spec.x!;
  const y = data.columns[yi]!;
  const rows = data.rows.map((r) => [label(r[xi], data.types[xi]), toNumber(r[yi])]);
  const full = formatterFor(ctx);
  const common = { name: humanize(y), encode: { itemName: x, value: y } };
  const series =
    spec.kind === 'pie'
      ? { type: 'pie' as const, ...common, radius: ['40%', '70%'], label: { formatter: '{b}: {d}%' } }
      : { type: 'funnel' as const, ...common, sort: 'none' as const, gap: 2, left: '10%', width: '80%', label: { show: true, position: 'inside' as const } };
  return {
    color: PALETTE,
    animationDuration: 300,
    dataset: { dimensions: [x, y], source: rows },
    tooltip: { trigger: 'item', valueFormatter: (v) => (typeof v === 'number' ? full(v) : EMPTY_CELL) },
    legend: { type: 'scroll', bottom: 0 },
    series: [series],
  };
}

export function chartView(spec: ChartSpec, data: ChartData): ChartView {
  if (spec.kind === 'table') return { type: 'table' };
  const yIndexes = spec.y.map((y) => data.columns.indexOf(y)).filter((i) => i >= 0);
  if (yIndexes.length === 0 || data.rows.length === 0) return { type: 'empty' };
  const ctx = formatContext(spec, data, yIndexes);
  if (spec.kind === 'number') {
    const value = toNumber(data.rows[0]![yIndexes[0]!]);
    return { type: 'number', value: value === null ? EMPTY_CELL : formatterFor(ctx)(value), label: spec.title ?? humanize(spec.y[0]!) };
  }
  const xi = spec.x ? data.columns.indexOf(spec.x) : -1;
  if (xi < 0) return { type: 'empty' };
  if (spec.kind === 'pie' || spec.kind === 'funnel') return { type: 'echarts', option: radial(spec, data, xi, yIndexes[0]!, ctx) };
  return { type: 'echarts', option: cartesian(spec, data, xi, yIndexes, ctx) };
}

/** What a screen reader hears for the chart: "Bar chart of Total by Stage". */
export function chartLabel(spec: ChartSpec): string {
  if (spec.title) return spec.title;
  const kind = spec.kind === 'area' ? 'Area' : humanize(spec.kind);
  const y = spec.y.map(humanize).join(', ');
  return spec.x ? `${kind} chart of ${y} by ${humanize(spec.x)}` : `${kind} chart of ${y}`;
}
