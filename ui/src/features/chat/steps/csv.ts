/**
 * The rows of a tool step as a CSV file: RFC 4180 (CRLF line ends, fields with commas, quotes or
 * line breaks quoted, quotes doubled), UTF-8 with a byte-order mark so spreadsheet apps read
 * accents right. Values are the raw ones (exact decimals, ISO timestamps), not the display text.
 */

/** Text a spreadsheet would run as a formula; prefixed with ' so opening the file is safe. */
const FORMULA_START = /^[=+\-@\t\r]/;

export function csvField(value: unknown, numeric = false): string {
  if (value === null || value === undefined) return '';
  let text = typeof value === 'object' ? JSON.stringify(value) : String(value);
  if (!numeric && typeof value === 'string' && FORMULA_START.test(text)) text = `'${text}`;
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

export function toCsv(columns: readonly string[], rows: readonly unknown[][], numericColumns: readonly boolean[] = []): string {
  const lines = [columns.map((c) => csvField(c)).join(',')];
  for (const row of rows) lines.push(columns.map((_, i) => csvField(row[i], numericColumns[i] ?? false)).join(','));
  return `${lines.join('\r\n')}\r\n`;
}

export function csvBlob(csv: string): Blob {
  return new Blob(['\uFEFF', csv], { type: 'text/csv;charset=utf-8' });
}

/** "deals" → "deals.csv"; anything unsafe in a file name becomes "-". */
export function csvFileName(base: string | null): string {
  const safe = (base ?? '')
    .trim()
    .replace(/[^\p{L}\p{N}_.-]+/gu, '-')
    .replace(/^[-.]+|[-.]+$/g, '');
  return `${safe || 'results'}.csv`;
}

/** Saves the file through a temporary link (the browser's download). */
export function downloadBlob(blob: Blob, fileName: string): void {
  const url = URL.createObjectURL(blob);
  const link = document.createElement('a');
  link.href = url;
  link.download = fileName;
  link.rel = 'noopener';
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 0);
}
