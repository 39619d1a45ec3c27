import { describe, expect, it } from 'vitest';
import type { ChartSpec } from '../../../api/protocol';
import { type ChartData, chartLabel, chartView } from './chartOption';
import { detectCurrency, formatterFor } from './chartFormat';

const spec = (s: Partial<ChartSpec>): ChartSpec => ({ kind: 'bar', x: null, y: [], series: null, stacked: false, format: null, title: null, ...s });

const BY_STAGE: ChartData = {
  columns: ['stage', 'total', 'deals'],
  types: ['text', 'numeric', 'int8'],
  rows: [
    ['Discovery', '120000.50', 4],
    ['Proposal', '80000.00', 2],
  ],
};

const BY_MONTH_AND_REP: ChartData = {
  columns: ['month', 'rep', 'won'],
  types: ['date', 'text', 'numeric'],
  rows: [
    ['2026-01-01', 'Ana', '10'],
    ['2026-01-01', 'Bo', '20'],
    ['2026-02-01', 'Ana', '30'],
  ],
};

function option(s: Partial<ChartSpec>, data = BY_STAGE) {
  const view = chartView(spec(s), data);
  if (view.type !== 'echarts') throw new Error(`expected echarts, got ${view.type}`);
  return view.option as Record<string, any>;
}

describe('chart spec → echarts option', () => {
  it('bar: a dataset with one series per y column, numbers parsed', () => {
    const o = option({ kind: 'bar', x: 'stage', y: ['total', 'deals'] });
    expect(o.dataset).toEqual({
      dimensions: ['stage', 'total', 'deals'],
      source: [
        ['Discovery', 120000.5, 4],
        ['Proposal', 80000, 2],
      ],
    });
    expect(o.series).toMatchObject([
      { type: 'bar', name: 'Total', encode: { x: 'stage', y: 'total' } },
      { type: 'bar', name: 'Deals', encode: { x: 'stage', y: 'deals' } },
    ]);
    expect(o.series[0].stack).toBeUndefined();
    expect(o.xAxis).toMatchObject({ type: 'category' });
    expect(o.legend).toMatchObject({ type: 'scroll' });
  });

  it('bar stacked: every series on one stack; one series hides the legend', () => {
    const o = option({ kind: 'bar', x: 'stage', y: ['total', 'deals'], stacked: true });
    expect(o.series.map((s: { stack: string }) => s.stack)).toEqual(['total', 'total']);
    expect(option({ kind: 'bar', x: 'stage', y: ['total'] }).legend).toEqual({ show: false });
  });

  it('series: the one y column splits into a series per value (pivoted), dates as dates', () => {
    const o = option({ kind: 'line', x: 'month', y: ['won'], series: 'rep' }, BY_MONTH_AND_REP);
    const jan = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeZone: 'UTC' }).format(Date.UTC(2026, 0, 1));
    expect(o.dataset.dimensions).toEqual(['month', 'Ana', 'Bo']);
    expect(o.dataset.source[0]).toEqual([jan, 10, 20]);
    expect(o.dataset.source[1][2]).toBeNull();
    expect(o.series).toMatchObject([
      { type: 'line', name: 'Ana', encode: { x: 'month', y: 'Ana' } },
      { type: 'line', name: 'Bo', encode: { x: 'month', y: 'Bo' } },
    ]);
  });

  it('line is never stacked; area is a filled line and may stack', () => {
    expect(option({ kind: 'line', x: 'stage', y: ['total'], stacked: true }).series[0].stack).toBeUndefined();
    const area = option({ kind: 'area', x: 'month', y: ['won'], series: 'rep', stacked: true }, BY_MONTH_AND_REP);
    expect(area.series[0]).toMatchObject({ type: 'line', stack: 'total', areaStyle: {} });
  });

  it('pie and funnel: name from x, value from y; the funnel keeps the query order', () => {
    const pie = option({ kind: 'pie', x: 'stage', y: ['total'] });
    expect(pie.series).toMatchObject([{ type: 'pie', encode: { itemName: 'stage', value: 'total' } }]);
    expect(pie.tooltip).toMatchObject({ trigger: 'item' });
    const funnel = option({ kind: 'funnel', x: 'stage', y: ['deals'] });
    expect(funnel.series).toMatchObject([{ type: 'funnel', sort: 'none', encode: { itemName: 'stage', value: 'deals' } }]);
    expect(funnel.dataset.source).toEqual([
      ['Discovery', 4],
      ['Proposal', 2],
    ]);
  });

  it('number: the first row of the y column, formatted', () => {
    expect(chartView(spec({ kind: 'number', y: ['total'], format: 'number' }), BY_STAGE)).toEqual({
      type: 'number',
      value: '120,000.5',
      label: 'Total',
    });
    const rate = { columns: ['win_rate'], types: ['float8'], rows: [[0.254]] };
    expect(chartView(spec({ kind: 'number', y: ['win_rate'], format: 'percent', title: 'Win rate' }), rate)).toEqual({
      type: 'number',
      value: '25.4%',
      label: 'Win rate',
    });
  });

  it('table, and nothing to draw', () => {
    expect(chartView(spec({ kind: 'table' }), BY_STAGE)).toEqual({ type: 'table' });
    expect(chartView(spec({ kind: 'bar', x: 'stage', y: ['total'] }), { ...BY_STAGE, rows: [] })).toEqual({ type: 'empty' });
    expect(chartView(spec({ kind: 'bar', x: 'missing', y: ['total'] }), BY_STAGE)).toEqual({ type: 'empty' });
  });

  it('formats axis and tooltip values by the spec format', () => {
    const o = option({ kind: 'bar', x: 'stage', y: ['total'], format: 'currency' });
    expect(o.tooltip.valueFormatter(120000.5)).toBe('120,000.5');
    expect(o.yAxis.axisLabel.formatter(120000)).toBe('120K');
  });

  it('labels the chart for screen readers', () => {
    expect(chartLabel(spec({ kind: 'bar', x: 'stage', y: ['total'] }))).toBe('Bar chart of Total by Stage');
    expect(chartLabel(spec({ kind: 'pie', title: 'Pipeline' }))).toBe('Pipeline');
  });
});

describe('number formats', () => {
  it('currency has a symbol only when the rows name one currency', () => {
    expect(detectCurrency(['amount', 'currency'], [[1, 'usd'], [2, 'USD']])).toBe('USD');
    expect(detectCurrency(['amount', 'currency'], [[1, 'USD'], [2, 'EUR']])).toBeNull();
    expect(detectCurrency(['amount'], [[1]])).toBeNull();
    expect(formatterFor({ format: 'currency', currency: 'USD', fractions: false })(1234.5)).toBe('$1,234.50');
    expect(formatterFor({ format: 'currency', currency: null, fractions: false })(1234.5)).toBe('1,234.5');
  });

  it('percent reads fractions and whole percentages', () => {
    expect(formatterFor({ format: 'percent', currency: null, fractions: true })(0.5)).toBe('50%');
    expect(formatterFor({ format: 'percent', currency: null, fractions: false })(42)).toBe('42%');
  });
});
