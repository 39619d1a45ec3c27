import { describe, expect, it } from 'vitest';
import { csvBlob, csvField, csvFileName, toCsv } from './csv';

describe('CSV export', () => {
  it('quotes per RFC 4180 and ends lines with CRLF', () => {
    const csv = toCsv(
      ['name', 'note', 'amount'],
      [
        ['Acme, Inc.', 'said "hi"', '1200.50'],
        ['Line\nbreak', null, '-5'],
      ],
      [false, false, true],
    );
    expect(csv).toBe('name,note,amount\r\n"Acme, Inc.","said ""hi""",1200.50\r\n"Line\nbreak",,-5\r\n');
  });

  it('keeps spreadsheet formulas from running, but not negative numbers', () => {
    expect(csvField('=HYPERLINK("x")')).toBe(`"'=HYPERLINK(""x"")"`);
    expect(csvField('-5', true)).toBe('-5');
    expect(csvField({ a: 1 })).toBe('"{""a"":1}"');
    expect(csvField(true)).toBe('true');
  });

  it('is UTF-8 with a byte-order mark', async () => {
    const bytes = new Uint8Array(await csvBlob('é\r\n').arrayBuffer());
    expect([...bytes]).toEqual([0xef, 0xbb, 0xbf, 0xc3, 0xa9, 0x0d, 0x0a]);
  });

  it('names the file after the table', () => {
    expect(csvFileName('deals')).toBe('deals.csv');
    expect(csvFileName('Deal Stages/2026')).toBe('Deal-Stages-2026.csv');
    expect(csvFileName(null)).toBe('results.csv');
  });
});
