import { ChevronRight, Search, Table2 } from 'lucide-react';
import { useId, useMemo, useState } from 'react';
import { ErrorAlert } from '../../components/Alert';
import { Button } from '../../components/Button';
import { LoadingBlock } from '../../components/Skeleton';
import { cx } from '../../lib/cx';
import type { SchemaTable } from './hooks';
import { filterSchema } from './schemaFilter';
import { quoteIdent } from './insertion';

export interface SchemaPanelProps {
  id: string;
  tables: SchemaTable[] | undefined;
  isPending: boolean;
  error: unknown;
  onRetry: () => void;
  /** Puts the (quoted when needed) name at the editor's cursor. */
  onInsert: (text: string) => void;
  className?: string;
}

/** The tables and columns SQL may read, beside the editor: searchable, a click inserts a name. */
export function SchemaPanel({ id, tables, isPending, error, onRetry, onInsert, className }: SchemaPanelProps) {
  const [search, setSearch] = useState('');
  const [expanded, setExpanded] = useState<ReadonlySet<string>>(() => new Set());
  const uid = useId();
  const visible = useMemo(() => filterSchema(tables ?? [], search), [tables, search]);
  const searching = search.trim() !== '';

  const toggle = (name: string) =>
    setExpanded((current) => {
      const next = new Set(current);
      if (next.has(name)) next.delete(name);
      else next.add(name);
      return next;
    });

  return (
    <section id={id} aria-labelledby={`${uid}-title`} className={cx('flex min-h-0 flex-col rounded-xl border border-slate-200 bg-white', className)}>
      <div className="border-b border-slate-200 p-3">
        <h2 id={`${uid}-title`} className="text-sm font-semibold text-slate-900">
          Schema
        </h2>
        <p id={`${uid}-hint`} className="mt-0.5 text-xs text-slate-600">
          Click a table or column to insert it at the cursor.
        </p>
        <div className="relative mt-2">
          <Search className="pointer-events-none absolute left-2.5 top-1/2 size-4 -translate-y-1/2 text-slate-500" aria-hidden="true" />
          <input
            type="search"
            aria-label="Search tables and columns"
            placeholder="Search tables and columns"
            value={search}
            onChange={(event) => setSearch(event.target.value)}
            disabled={!tables}
            className="block w-full rounded-md border border-slate-300 bg-white py-1.5 pl-8 pr-2 text-sm text-slate-900 placeholder:text-slate-500 disabled:bg-slate-50"
          />
        </div>
      </div>

      <div className="min-h-0 flex-1 overflow-y-auto p-2">
        {isPending ? (
          <div className="p-2">
            <LoadingBlock label="Loading the schema…" lines={6} />
          </div>
        ) : error ? (
          <ErrorAlert error={error} className="m-1">
            <Button variant="secondary" className="mt-3" onClick={onRetry}>
              Try again
            </Button>
          </ErrorAlert>
        ) : visible.length === 0 ? (
          <p className="p-2 text-sm text-slate-600" role="status">
            {searching ? `No table or column matches “${search.trim()}”.` : 'No tables can be queried yet.'}
          </p>
        ) : (
          <ul aria-label="Tables" className="space-y-0.5">
            {visible.map(({ table, columns }) => {
              const open = searching || expanded.has(table.name);
              const columnsId = `${uid}-${table.name}-columns`;
              const descriptionId = `${uid}-${table.name}-description`;
              return (
                <li key={table.name}>
                  <div className="flex items-start gap-0.5">
                    {searching ? (
                      <span className="flex size-7 shrink-0 items-center justify-center text-slate-500" aria-hidden="true">
                        <ChevronRight className="size-4 rotate-90" />
                      </span>
                    ) : (
                      <button
                        type="button"
                        aria-label={`Columns of ${table.name}`}
                        aria-expanded={open}
                        aria-controls={open ? columnsId : undefined}
                        onClick={() => toggle(table.name)}
                        className="flex size-7 shrink-0 items-center justify-center rounded text-slate-600 hover:bg-slate-100"
                      >
                        <ChevronRight className={cx('size-4 transition-transform', open && 'rotate-90')} aria-hidden="true" />
                      </button>
                    )}
                    <div className="min-w-0 flex-1">
                      <button
                        type="button"
                        aria-label={`Insert ${table.name}`}
                        aria-describedby={table.description ? descriptionId : undefined}
                        onClick={() => onInsert(quoteIdent(table.name))}
                        className="flex w-full items-center gap-1.5 rounded px-1.5 py-1 text-left font-mono text-sm font-medium text-slate-900 hover:bg-brand-50"
                      >
                        <Table2 className="size-3.5 shrink-0 text-slate-500" aria-hidden="true" />
                        <span className="truncate">{table.name}</span>
                      </button>
                      {table.description && (
                        <p id={descriptionId} className="px-1.5 text-xs text-slate-600">
                          {table.description}
                        </p>
                      )}
                    </div>
                  </div>
                  {open && (
                    <ul id={columnsId} aria-label={`Columns of ${table.name}`} className="mb-1 ml-7 mt-0.5 space-y-0.5 border-l border-slate-200 pl-1">
                      {columns.map((column) => {
                        const columnTypeId = `${columnsId}-${column.name}-type`;
                        const columnDescriptionId = `${columnsId}-${column.name}-description`;
                        return (
                          <li key={column.name}>
                            <button
                              type="button"
                              aria-label={`Insert ${column.name}`}
                              aria-describedby={column.description ? `${columnTypeId} ${columnDescriptionId}` : columnTypeId}
                              onClick={() => onInsert(quoteIdent(column.name))}
                              className="w-full rounded px-1.5 py-0.5 text-left hover:bg-brand-50"
                            >
                              <span className="flex items-baseline justify-between gap-2">
                                <span className="truncate font-mono text-[13px] text-slate-900">{column.name}</span>
                                <span id={columnTypeId} className="shrink-0 font-mono text-[11px] text-slate-600">
                                  {column.type}
                                </span>
                              </span>
                              {column.description && (
                                <span id={columnDescriptionId} className="block text-xs text-slate-600">
                                  {column.description}
                                </span>
                              )}
                            </button>
                          </li>
                        );
                      })}
                    </ul>
                  )}
                </li>
              );
            })}
          </ul>
        )}
      </div>
    </section>
  );
}
