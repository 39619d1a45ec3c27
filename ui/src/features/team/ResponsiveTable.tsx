import type { ReactNode } from 'react';
import { cx } from '../../lib/cx';

/**
 * A table that becomes a stack of cards when its container is narrow (a phone, or a tablet with
 * the sidebar open): the same rows in the DOM either way, so nothing is rendered twice. Changing
 * the CSS display of table elements makes some browsers drop their table semantics, so the roles
 * are stated explicitly. In card form the column headers are hidden and each cell shows its own
 * label instead.
 */
export function ResponsiveTable({
  caption,
  columns,
  children,
}: {
  /** Accessible name of the table (visually hidden: the section heading says it). */
  caption: string;
  /**
   * Column headers; an empty label is a column without a visible title (e.g. actions). The
   * layout is fixed: give every column but the first a width, the first takes the rest.
   */
  columns: { label: string; srLabel?: string; className?: string }[];
  children: ReactNode;
}) {
  return (
    <div className="@container">
      <table role="table" className="block w-full text-left text-sm @2xl:table @2xl:table-fixed @2xl:rounded-xl @2xl:bg-white @2xl:ring-1 @2xl:ring-slate-200">
        <caption className="sr-only">{caption}</caption>
        <thead role="rowgroup" className="hidden @2xl:table-header-group">
          <tr role="row" className="border-b border-slate-200">
            {columns.map((column, i) => (
              <th
                key={i}
                role="columnheader"
                scope="col"
                className={cx('px-4 py-2.5 text-xs font-semibold uppercase tracking-wide text-slate-600', column.className)}
              >
                {column.label || <span className="sr-only">{column.srLabel}</span>}
              </th>
            ))}
          </tr>
        </thead>
        <tbody role="rowgroup" className="block space-y-3 @2xl:table-row-group @2xl:space-y-0 @2xl:divide-y @2xl:divide-slate-200">
          {children}
        </tbody>
      </table>
    </div>
  );
}

export function Row({ children, className }: { children: ReactNode; className?: string }) {
  return (
    <tr
      role="row"
      className={cx(
        'block rounded-xl bg-white p-4 ring-1 ring-slate-200 @2xl:table-row @2xl:rounded-none @2xl:bg-transparent @2xl:p-0 @2xl:ring-0',
        className,
      )}
    >
      {children}
    </tr>
  );
}

/**
 * One cell. `label` is shown before the content in card form only (in table form the column
 * header says it). The first cell of a row is its header: the person or invitation it is about.
 */
export function Cell({
  label,
  header = false,
  className,
  children,
}: {
  label?: string;
  header?: boolean;
  className?: string;
  children: ReactNode;
}) {
  const classes = cx('block align-middle empty:hidden @2xl:table-cell @2xl:px-4 @2xl:py-3 @2xl:empty:table-cell', !header && 'mt-3 @2xl:mt-0', className);
  const body = (
    <>
      {label && <span className="mb-1 block text-xs font-medium text-slate-600 @2xl:hidden">{label}</span>}
      {children}
    </>
  );
  return header ? (
    <th role="rowheader" scope="row" className={cx(classes, 'font-normal')}>
      {body}
    </th>
  ) : (
    <td role="cell" className={classes}>
      {body}
    </td>
  );
}
