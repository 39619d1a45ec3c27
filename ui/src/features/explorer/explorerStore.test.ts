import { beforeEach, describe, expect, it } from 'vitest';
import { MAX_SQL_LENGTH, sqlFromLocationState, useExplorerStore } from './explorerStore';
import { filterSchema } from './schemaFilter';
import { TABLES } from './fixtures';

describe('explorer store', () => {
  beforeEach(() => useExplorerStore.setState({ sqlByUser: {}, schemaOpen: false }));

  it('keeps the SQL per user and forgets an emptied editor', () => {
    const { setSql } = useExplorerStore.getState();
    setSql('u1', 'SELECT 1');
    setSql('u2', 'SELECT 2');
    expect(useExplorerStore.getState().sqlByUser).toEqual({ u1: 'SELECT 1', u2: 'SELECT 2' });
    setSql('u1', '');
    expect(useExplorerStore.getState().sqlByUser).toEqual({ u2: 'SELECT 2' });
  });
});

describe('sqlFromLocationState', () => {
  it('accepts { sql } with text and nothing else', () => {
    expect(sqlFromLocationState({ sql: 'SELECT 1' })).toBe('SELECT 1');
    expect(sqlFromLocationState({ sql: '   ' })).toBeNull();
    expect(sqlFromLocationState({ sql: 42 })).toBeNull();
    expect(sqlFromLocationState(null)).toBeNull();
    expect(sqlFromLocationState('SELECT 1')).toBeNull();
    expect(sqlFromLocationState({ sql: 'x'.repeat(MAX_SQL_LENGTH + 10) })!.length).toBe(MAX_SQL_LENGTH);
  });
});

describe('filterSchema', () => {
  it('finds tables by name or description and columns by name, type or description', () => {
    expect(filterSchema(TABLES, '').map((v) => v.table.name)).toEqual(['accounts', 'deals']);
    const byTable = filterSchema(TABLES, 'DEALS');
    expect(byTable.map((v) => [v.table.name, v.columns.length])).toEqual([['deals', 5]]);
    const byColumn = filterSchema(TABLES, 'revenue');
    expect(byColumn.map((v) => [v.table.name, v.columns.map((c) => c.name)])).toEqual([['accounts', ['annual_revenue']]]);
    expect(filterSchema(TABLES, 'date').map((v) => v.columns.map((c) => c.name))).toEqual([['close_date']]);
    expect(filterSchema(TABLES, 'nothing like this')).toEqual([]);
  });
});
