/** Test data shared by the explorer's tests (not imported by the app). */
import type { QueryResult, SchemaTable } from './hooks';

export const TABLES: SchemaTable[] = [
  {
    name: 'accounts',
    description: 'Companies you sell to (CRM accounts/companies).',
    columns: [
      { name: 'id', type: 'uuid', description: 'Account id' },
      { name: 'name', type: 'text', description: 'Company name' },
      { name: 'annual_revenue', type: 'numeric', description: 'Annual revenue in the account currency' },
    ],
  },
  {
    name: 'deals',
    description: 'Opportunities in the pipeline.',
    columns: [
      { name: 'id', type: 'uuid', description: 'Deal id' },
      { name: 'account_id', type: 'uuid', description: 'Their company (accounts.id)' },
      { name: 'amount', type: 'numeric', description: 'Deal value' },
      { name: 'stage', type: 'text', description: 'Pipeline stage' },
      { name: 'close_date', type: 'date', description: 'Expected close' },
    ],
  },
];

export function result(partial: Partial<QueryResult> = {}): QueryResult {
  return {
    columns: [
      { name: 'name', type: 'text' },
      { name: 'amount', type: 'numeric' },
      { name: 'close_date', type: 'date' },
      { name: 'won', type: 'bool' },
      { name: 'meta', type: 'jsonb' },
    ],
    rows: [
      ['Acme', '1234567.50', '2026-03-01', true, { source: 'hubspot' }],
      ['Globex', '99.00', null, false, null],
      ['Initech', null, '2025-12-24', null, { a: [1, 2] }],
    ],
    row_count: 3,
    truncated: false,
    elapsed_ms: 12.4,
    ...partial,
  };
}
