import { describe, expect, it } from 'vitest';
import { mainTable } from './sqlSubject';

describe('the table a query is about', () => {
  it.each([
    ['SELECT stage, count(*) FROM deals GROUP BY stage', 'deals'],
    ['select * from public.Accounts a join deals d on d.account_id = a.id', 'accounts'],
    ['SELECT * FROM "Deal Stages"', 'Deal Stages'],
    ['SELECT (SELECT max(x) FROM other) FROM deals', 'deals'],
    ['SELECT * FROM (SELECT * FROM activities WHERE type = \'call\') t', 'activities'],
    ['WITH won AS (SELECT * FROM deals WHERE is_won) SELECT count(*) FROM won', 'deals'],
    ['WITH a (x) AS MATERIALIZED (SELECT 1 FROM reps), b AS (SELECT * FROM a) SELECT * FROM b', 'reps'],
    ["SELECT 'from accounts' AS s -- from contacts\n FROM /* from x */ contacts", 'contacts'],
    ['SELECT * FROM generate_series(1, 3) g, deals', null],
    ['SELECT 1', null],
  ])('%s → %s', (sql, table) => {
    expect(mainTable(sql)).toBe(table);
  });

  it('is null without SQL', () => {
    expect(mainTable(null)).toBeNull();
  });
});
