import { describe, expect, it } from 'vitest';
import { tokenizeSql } from './sqlHighlight';

const kinds = (sql: string) => tokenizeSql(sql).filter((t) => t.kind !== 'plain').map((t) => [t.kind, t.text]);

describe('SQL highlighting', () => {
  it('marks keywords, functions, strings, numbers, comments and types', () => {
    expect(kinds("SELECT count(*)::int8 FROM deals WHERE stage = 'Won''s' AND amount > 10.5 -- big")).toEqual([
      ['keyword', 'SELECT'],
      ['function', 'count'],
      ['operator', '*'],
      ['operator', '::'],
      ['type', 'int8'],
      ['keyword', 'FROM'],
      ['identifier', 'deals'],
      ['keyword', 'WHERE'],
      ['identifier', 'stage'],
      ['operator', '='],
      ['string', "'Won''s'"],
      ['keyword', 'AND'],
      ['identifier', 'amount'],
      ['operator', '>'],
      ['number', '10.5'],
      ['comment', '-- big'],
    ]);
  });

  it('always joins back to the exact input, even when cut off', () => {
    for (const sql of ['SELECT "a""b" FROM x /* open', "SELECT 'open", 'SELECT $q$ body $q$, 1e5', 'é ü → ∑']) {
      expect(tokenizeSql(sql).map((t) => t.text).join('')).toBe(sql);
    }
  });
});
