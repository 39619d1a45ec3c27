import { describe, expect, it } from 'vitest';
import { chartResult, parseResults, toChartSpec } from './artifactData';

describe('artifact data', () => {
  const results = parseResults({
    by_stage: { columns: [{ name: 'stage', type: 'text' }, { name: 'n', type: 'int8' }], rows: [['A', 1]], row_count: 1, truncated: false },
    broken: { error: 'relation "x" does not exist' },
    junk: 3,
  });

  it('reads results keyed by query name, errors included', () => {
    expect([...results.keys()]).toEqual(['by_stage', 'broken']);
    expect(results.get('by_stage')).toEqual({ ok: true, columns: ['stage', 'n'], types: ['text', 'int8'], rows: [['A', 1]], rowCount: 1, truncated: false });
    expect(results.get('broken')).toEqual({ ok: false, error: 'relation "x" does not exist' });
    expect(parseResults(null).size).toBe(0);
  });

  it('draws the query the chart names, or the first', () => {
    expect(chartResult(results, 'broken')?.[0]).toBe('broken');
    expect(chartResult(results, null)?.[0]).toBe('by_stage');
    expect(chartResult(results, 'missing')?.[0]).toBe('by_stage');
    expect(chartResult(new Map(), null)).toBeNull();
  });

  it('makes the stored spec explicit', () => {
    expect(toChartSpec({ kind: 'bar', y: ['n'], stacked: false, x: 'stage' })).toEqual({
      kind: 'bar',
      x: 'stage',
      y: ['n'],
      series: null,
      stacked: false,
      format: null,
      title: null,
    });
  });
});
