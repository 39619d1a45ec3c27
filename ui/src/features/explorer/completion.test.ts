import { describe, expect, it } from 'vitest';
import { columnsInScope, completionSchema, tablesInQuery } from './completion';
import { TABLES } from './fixtures';

describe('completionSchema', () => {
  it('maps every table to a completion with its columns as children, types and descriptions kept', () => {
    const schema = completionSchema(TABLES) as unknown as Record<string, { self: unknown; children: unknown[] }>;
    expect(Object.keys(schema)).toEqual(['accounts', 'deals']);
    expect(schema.deals!.self).toEqual({ label: 'deals', type: 'type', detail: 'table', info: 'Opportunities in the pipeline.' });
    expect(schema.deals!.children).toHaveLength(5);
    expect(schema.deals!.children[2]).toEqual({ label: 'amount', type: 'property', detail: 'numeric', info: 'Deal value' });
  });

  it('leaves out empty descriptions and copes with no tables', () => {
    const schema = completionSchema([{ name: 't', description: '', columns: [{ name: 'c', type: 'text', description: '' }] }]) as unknown as Record<
      string,
      { self: { info?: string }; children: Array<{ info?: string }> }
    >;
    expect(schema.t!.self.info).toBeUndefined();
    expect(schema.t!.children[0]!.info).toBeUndefined();
    expect(completionSchema([])).toEqual({});
  });
});

describe('columnsInScope', () => {
  it('offers the bare columns of the tables the query names, once per name', () => {
    expect(tablesInQuery('select * from DEALS d', TABLES).map((t) => t.name)).toEqual(['deals']);
    const options = columnsInScope('SELECT  FROM deals', TABLES);
    expect(options.map((o) => o.label)).toEqual(['id', 'account_id', 'amount', 'stage', 'close_date']);
    expect(options.find((o) => o.label === 'amount')).toMatchObject({ type: 'property', detail: 'numeric · deals', info: 'Deal value' });

    const joined = columnsInScope('SELECT  FROM deals JOIN accounts ON accounts.id = deals.account_id', TABLES);
    expect(joined.filter((o) => o.label === 'id')).toHaveLength(1);
    expect(joined.find((o) => o.label === 'id')!.detail).toBe('accounts, deals');
    expect(joined.map((o) => o.label)).toContain('annual_revenue');
  });

  it('offers nothing before a table is named', () => {
    expect(columnsInScope('SELECT ', TABLES)).toEqual([]);
  });
});
