import { describe, expect, it } from 'vitest';
import { columnKind, compareCells, compareDecimals, sortRows } from './sorting';

const col = (rows: unknown[][], i = 0) => rows.map((r) => r[i]);

describe('columnKind', () => {
  it('reads the PostgreSQL type', () => {
    expect(['int4', 'int8', 'numeric', 'float8', 'money'].map(columnKind)).toEqual(['number', 'number', 'number', 'number', 'number']);
    expect(['date', 'timestamp', 'timestamptz'].map(columnKind)).toEqual(['date', 'date', 'date']);
    expect(columnKind('bool')).toBe('boolean');
    expect(columnKind('jsonb')).toBe('json');
    expect(columnKind('_int4')).toBe('text');
    expect(columnKind('text')).toBe('text');
    expect(columnKind(undefined)).toBe('text');
  });
});

describe('compareDecimals', () => {
  it('compares exact decimal strings without floats', () => {
    expect(compareDecimals('10', '9')).toBe(1);
    expect(compareDecimals('-10', '-9')).toBe(-1);
    expect(compareDecimals('1.50', '1.5')).toBe(0);
    expect(compareDecimals('-0.00', '0')).toBe(0);
    expect(compareDecimals('007', '7')).toBe(0);
    expect(compareDecimals('12345678901234567890.000000000000000001', '12345678901234567890')).toBe(1);
    expect(compareDecimals('-12345678901234567890.1', '-12345678901234567890')).toBe(-1);
  });
});

describe('sortRows', () => {
  it('sorts numbers numerically, exact decimal strings included, not as text', () => {
    const rows = [['100'], ['9.5'], [20], ['-3'], ['1e3']];
    expect(col(sortRows(rows, 0, 'number', false))).toEqual(['-3', '9.5', 20, '100', '1e3']);
    expect(col(sortRows(rows, 0, 'number', true))).toEqual(['1e3', '100', 20, '9.5', '-3']);
    // Equal as floats, different as decimals.
    const big = [['9007199254740993'], ['9007199254740992']];
    expect(col(sortRows(big, 0, 'number', false))).toEqual(['9007199254740992', '9007199254740993']);
  });

  it('puts PostgreSQL NaN above every number and reads money', () => {
    expect(col(sortRows([['NaN'], ['Infinity'], ['-Infinity'], ['0']], 0, 'number', false))).toEqual(['-Infinity', '0', 'Infinity', 'NaN']);
    expect(col(sortRows([['$1,200.00'], ['$99.50'], ['-$5.00']], 0, 'number', false))).toEqual(['-$5.00', '$99.50', '$1,200.00']);
  });

  it('sorts dates and timestamps chronologically, infinity at the ends', () => {
    const rows = [['2026-01-05T10:00:00Z'], ['2025-12-31T23:00:00-02:00'], ['infinity'], ['2025-06-01T00:00:00Z'], ['-infinity']];
    // 23:00 at -02:00 is 01:00 UTC on 1 January: after June, before 5 January.
    expect(col(sortRows(rows, 0, 'date', false))).toEqual([
      '-infinity',
      '2025-06-01T00:00:00Z',
      '2025-12-31T23:00:00-02:00',
      '2026-01-05T10:00:00Z',
      'infinity',
    ]);
    expect(col(sortRows([['2026-02-01'], ['2025-11-30'], ['2026-01-15']], 0, 'date', true))).toEqual(['2026-02-01', '2026-01-15', '2025-11-30']);
  });

  it('keeps nulls last in both directions and ties in their original order', () => {
    const rows = [[null, 'a'], ['2', 'b'], [null, 'c'], ['1', 'd'], ['2', 'e']];
    expect(col(sortRows(rows, 0, 'number', false), 1)).toEqual(['d', 'b', 'e', 'a', 'c']);
    expect(col(sortRows(rows, 0, 'number', true), 1)).toEqual(['b', 'e', 'd', 'a', 'c']);
    expect(rows[0]).toEqual([null, 'a']);
  });

  it('sorts text naturally and case-insensitively, booleans false first', () => {
    expect(col(sortRows([['item 10'], ['Item 2'], ['apple']], 0, 'text', false))).toEqual(['apple', 'Item 2', 'item 10']);
    expect(col(sortRows([[true], [false], [null], [true]], 0, 'boolean', false))).toEqual([false, true, true, null]);
    expect(compareCells({ a: 2 }, { a: 1 }, 'json')).toBeGreaterThan(0);
  });
});
