import { cx } from '../../../lib/cx';
import { formatCell, formatCount, isNumericType } from './formatValue';

export interface ResultTableProps {
  columns: string[];
  types: string[];
  rows: unknown[][];
  /** Rows the query returned (more than `rows` when the step kept only the first ones). */
  rowCount: number | null;
  truncated: boolean;
  label: string;
}

/** "first 100 of 1,234 rows", or null when every row is shown. */
export function shownRowsText(shown: number, rowCount: number | null, truncated: boolean): string | null {
  if (rowCount !== null && rowCount > shown) return `first ${formatCount(shown)} of ${formatCount(rowCount)} rows`;
  if (truncated) return `first ${formatCount(shown)} rows; the query had more`;
  return null;
}

/** The rows of a result, values formatted by their PostgreSQL type; scrolls inside itself. */
export function ResultTable({ columns, types, rows, rowCount, truncated, label }: ResultTableProps) {
  if (columns.length === 0) return null;
  if (rows.length === 0) return <p className="text-sm text-slate-600">No rows.</p>;
  const numeric = columns.map((_, i) => isNumericType(types[i]));
  const more = shownRowsText(rows.length, rowCount, truncated);
  return (
    <div>
      <div
        role="region"
        aria-label={label}
        tabIndex={0}
        className="max-h-80 overflow-auto rounded-md border border-slate-200 bg-white"
      >
        <table className="min-w-full text-left text-sm">
          <thead className="sticky top-0 bg-slate-50">
            <tr>
              {columns.map((column, i) => (
                <th key={`${column}-${i}`} scope="col" className={cx('whitespace-nowrap px-3 py-1.5 font-medium text-slate-700', numeric[i] && 'text-right')}>
                  {column}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {rows.map((row, r) => (
              <tr key={r} className="border-t border-slate-100">
                {columns.map((_, i) => (
                  <td key={i} className={cx('max-w-xs truncate px-3 py-1.5 text-slate-900', numeric[i] && 'text-right tabular-nums')}>
                    {formatCell(row[i], types[i])}
                  </td>
                ))}
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      {more && <p className="mt-1 text-xs text-slate-600">Showing the {more}.</p>}
    </div>
  );
}
