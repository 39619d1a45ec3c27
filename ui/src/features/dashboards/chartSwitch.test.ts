import { describe, expect, it } from 'vitest';
import type { ChartSpec } from '../../api/protocol';
import { availableKinds, chartFor } from './chartSwitch';
import { defaultTileSize, narrower, shorter, taller, tileClasses, wider, widthName } from './tileLayout';

const STAGES = [
  { name: 'stage', type: 'text' },
  { name: 'owner', type: 'text' },
  { name: 'total', type: 'numeric' },
  { name: 'n', type: 'int8' },
];

const BAR: ChartSpec = { kind: 'bar', x: 'stage', y: ['total'], series: 'owner', stacked: true, format: 'currency', title: 'Pipeline' };

describe('chart switch', () => {
  it('keeps x and the y columns, and the format and title', () => {
    expect(chartFor('line', STAGES, BAR)).toEqual({ kind: 'line', x: 'stage', y: ['total'], series: 'owner', stacked: false, format: 'currency', title: 'Pipeline' });
    expect(chartFor('area', STAGES, BAR)).toEqual({ kind: 'area', x: 'stage', y: ['total'], series: 'owner', stacked: true, format: 'currency', title: 'Pipeline' });
  });

  it('gives pie, funnel and number exactly one y, and no series', () => {
    const two: ChartSpec = { ...BAR, y: ['total', 'n'], series: null, stacked: false };
    expect(chartFor('pie', STAGES, two)).toEqual({ kind: 'pie', x: 'stage', y: ['total'], stacked: false, format: 'currency', title: 'Pipeline' });
    expect(chartFor('funnel', STAGES, two)).toMatchObject({ kind: 'funnel', x: 'stage', y: ['total'] });
    expect(chartFor('funnel', STAGES, two)).not.toHaveProperty('series');
    expect(chartFor('number', STAGES, two, 1)).toEqual({ kind: 'number', y: ['total'], stacked: false, format: 'currency', title: 'Pipeline' });
    // Two y columns with a series column is not a valid spec: the series goes.
    expect(chartFor('bar', STAGES, { ...two, series: 'owner' })).toEqual({ kind: 'bar', x: 'stage', y: ['total', 'n'], stacked: false, format: 'currency', title: 'Pipeline' });
  });

  it('needs nothing for a table', () => {
    expect(chartFor('table', STAGES, null)).toEqual({ kind: 'table', y: [], stacked: false });
    expect(chartFor('table', [], null)).toEqual({ kind: 'table', y: [], stacked: false });
  });

  it('builds a chart from the columns when there was none (or it named columns that are gone)', () => {
    expect(chartFor('bar', STAGES, null)).toEqual({ kind: 'bar', x: 'stage', y: ['total', 'n'], stacked: false });
    const stale: ChartSpec = { ...BAR, x: 'region', y: ['amount'], series: null };
    expect(chartFor('pie', STAGES, stale)).toMatchObject({ kind: 'pie', x: 'stage', y: ['total'] });
    // From a number (no x), an axis chart picks the category column.
    const number: ChartSpec = { kind: 'number', x: null, y: ['n'], series: null, stacked: false, format: null, title: null };
    expect(chartFor('bar', STAGES, number)).toEqual({ kind: 'bar', x: 'stage', y: ['n'], stacked: false });
  });

  it('only offers what the columns can draw', () => {
    // A single number shows the first row only: not for results of several rows.
    expect(availableKinds(STAGES, BAR, 4)).toEqual(['bar', 'line', 'area', 'pie', 'funnel', 'table']);
    expect(availableKinds(STAGES, BAR, 1)).toEqual(['bar', 'line', 'area', 'pie', 'funnel', 'number', 'table']);
    // Text only: nothing to plot.
    expect(availableKinds([{ name: 'name', type: 'text' }], null)).toEqual(['table']);
    // One number: a figure, no axis.
    expect(availableKinds([{ name: 'win_rate', type: 'float8' }], null, 1)).toEqual(['number', 'table']);
    // Numbers only: the first is the axis.
    expect(chartFor('line', [{ name: 'year', type: 'int4' }, { name: 'total', type: 'numeric' }], null)).toEqual({ kind: 'line', x: 'year', y: ['total'], stacked: false });
    // Arrays of numbers are not numbers.
    expect(availableKinds([{ name: 'stage', type: 'text' }, { name: 'amounts', type: '_numeric' }], null)).toEqual(['table']);
  });

  it('plots at most six columns', () => {
    const wide = [{ name: 'month', type: 'date' }, ...Array.from({ length: 8 }, (_, i) => ({ name: `m${i}`, type: 'int4' }))];
    expect(chartFor('bar', wide, null)?.y).toHaveLength(6);
  });
});

describe('tile layout', () => {
  it('steps widths through the common fractions and heights one row at a time', () => {
    expect([wider(3), wider(6), wider(9), wider(12)]).toEqual([4, 8, 12, null]);
    expect([narrower(12), narrower(6), narrower(5), narrower(3)]).toEqual([9, 4, 4, null]);
    expect([taller(1), taller(4), shorter(2), shorter(1)]).toEqual([2, null, 1, null]);
    expect(widthName(6)).toBe('half width');
    expect(widthName(7)).toBe('7 of 12 columns');
  });

  it('spans the full width when narrow, at least half in the middle, its own width when wide', () => {
    expect(tileClasses(3, 1)).toBe('col-span-12 @xl:col-span-6 @4xl:col-span-3 row-span-1');
    expect(tileClasses(8, 4)).toBe('col-span-12 @xl:col-span-8 @4xl:col-span-8 row-span-4');
    expect(tileClasses(20, 9)).toBe('col-span-12 @xl:col-span-12 @4xl:col-span-12 row-span-4');
  });

  it('sizes a pinned tile by what it shows', () => {
    expect(defaultTileSize('number')).toEqual({ width: 3, height: 1 });
    expect(defaultTileSize('table')).toEqual({ width: 12, height: 2 });
    expect(defaultTileSize(null)).toEqual({ width: 12, height: 2 });
    expect(defaultTileSize('bar')).toEqual({ width: 6, height: 2 });
  });
});
