import { describe, expect, it } from 'vitest';
import { finishStep, newStep, parseToolOutput, unfinishedStep } from '../toolOutput';
import { formatElapsed, stepSummary } from './stepSummary';

const sql = (text: string) => newStep('t1', 'run_sql_query', { sql: text });
const output = (o: Record<string, unknown>) => parseToolOutput(o);

describe('tool step summary', () => {
  it('says what runs', () => {
    expect(stepSummary(sql('SELECT * FROM deals'))).toBe('Querying deals…');
    expect(stepSummary(sql('SELECT 1'))).toBe('Querying your data…');
    expect(stepSummary(newStep('t2', 'search_activities', { query: 'renewal' }))).toBe('Searching activities…');
    expect(stepSummary(newStep('t3', 'create_artifact', { title: 'Q3 pipeline' }))).toBe('Saving “Q3 pipeline”…');
  });

  it('says what came back', () => {
    const done = finishStep(sql('SELECT * FROM deals'), 'ok', output({ row_count: 1234, elapsed_ms: 38.4 }), '1234 rows');
    expect(stepSummary(done)).toBe('deals · 1,234 rows · 38 ms');
    const one = finishStep(sql('SELECT 1'), 'ok', output({ row_count: 1, elapsed_ms: 2500 }), '1 row');
    expect(stepSummary(one)).toBe('1 row · 2.5 s');
    const search = finishStep(newStep('t2', 'search_activities', {}), 'ok', output({ row_count: 5, elapsed_ms: 12 }), '5 rows');
    expect(stepSummary(search)).toBe('activities · 5 rows · 12 ms');
    const saved = finishStep(newStep('t3', 'create_artifact', { title: 'Draft' }), 'ok', output({ artifact_id: 'a1', title: 'Q3' }), null);
    expect(stepSummary(saved)).toBe('Saved “Q3”');
  });

  it('explains failures in plain words', () => {
    const refused = finishStep(sql('DELETE FROM deals'), 'error', output({ error: 'only SELECT statements can run' }), 'x');
    expect(stepSummary(refused)).toBe('The query was refused: only SELECT statements can run');
    expect(stepSummary(unfinishedStep(sql('SELECT * FROM deals')))).toBe('The query did not finish');
    const search = finishStep(newStep('t2', 'search_activities', {}), 'error', output({ error: 'timeout' }), 'timeout');
    expect(stepSummary(search)).toBe('The search failed: timeout');
  });

  it('formats elapsed time', () => {
    expect(formatElapsed(0.4)).toBe('0 ms');
    expect(formatElapsed(999)).toBe('999 ms');
    expect(formatElapsed(12_345)).toBe('12 s');
  });
});
