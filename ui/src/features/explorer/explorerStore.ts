/**
 * The explorer's UI state: the SQL in the editor, kept in this browser per user so it survives
 * reloads (and is not shown to the next person who signs in here), and whether the schema is
 * open on narrow screens. Query results are server state and stay out of it.
 */
import { create } from 'zustand';
import { createJSONStorage, persist } from 'zustand/middleware';
import { browserStorage } from '../../lib/storage';

/** Longest query the server accepts (`QueryRequest.sql`). */
export const MAX_SQL_LENGTH = 65_536;

interface ExplorerState {
  /** The editor's text by user id. */
  sqlByUser: Record<string, string>;
  setSql: (userId: string, sql: string) => void;
  /** Narrow screens: the schema panel is shown above the editor when open. */
  schemaOpen: boolean;
  setSchemaOpen: (open: boolean) => void;
}

export const useExplorerStore = create<ExplorerState>()(
  persist(
    (set) => ({
      sqlByUser: {},
      setSql: (userId, sql) =>
        set((s) => {
          if ((s.sqlByUser[userId] ?? '') === sql) return s;
          const sqlByUser = { ...s.sqlByUser };
          if (sql === '') delete sqlByUser[userId];
          else sqlByUser[userId] = sql;
          return { sqlByUser };
        }),
      schemaOpen: false,
      setSchemaOpen: (open) => set({ schemaOpen: open }),
    }),
    {
      name: 'revtops.explorer',
      storage: createJSONStorage(browserStorage),
      partialize: (s) => ({ sqlByUser: s.sqlByUser }),
    },
  ),
);

export const useExplorerSql = (userId: string) => useExplorerStore((s) => s.sqlByUser[userId] ?? '');

/** The SQL handed over by another page (`navigate('/explorer', { state: { sql } })`), if any. */
export function sqlFromLocationState(state: unknown): string | null {
  if (typeof state !== 'object' || state === null || !('sql' in state)) return null;
  const { sql } = state as { sql: unknown };
  if (typeof sql !== 'string' || sql.trim() === '') return null;
  return sql.slice(0, MAX_SQL_LENGTH);
}
