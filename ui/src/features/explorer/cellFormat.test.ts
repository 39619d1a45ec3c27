import { describe, expect, it } from 'vitest';
import { columnWidth, displayCell } from './cellFormat';

describe('displayCell', () => {
  it('shows null as a muted "null" whatever the type', () => {
    expect(displayCell(null, 'numeric')).toEqual({ text: 'null', tone: 'null', raw: null });
    expect(displayCell(undefined, 'text')).toEqual({ text: 'null', tone: 'null', raw: null });
  });

  it('groups exact decimals without rounding them, right-aligned', () => {
    const cell = displayCell('1234567.50', 'numeric');
    expect(cell.text).toBe(new Intl.NumberFormat(undefined, { minimumFractionDigits: 2 }).format(1234567.5));
    expect(cell.tone).toBe('number');
    expect(cell.raw).toBe('1234567.50');
    expect(displayCell('12345678901234567890.12', 'numeric').text.replace(/\D/g, '')).toBe('1234567890123456789012');
    expect(displayCell(42, 'int4')).toMatchObject({ text: '42', tone: 'number', raw: null });
  });

  it('formats dates as calendar days and timestamps in local time, keeping the raw value', () => {
    const day = displayCell('2026-03-01', 'date');
    expect(day.text).toBe(new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeZone: 'UTC' }).format(Date.UTC(2026, 2, 1)));
    expect(day.raw).toBe('2026-03-01');
    const moment = displayCell('2026-03-01T10:30:00Z', 'timestamptz');
    expect(moment.text).toBe(new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' }).format(Date.parse('2026-03-01T10:30:00Z')));
    expect(moment.tone).toBe('plain');
  });

  it('says true/false for booleans and keeps JSON as JSON', () => {
    expect(displayCell(true, 'bool').text).toBe('true');
    expect(displayCell(false, 'bool').text).toBe('false');
    expect(displayCell({ source: 'hubspot' }, 'jsonb')).toEqual({ text: '{"source":"hubspot"}', tone: 'json', raw: null });
    expect(displayCell([1, 2], 'json')).toMatchObject({ text: '[1,2]', tone: 'json' });
    const long = { note: 'x'.repeat(80) };
    expect(displayCell(long, 'jsonb').raw).toBe(JSON.stringify(long));
    expect(displayCell([1, null, 3], '_int4').text).toBe('1, —, 3');
    expect(displayCell('plain', 'text')).toEqual({ text: 'plain', tone: 'plain', raw: null });
  });
});

describe('columnWidth', () => {
  it('fits the header and the widest sampled cell, within 6 and 40 characters', () => {
    expect(columnWidth('id', 'int4', ['1', '22'])).toBe(7);
    expect(columnWidth('name', 'text', ['Acme Corporation'])).toBe(18);
    expect(columnWidth('notes', 'text', ['x'.repeat(200)])).toBe(40);
  });
});
