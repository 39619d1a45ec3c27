/** The schema panel's search. */
import type { SchemaColumn, SchemaTable } from './hooks';

export interface VisibleTable {
  table: SchemaTable;
  columns: SchemaColumn[];
}

const matches = (needle: string, ...haystack: string[]) => haystack.some((text) => text.toLowerCase().includes(needle));

/** Tables (and their columns) matching the search: a table's own match keeps all its columns. */
export function filterSchema(tables: readonly SchemaTable[], search: string): VisibleTable[] {
  const needle = search.trim().toLowerCase();
  if (!needle) return tables.map((table) => ({ table, columns: table.columns }));
  const visible: VisibleTable[] = [];
  for (const table of tables) {
    if (matches(needle, table.name, table.description)) {
      visible.push({ table, columns: table.columns });
      continue;
    }
    const columns = table.columns.filter((c) => matches(needle, c.name, c.type, c.description));
    if (columns.length) visible.push({ table, columns });
  }
  return visible;
}
