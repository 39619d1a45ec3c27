import { describe, expect, it } from 'vitest';
import { EMPTY_CELL, formatCell, groupNumber, toNumber } from './formatValue';

describe('cell values by PostgreSQL type', () => {
  it('groups numbers exactly', () => {
    expect(formatCell('1234567.50', 'numeric')).toBe('1,234,567.50');
    expect(formatCell('12345678901234567890', 'numeric')).toBe('12,345,678,901,234,567,890');
    expect(formatCell(42000, 'int8')).toBe('42,000');
    expect(groupNumber('-0.125')).toBe('-0.125');
    expect(formatCell('NaN', 'float8')).toBe('NaN');
  });

  it('shows null as an em dash, booleans as words, json as text', () => {
    expect(formatCell(null, 'text')).toBe(EMPTY_CELL);
    expect(formatCell(true, 'bool')).toBe('Yes');
    expect(formatCell({ a: 1 }, 'jsonb')).toBe('{"a":1}');
    expect(formatCell(['a', null], '_text')).toBe(`a, ${EMPTY_CELL}`);
  });

  it('shows timestamps in local time and dates as the same day everywhere', () => {
    const ts = '2026-03-04T15:30:00Z';
    expect(formatCell(ts, 'timestamptz')).toBe(
      new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' }).format(Date.parse(ts)),
    );
    expect(formatCell('2026-03-04', 'date')).toBe(
      new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeZone: 'UTC' }).format(Date.UTC(2026, 2, 4)),
    );
    expect(formatCell('not a date', 'timestamptz')).toBe('not a date');
  });

  it('reads numbers for charts', () => {
    expect(toNumber('12.5')).toBe(12.5);
    expect(toNumber('')).toBeNull();
    expect(toNumber('abc')).toBeNull();
    expect(toNumber(Number.NaN)).toBeNull();
  });
});
