import { act, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { expectAccessible } from '../../test/axe';
import { apiError, json } from '../../test/mockApi';
import { USER } from '../../test/render';
import { TABLES, result } from './fixtures';
import { useExplorerStore } from './explorerStore';
import type { QueryResult } from './hooks';
import { explorer } from './testPage';

// CodeMirror is tested on its own (SqlEditor.test.tsx, explorerCodeMirror.test.tsx); here the
// lazy editor module is a textarea with the same props and handle.
const fakeEditor = vi.hoisted(() => ({ fail: false }));
vi.mock('./SqlEditor', async () => {
  const { useImperativeHandle, useRef } = await import('react');
  type Props = import('./SqlEditor').SqlEditorProps;
  function FakeSqlEditor({ value, onChange, onRun, label, describedBy, ref }: Props) {
    if (fakeEditor.fail) throw new Error('Failed to fetch dynamically imported module');
    const area = useRef<HTMLTextAreaElement>(null);
    useImperativeHandle(ref, () => ({
      insert: (text: string) => {
        const el = area.current!;
        onChange(el.value.slice(0, el.selectionStart) + text + el.value.slice(el.selectionEnd));
      },
      focus: () => area.current?.focus(),
    }));
    return (
      <textarea
        ref={area}
        aria-label={label}
        aria-describedby={describedBy}
        value={value}
        onChange={(event) => onChange(event.target.value)}
        onKeyDown={(event) => {
          if (event.key === 'Enter' && (event.ctrlKey || event.metaKey)) {
            event.preventDefault();
            onRun();
          }
        }}
      />
    );
  }
  return { default: FakeSqlEditor };
});

// jsdom lays nothing out: give scroll containers a viewport so the virtualized grid renders rows.
beforeAll(() => {
  Object.defineProperty(HTMLElement.prototype, 'clientHeight', { configurable: true, get: () => 600 });
  Object.defineProperty(HTMLElement.prototype, 'clientWidth', { configurable: true, get: () => 1000 });
});
afterAll(() => {
  delete (HTMLElement.prototype as { clientHeight?: number }).clientHeight;
  delete (HTMLElement.prototype as { clientWidth?: number }).clientWidth;
});

const ARTIFACT = {
  id: 'a1',
  type: 'analysis',
  title: 'Pipeline by stage',
  description: null,
  queries: [{ name: 'result', sql: 'SELECT 1' }],
  chart: null,
  is_live: false,
  conversation_id: null,
  created_by: USER.id,
  created_at: '2026-01-01T00:00:00Z',
};
const BOARD = { id: 'd1', title: 'Sales weekly', tile_count: 2, created_by: USER.id, created_at: '2026-01-01T00:00:00Z', updated_at: '2026-01-01T00:00:00Z' };
const boardView = (id: string, title: string) => ({ id, title, created_by: USER.id, created_at: '2026-01-01T00:00:00Z', updated_at: '2026-01-01T00:00:00Z', tiles: [] });

const editor = () => screen.findByRole('textbox', { name: 'SQL query' });
const grid = () => screen.findByRole('table', { name: 'Query results' });
const dataRows = (table: HTMLElement) => within(table).getAllByRole('row').filter((row) => row.hasAttribute('aria-rowindex') && row.getAttribute('aria-rowindex') !== '1');
const firstCells = (table: HTMLElement) => dataRows(table).map((row) => within(row).getAllByRole('cell')[0]!.textContent);

describe('SQL explorer', () => {
  it('shows the schema beside the editor and inserts a clicked column or table at the cursor', async () => {
    explorer();
    expect(await screen.findByRole('heading', { name: 'SQL explorer', level: 1 })).toBeInTheDocument();
    const schema = await screen.findByRole('region', { name: 'Schema' });
    const tables = await within(schema).findByRole('list', { name: 'Tables' });
    expect(within(tables).getByRole('button', { name: 'Insert deals' })).toHaveAccessibleDescription('Opportunities in the pipeline.');
    expect(within(schema).queryByRole('list', { name: 'Columns of deals' })).not.toBeInTheDocument();

    const user = userEvent.setup();
    const toggle = within(schema).getByRole('button', { name: 'Columns of deals' });
    expect(toggle).toHaveAttribute('aria-expanded', 'false');
    await user.click(toggle);
    expect(toggle).toHaveAttribute('aria-expanded', 'true');
    const columns = within(schema).getByRole('list', { name: 'Columns of deals' });
    const amount = within(columns).getByRole('button', { name: 'Insert amount' });
    expect(amount).toHaveAccessibleDescription('numeric Deal value');
    expect(within(columns).getByText('close_date')).toBeInTheDocument();

    const sql = await editor();
    await user.type(sql, 'SELECT  FROM ');
    (sql as HTMLTextAreaElement).setSelectionRange(7, 7);
    await user.click(amount);
    await user.click(within(tables).getByRole('button', { name: 'Insert deals' }));
    expect(sql).toHaveValue('SELECT amount FROM deals');
    await expectAccessible();
  });

  it('searches tables and columns by name, type and description', async () => {
    explorer();
    const schema = await screen.findByRole('region', { name: 'Schema' });
    await within(schema).findByRole('list', { name: 'Tables' });
    const user = userEvent.setup();
    await user.type(within(schema).getByRole('searchbox', { name: 'Search tables and columns' }), 'revenue');
    expect(within(schema).queryByRole('button', { name: 'Insert deals' })).not.toBeInTheDocument();
    const columns = within(schema).getByRole('list', { name: 'Columns of accounts' });
    expect(within(columns).getAllByRole('button').map((b) => b.getAttribute('aria-label'))).toEqual(['Insert annual_revenue']);

    await user.clear(within(schema).getByRole('searchbox'));
    await user.type(within(schema).getByRole('searchbox'), 'zzz');
    expect(within(schema).getByText('No table or column matches “zzz”.')).toBeInTheDocument();
  });

  it('runs with Ctrl+Enter and with the Run button, and shows formatted values', async () => {
    const { api } = explorer();
    const sql = await editor();
    expect(screen.getByText('No results yet')).toBeInTheDocument();
    expect(screen.getByRole('button', { name: 'Run' })).toBeDisabled();
    const user = userEvent.setup();
    await user.type(sql, 'SELECT * FROM deals');
    await user.keyboard('{Control>}{Enter}{/Control}');
    const table = await grid();
    expect(api.callsTo('POST', '/api/query').map((c) => c.body)).toEqual([{ sql: 'SELECT * FROM deals' }]);
    expect(api.callsTo('POST', '/api/query')[0]!.authorization).toBe('Bearer tok-1');
    expect(screen.getByText(/^3 rows · 12 ms$/)).toBeInTheDocument();

    const headers = within(table).getAllByRole('columnheader').map((h) => h.textContent);
    expect(headers).toEqual(['nametext', 'amountnumeric', 'close_datedate', 'wonbool', 'metajsonb']);
    const [acme, globex, initech] = dataRows(table).map((row) => within(row).getAllByRole('cell').map((c) => c.textContent));
    const money = new Intl.NumberFormat(undefined, { minimumFractionDigits: 2 }).format(1234567.5);
    const day = (iso: string) => new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeZone: 'UTC' }).format(Date.parse(`${iso}T00:00:00Z`));
    expect(acme).toEqual(['Acme', money, day('2026-03-01'), 'true', '{"source":"hubspot"}']);
    expect(globex).toEqual(['Globex', '99.00', 'null', 'false', 'null']);
    expect(initech![1]).toBe('null');
    expect(within(table).getAllByText('null')[0]).toHaveClass('italic');
    expect(screen.queryByText(/the server's cap/)).not.toBeInTheDocument();

    await user.click(screen.getByRole('button', { name: 'Run' }));
    await waitFor(() => expect(api.callsTo('POST', '/api/query')).toHaveLength(2));
    await expectAccessible();
  });

  it('says when the server capped the rows, and only renders the rows in view', async () => {
    const rows = Array.from({ length: 1000 }, (_, i) => [`Deal ${i + 1}`, String(i), null, true, null]);
    explorer({ sql: 'SELECT * FROM deals', routes: { 'POST /api/query': result({ rows, row_count: 1000, truncated: true }) } });
    const user = userEvent.setup();
    await user.click(await screen.findByRole('button', { name: 'Run' }));
    const table = await grid();
    expect(screen.getByText(/Showing the first 1,000 rows — the server's cap\./)).toBeInTheDocument();
    expect(screen.getByText(/^1,000 rows · /)).toBeInTheDocument();
    expect(table).toHaveAttribute('aria-rowcount', '1001');
    const rendered = dataRows(table).length;
    expect(rendered).toBeGreaterThan(0);
    expect(rendered).toBeLessThan(100);
  });

  it('sorts by a header: ascending, then descending, numbers numerically, nulls last', async () => {
    const rows = [
      ['Acme', '1000.00', '2026-03-01', true, null],
      ['Globex', '99.00', '2025-01-10', false, null],
      ['Initech', null, null, null, null],
      ['Umbrella', '250.5', '2025-11-30', true, null],
    ];
    explorer({ sql: 'SELECT 1', routes: { 'POST /api/query': result({ rows, row_count: 4 }) } });
    const user = userEvent.setup();
    await user.click(await screen.findByRole('button', { name: 'Run' }));
    const table = await grid();
    expect(firstCells(table)).toEqual(['Acme', 'Globex', 'Initech', 'Umbrella']);

    const amount = within(table).getByRole('columnheader', { name: /amount/ });
    expect(amount).toHaveAttribute('aria-sort', 'none');
    await user.click(within(amount).getByRole('button'));
    expect(amount).toHaveAttribute('aria-sort', 'ascending');
    expect(firstCells(table)).toEqual(['Globex', 'Umbrella', 'Acme', 'Initech']);
    await user.click(within(amount).getByRole('button'));
    expect(amount).toHaveAttribute('aria-sort', 'descending');
    expect(firstCells(table)).toEqual(['Acme', 'Umbrella', 'Globex', 'Initech']);

    const closeDate = within(table).getByRole('columnheader', { name: /close_date/ });
    await user.click(within(closeDate).getByRole('button'));
    expect(amount).toHaveAttribute('aria-sort', 'none');
    expect(firstCells(table)).toEqual(['Globex', 'Umbrella', 'Acme', 'Initech']);
  });

  it("shows a refused query's reason next to the editor and keeps the SQL", async () => {
    explorer({
      sql: 'SELECT nope FROM deals',
      routes: { 'POST /api/query': apiError(400, 'query_rejected', 'column "nope" does not exist') },
    });
    const user = userEvent.setup();
    await user.click(await screen.findByRole('button', { name: 'Run' }));
    const alert = await screen.findByRole('alert');
    expect(alert).toHaveTextContent("That query couldn't run.");
    expect(alert).toHaveTextContent('Column "nope" does not exist.');
    expect(await editor()).toHaveValue('SELECT nope FROM deals');
    expect(screen.queryByRole('table', { name: 'Query results' })).not.toBeInTheDocument();
    await expectAccessible();
  });

  it('says how long to wait when rate limited', async () => {
    explorer({ sql: 'SELECT 1', routes: { 'POST /api/query': apiError(429, 'rate_limited', 'too many queries', { 'Retry-After': '7' }) } });
    const user = userEvent.setup();
    await user.click(await screen.findByRole('button', { name: 'Run' }));
    expect(await screen.findByRole('alert')).toHaveTextContent("You're going a bit fast. Try again in 7 seconds.");
  });

  it('saves the query as a snapshot artifact and pins it to a new dashboard', async () => {
    const { api } = explorer({
      sql: 'SELECT stage, count(*) FROM deals GROUP BY stage',
      routes: {
        'GET /api/dashboards': [],
        'POST /api/artifacts': ({ body }: { body: unknown }) => json({ ...ARTIFACT, title: (body as { title: string }).title }, 201),
        'POST /api/dashboards': ({ body }: { body: unknown }) => json(boardView('d9', (body as { title: string }).title), 201),
        'POST /api/dashboards/:id/tiles': json({}, 201),
      },
    });
    const user = userEvent.setup();
    await user.click(await screen.findByRole('button', { name: 'Save as artifact' }));
    const dialog = await screen.findByRole('dialog', { name: 'Save as artifact' });
    await user.click(within(dialog).getByRole('button', { name: 'Save' }));
    expect(within(dialog).getByText('Give it a title.')).toBeInTheDocument();
    expect(api.callsTo('POST', '/api/artifacts')).toHaveLength(0);

    await user.type(within(dialog).getByLabelText('Title'), 'Pipeline by stage');
    await user.click(within(dialog).getByRole('radio', { name: /Snapshot/ }));
    await user.click(within(dialog).getByRole('checkbox', { name: 'Also pin it to a dashboard' }));
    const name = await within(dialog).findByLabelText("New dashboard's name");
    expect(within(dialog).getByText(/no dashboard yet/)).toBeInTheDocument();
    await expectAccessible();
    await user.type(name, 'Pipeline');
    await user.click(within(dialog).getByRole('button', { name: 'Save' }));

    expect(await screen.findByText('Saved “Pipeline by stage”')).toBeInTheDocument();
    expect(screen.getByText('Pinned to Pipeline.')).toBeInTheDocument();
    expect(api.callsTo('POST', '/api/artifacts').map((c) => c.body)).toEqual([
      { title: 'Pipeline by stage', sql: 'SELECT stage, count(*) FROM deals GROUP BY stage', is_live: false },
    ]);
    expect(api.callsTo('POST', '/api/dashboards').map((c) => c.body)).toEqual([{ title: 'Pipeline' }]);
    expect(api.callsTo('POST', '/api/dashboards/d9/tiles').map((c) => c.body)).toEqual([{ artifact_id: 'a1' }]);
    await waitFor(() => expect(screen.queryByRole('dialog')).not.toBeInTheDocument());
  });

  it('pins to an existing dashboard, and a failed pin is retried without saving twice', async () => {
    const { api } = explorer({
      sql: 'SELECT 1',
      routes: {
        'GET /api/dashboards': [BOARD, { ...BOARD, id: 'd2', title: 'Board two' }],
        'POST /api/artifacts': json(ARTIFACT, 201),
        'POST /api/dashboards/:id/tiles': ({ call }: { call: number }) => (call === 1 ? apiError(503, 'unavailable', 'database busy') : json({}, 201)),
      },
    });
    const user = userEvent.setup();
    await user.click(await screen.findByRole('button', { name: 'Save as artifact' }));
    const dialog = await screen.findByRole('dialog', { name: 'Save as artifact' });
    await user.type(within(dialog).getByLabelText('Title'), 'Pipeline by stage');
    expect(within(dialog).getByRole('radio', { name: /Live/ })).toBeChecked();
    await user.click(within(dialog).getByRole('checkbox', { name: 'Also pin it to a dashboard' }));
    const select = await within(dialog).findByRole('combobox', { name: 'Dashboard' });
    expect(select).toHaveValue('d1');
    await user.selectOptions(select, 'd2');
    await user.click(within(dialog).getByRole('button', { name: 'Save' }));

    expect(await within(dialog).findByRole('alert')).toHaveTextContent('Part of Revtops is unavailable right now.');
    expect(within(dialog).getByText('Saved “Pipeline by stage”.')).toBeInTheDocument();
    await user.click(within(dialog).getByRole('button', { name: 'Pin to dashboard' }));
    expect(await screen.findByText('Pinned to Board two.')).toBeInTheDocument();
    expect(api.callsTo('POST', '/api/artifacts')).toHaveLength(1);
    expect(api.callsTo('POST', '/api/artifacts')[0]!.body).toMatchObject({ is_live: true });
    expect(api.callsTo('POST', '/api/dashboards/d2/tiles')).toHaveLength(2);
  });

  it('shows in the dialog why a query cannot be saved', async () => {
    explorer({ sql: 'SELECT nope', routes: { 'POST /api/artifacts': apiError(400, 'query_rejected', 'column "nope" does not exist') } });
    const user = userEvent.setup();
    await user.click(await screen.findByRole('button', { name: 'Save as artifact' }));
    const dialog = await screen.findByRole('dialog', { name: 'Save as artifact' });
    await user.type(within(dialog).getByLabelText('Title'), 'Broken');
    await user.click(within(dialog).getByRole('button', { name: 'Save' }));
    const alert = await within(dialog).findByRole('alert');
    expect(alert).toHaveTextContent("That query can't be saved: it doesn't run.");
    expect(alert).toHaveTextContent('Column "nope" does not exist.');
  });

  it('downloads the CSV from the server with the file name it gives', async () => {
    const { api } = explorer({
      sql: 'SELECT * FROM deals',
      routes: {
        'POST /api/query/csv': new Response('\uFEFFname\r\nAcme\r\n', {
          headers: {
            'Content-Type': 'text/csv; charset=utf-8',
            'Content-Disposition': `attachment; filename="query.csv"; filename*=UTF-8''query.csv`,
            'X-Truncated': 'true',
          },
        }),
      },
    });
    const blobs: Blob[] = [];
    URL.createObjectURL = vi.fn((blob: Blob) => {
      blobs.push(blob);
      return 'blob:csv';
    });
    URL.revokeObjectURL = vi.fn();
    const names: string[] = [];
    vi.spyOn(HTMLAnchorElement.prototype, 'click').mockImplementation(function (this: HTMLAnchorElement) {
      names.push(this.download);
    });
    const user = userEvent.setup();
    await user.click(await screen.findByRole('button', { name: 'Download CSV' }));
    expect(await screen.findByText('Downloaded query.csv')).toBeInTheDocument();
    expect(screen.getByText(/the file holds the first rows only/)).toBeInTheDocument();
    const calls = api.callsTo('POST', '/api/query/csv');
    expect(calls.map((c) => c.body)).toEqual([{ sql: 'SELECT * FROM deals' }]);
    expect(calls[0]!.authorization).toBe('Bearer tok-1');
    expect(names).toEqual(['query.csv']);
    expect(await blobs[0]!.text()).toContain('Acme');
    // The query itself was not run in the grid.
    expect(api.callsTo('POST', '/api/query')).toHaveLength(0);
  });

  it('shows why the CSV could not be made next to the editor', async () => {
    explorer({ sql: 'SELECT nope', routes: { 'POST /api/query/csv': apiError(400, 'query_rejected', 'column "nope" does not exist') } });
    const user = userEvent.setup();
    await user.click(await screen.findByRole('button', { name: 'Download CSV' }));
    const alert = await screen.findByRole('alert');
    expect(alert).toHaveTextContent("That query couldn't be downloaded: it doesn't run.");
    expect(alert).toHaveTextContent('Column "nope" does not exist.');
  });

  it('opens with a query handed over in router state: fills the editor, runs it, and forgets the state', async () => {
    const handed = 'SELECT stage, sum(amount) FROM deals GROUP BY stage';
    const { api, router } = explorer({ sql: 'SELECT 1', state: { sql: handed } });
    expect(await editor()).toHaveValue(handed);
    await grid();
    expect(api.callsTo('POST', '/api/query').map((c) => c.body)).toEqual([{ sql: handed }]);
    await waitFor(() => expect(router.state.location.state).toBeNull());
    expect(router.state.location.pathname).toBe('/explorer');
    expect(JSON.parse(localStorage.getItem('revtops.explorer')!).state.sqlByUser[USER.id]).toBe(handed);

    // Another query handed over while the page is open.
    await act(() => router.navigate('/explorer', { state: { sql: 'SELECT 2' } }));
    await waitFor(() => expect(api.callsTo('POST', '/api/query')).toHaveLength(2));
    expect(await editor()).toHaveValue('SELECT 2');
  });

  it('keeps the last SQL across reloads, per user', async () => {
    const first = explorer();
    const user = userEvent.setup();
    await user.type(await editor(), 'SELECT count(*) FROM accounts');
    first.view.unmount();
    const saved = localStorage.getItem('revtops.explorer')!;
    expect(JSON.parse(saved).state).toEqual({ sqlByUser: { [USER.id]: 'SELECT count(*) FROM accounts' } });
    // A reload: memory is gone, this browser's storage is not.
    useExplorerStore.setState({ sqlByUser: {} });
    localStorage.setItem('revtops.explorer', saved);
    await act(() => useExplorerStore.persist.rehydrate());
    explorer({ keep: true });
    expect(await editor()).toHaveValue('SELECT count(*) FROM accounts');
  });

  it('explains a schema that could not load and retries', async () => {
    explorer({ routes: { 'GET /api/schema': ({ call }: { call: number }) => (call === 1 ? apiError(500, 'internal', 'internal error') : { tables: TABLES }) } });
    const schema = await screen.findByRole('region', { name: 'Schema' });
    expect(await within(schema).findByRole('alert')).toHaveTextContent('Something went wrong on our side.');
    const user = userEvent.setup();
    await user.click(within(schema).getByRole('button', { name: 'Try again' }));
    expect(await within(schema).findByRole('button', { name: 'Insert deals' })).toBeInTheDocument();
  });

  it('shows an empty result and the columns it had', async () => {
    const empty: QueryResult = result({ rows: [], row_count: 0 });
    explorer({ sql: 'SELECT * FROM deals WHERE false', routes: { 'POST /api/query': empty } });
    const user = userEvent.setup();
    await user.click(await screen.findByRole('button', { name: 'Run' }));
    expect(await screen.findByText(/The query ran and returned no rows\. Columns: name, amount/)).toBeInTheDocument();
    expect(screen.getByText(/^0 rows · /)).toBeInTheDocument();
  });

  it('falls back to a plain text area when the editor cannot load, and still inserts and runs', async () => {
    fakeEditor.fail = true;
    vi.spyOn(console, 'error').mockImplementation(() => {});
    vi.spyOn(console, 'warn').mockImplementation(() => {});
    try {
      const { api } = explorer({ sql: 'SELECT * FROM' });
      expect(await screen.findByText(/The full editor could not load/)).toBeInTheDocument();
      const sql = await editor();
      expect(sql.tagName).toBe('TEXTAREA');
      const user = userEvent.setup();
      (sql as HTMLTextAreaElement).setSelectionRange(13, 13);
      await user.click(await screen.findByRole('button', { name: 'Insert deals' }));
      expect(sql).toHaveValue('SELECT * FROM deals');
      await user.click(sql);
      await user.keyboard('{Control>}{Enter}{/Control}');
      await waitFor(() => expect(api.callsTo('POST', '/api/query').map((c) => c.body)).toEqual([{ sql: 'SELECT * FROM deals' }]));
    } finally {
      fakeEditor.fail = false;
    }
  });
});
