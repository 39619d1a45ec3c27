/**
 * A query's rows in a virtualized grid (only the rows in view are in the page, so the server's
 * thousand-row cap scrolls smoothly), sortable by clicking a header: ascending, then descending.
 * Sorting is done here, on the rows shown, by each column's type (see sorting.ts).
 */
import { type ColumnDef, type SortingState, flexRender, getCoreRowModel, useReactTable } from '@tanstack/react-table';
import { useVirtualizer } from '@tanstack/react-virtual';
import { ArrowDown, ArrowUp, ArrowUpDown } from 'lucide-react';
import { memo, useMemo, useRef, useState } from 'react';
import { cx } from '../../lib/cx';
import { type DisplayCell, columnWidth, displayCell } from './cellFormat';
import type { QueryResult } from './hooks';
import { type ColumnKind, columnKind, sortRows } from './sorting';

type Row = unknown[];

interface GridColumn {
  index: number;
  name: string;
  type: string;
  kind: ColumnKind;
  width: number;
}

const ROW_HEIGHT = 33;
const SAMPLE = 200;

function Cell({ cell }: { cell: DisplayCell }) {
  return (
    <span
      title={cell.raw ?? undefined}
      className={cx(cell.tone === 'null' && 'italic text-slate-500', cell.tone === 'json' && 'font-mono text-xs')}
    >
      {cell.text}
    </span>
  );
}

export interface ResultGridProps {
  result: QueryResult;
  /** The grid's accessible name. */
  label: string;
}

function ResultGridInner({ result, label }: ResultGridProps) {
  const [sorting, setSorting] = useState<SortingState>([]);
  const scrollRef = useRef<HTMLDivElement>(null);

  const columns = useMemo<GridColumn[]>(
    () =>
      result.columns.map((column, index) => {
        const kind = columnKind(column.type);
        const sample = result.rows.slice(0, SAMPLE).map((row) => displayCell(row[index], column.type, kind).text);
        return { index, name: column.name, type: column.type, kind, width: columnWidth(column.name, column.type, sample) };
      }),
    [result],
  );

  const sorted = useMemo(() => {
    const by = sorting[0];
    const column = by ? columns[Number(by.id)] : undefined;
    return column ? sortRows(result.rows, column.index, column.kind, by!.desc) : result.rows;
  }, [result.rows, sorting, columns]);

  const columnDefs = useMemo<ColumnDef<Row>[]>(
    () =>
      columns.map((column) => ({
        id: String(column.index),
        header: column.name,
        accessorFn: (row: Row) => row[column.index],
        sortDescFirst: false,
        cell: (info) => <Cell cell={displayCell(info.getValue(), column.type, column.kind)} />,
      })),
    [columns],
  );

  const table = useReactTable({
    data: sorted,
    columns: columnDefs,
    state: { sorting },
    onSortingChange: setSorting,
    manualSorting: true,
    enableSortingRemoval: false,
    enableMultiSort: false,
    getCoreRowModel: getCoreRowModel(),
  });
  const rows = table.getRowModel().rows;

  const virtualizer = useVirtualizer({
    count: rows.length,
    getScrollElement: () => scrollRef.current,
    estimateSize: () => ROW_HEIGHT,
    overscan: 12,
  });
  const items = virtualizer.getVirtualItems();
  const padTop = items.length ? items[0]!.start : 0;
  const padBottom = items.length ? virtualizer.getTotalSize() - items[items.length - 1]!.end : 0;
  const totalWidth = columns.reduce((sum, c) => sum + c.width, 0);

  return (
    <div
      ref={scrollRef}
      role="region"
      aria-label={label}
      tabIndex={0}
      className="max-h-[32rem] min-h-0 overflow-auto rounded-md border border-slate-200 bg-white"
    >
      <table
        aria-label={label}
        aria-rowcount={rows.length + 1}
        className="table-fixed border-separate border-spacing-0 text-left text-sm"
        style={{ width: `max(100%, ${totalWidth}ch)` }}
      >
        <colgroup>
          {columns.map((column) => (
            <col key={column.index} style={{ width: `${column.width}ch` }} />
          ))}
        </colgroup>
        <thead className="sticky top-0 z-10 bg-slate-50">
          {table.getHeaderGroups().map((group) => (
            <tr key={group.id} aria-rowindex={1}>
              {group.headers.map((header) => {
                const column = columns[Number(header.column.id)]!;
                const direction = header.column.getIsSorted();
                const Icon = direction === 'asc' ? ArrowUp : direction === 'desc' ? ArrowDown : ArrowUpDown;
                return (
                  <th
                    key={header.id}
                    scope="col"
                    aria-sort={direction === 'asc' ? 'ascending' : direction === 'desc' ? 'descending' : 'none'}
                    className="border-b border-slate-200 p-0 font-medium text-slate-700"
                  >
                    <button
                      type="button"
                      onClick={header.column.getToggleSortingHandler()}
                      title={`Sort by ${column.name}`}
                      className={cx(
                        'flex w-full items-center gap-1 px-3 py-1.5 hover:bg-slate-100',
                        column.kind === 'number' ? 'flex-row-reverse text-right' : 'text-left',
                      )}
                    >
                      <span className="min-w-0">
                        <span className="block truncate">{flexRender(header.column.columnDef.header, header.getContext())}</span>
                        <span className="block truncate font-mono text-[11px] font-normal text-slate-600">{column.type}</span>
                      </span>
                      <Icon className={cx('size-3.5 shrink-0', direction ? 'text-brand-700' : 'text-slate-400')} aria-hidden="true" />
                    </button>
                  </th>
                );
              })}
            </tr>
          ))}
        </thead>
        <tbody>
          {padTop > 0 && (
            <tr aria-hidden="true">
              <td colSpan={columns.length} style={{ height: padTop, padding: 0 }} />
            </tr>
          )}
          {items.map((item) => {
            const row = rows[item.index]!;
            return (
              <tr key={row.id} aria-rowindex={item.index + 2} style={{ height: ROW_HEIGHT }} className={cx(item.index % 2 === 1 && 'bg-slate-50/60')}>
                {row.getVisibleCells().map((cell) => {
                  const column = columns[Number(cell.column.id)]!;
                  return (
                    <td
                      key={cell.id}
                      className={cx(
                        'truncate whitespace-nowrap border-b border-slate-100 px-3 py-1.5 text-slate-900',
                        column.kind === 'number' && 'text-right tabular-nums',
                      )}
                    >
                      {flexRender(cell.column.columnDef.cell, cell.getContext())}
                    </td>
                  );
                })}
              </tr>
            );
          })}
          {padBottom > 0 && (
            <tr aria-hidden="true">
              <td colSpan={columns.length} style={{ height: padBottom, padding: 0 }} />
            </tr>
          )}
        </tbody>
      </table>
    </div>
  );
}

/** Re-renders only when the result changes (not while the query is being edited). */
export const ResultGrid = memo(ResultGridInner);
