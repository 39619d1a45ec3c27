import { describe, expect, it } from 'vitest';
import { movedOrder } from './hooks';
import { chartInput, suggestTitle } from './PinDialog';
import { fileNameFrom } from '../../lib/fileResponse';
import { chartResult, parseResults } from './tileData';

const dispositionFileName = (header: string | null) => fileNameFrom(header, '') || null;

describe('tile data', () => {
  it('reads the results of every query, failed ones in words', () => {
    const results = parseResults({
      by_stage: { columns: [{ name: 'stage', type: 'text' }], rows: [['Won']], row_count: 1, truncated: false, elapsed_ms: 2 },
      broken: { error: 'column "amount" does not exist' },
      junk: 3,
    });
    expect([...results.keys()]).toEqual(['by_stage', 'broken']);
    expect(results.get('by_stage')).toEqual({ ok: true, columns: ['stage'], types: ['text'], rows: [['Won']], rowCount: 1, truncated: false });
    expect(results.get('broken')).toEqual({ ok: false, error: 'column "amount" does not exist' });
    expect(chartResult(results, 'broken')?.[0]).toBe('broken');
    expect(chartResult(results, 'missing')?.[0]).toBe('by_stage');
    expect(chartResult(parseResults(null), null)).toBeNull();
  });

  it('takes the file name from Content-Disposition, the UTF-8 one first', () => {
    expect(dispositionFileName(`attachment; filename="Pipeline.csv"; filename*=UTF-8''Pipeline%20%C3%A9t%C3%A9.csv`)).toBe('Pipeline été.csv');
    expect(dispositionFileName('attachment; filename="Open deals.csv"')).toBe('Open deals.csv');
    expect(dispositionFileName('attachment; filename=deals.csv')).toBe('deals.csv');
    expect(dispositionFileName(null)).toBeNull();
    expect(dispositionFileName('attachment')).toBeNull();
  });

  it('moves one tile one place and sends every tile', () => {
    const tiles = [{ id: 'a' }, { id: 'b' }, { id: 'c' }];
    expect(movedOrder(tiles, 'b', -1)).toEqual(['b', 'a', 'c']);
    expect(movedOrder(tiles, 'b', 1)).toEqual(['a', 'c', 'b']);
    expect(movedOrder(tiles, 'a', -1)).toBeNull();
    expect(movedOrder(tiles, 'c', 1)).toBeNull();
  });
});

describe('pinning a chat step', () => {
  const chart = { kind: 'bar' as const, x: 'stage', y: ['won_amount'], series: null, stacked: false, format: 'currency' as const, title: null };

  it('names the query after its chart, or the table it reads', () => {
    expect(suggestTitle({ kind: 'query', sql: 'x', chart: { ...chart, title: 'Open pipeline' }, subject: 'deals' })).toBe('Open pipeline');
    expect(suggestTitle({ kind: 'query', sql: 'x', chart, subject: 'deals' })).toBe('Won amount by stage');
    expect(suggestTitle({ kind: 'query', sql: 'x', chart: { ...chart, kind: 'number', x: null }, subject: 'deals' })).toBe('Won amount');
    expect(suggestTitle({ kind: 'query', sql: 'x', chart: null, subject: 'deal_stages' })).toBe('Deal stages');
    expect(suggestTitle({ kind: 'query', sql: 'x', chart: null, subject: null })).toBe('Saved query');
  });

  it('sends the chart without its nulls', () => {
    expect(chartInput(chart)).toEqual({ kind: 'bar', x: 'stage', y: ['won_amount'], stacked: false, format: 'currency' });
  });
});
