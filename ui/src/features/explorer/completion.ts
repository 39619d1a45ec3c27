/**
 * The schema from `GET /api/schema` as the editor's completion data. Pure (types only from
 * CodeMirror), so the page chunk does not pull the editor in and the mapping is unit-tested.
 */
import type { SQLNamespace } from '@codemirror/lang-sql';
import type { SchemaTable } from './hooks';

/** What a completion option needs (a subset of CodeMirror's `Completion`). */
export interface ColumnOption {
  label: string;
  type: 'property';
  detail: string;
  info: string;
  /** Ranks just below lang-sql's own options so keywords typed in full still come first. */
  boost: number;
}

/**
 * lang-sql's `schema` option: every table (`deals`) with its columns, so `deals.` completes
 * `deals.amount` and aliases (`FROM deals d` then `d.`) work too.
 */
export function completionSchema(tables: readonly SchemaTable[]): SQLNamespace {
  const namespace: Record<string, SQLNamespace> = {};
  for (const table of tables) {
    namespace[table.name] = {
      self: { label: table.name, type: 'type', detail: 'table', info: table.description || undefined },
      children: table.columns.map((column) => ({
        label: column.name,
        type: 'property',
        detail: column.type,
        info: column.description || undefined,
      })),
    };
  }
  return namespace;
}

const WORD = /[A-Za-z_][A-Za-z0-9_$]*/g;

/** Table names the query mentions (after FROM or JOIN, or anywhere: a CTE may re-use them). */
export function tablesInQuery(sql: string, tables: readonly SchemaTable[]): SchemaTable[] {
  const words = new Set((sql.match(WORD) ?? []).map((w) => w.toLowerCase()));
  return tables.filter((table) => words.has(table.name.toLowerCase()));
}

/**
 * Bare column names (`SELECT amo|` → `amount`) of the tables the query already names, which
 * lang-sql alone does not offer. One option per name; the detail says which table(s) have it.
 */
export function columnsInScope(sql: string, tables: readonly SchemaTable[]): ColumnOption[] {
  const byName = new Map<string, { type: string; info: string; tables: string[] }>();
  for (const table of tablesInQuery(sql, tables)) {
    for (const column of table.columns) {
      const seen = byName.get(column.name);
      if (seen) {
        seen.tables.push(table.name);
        continue;
      }
      byName.set(column.name, { type: column.type, info: column.description, tables: [table.name] });
    }
  }
  return [...byName].map(([name, { type, info, tables: owners }]) => ({
    label: name,
    type: 'property',
    detail: owners.length === 1 ? `${type} · ${owners[0]}` : `${owners.join(', ')}`,
    info,
    boost: -1,
  }));
}
