import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it, vi } from 'vitest';
import { expectAccessible } from '../../../test/axe';
import { SQL, STAGE_OUTPUT, chatApp, detail, message, runOf } from '../../../test/chatHarness';
import { renderApp } from '../../../test/render';

// The explorer is another page; here it only has to receive the query.
vi.mock('../../explorer/ExplorerPage', () => ({ default: () => <h1>SQL explorer</h1> }));

const CHART = { kind: 'bar', x: 'stage', y: ['total'], series: null, stacked: false, format: 'currency', title: 'Open pipeline' };

async function streamingStep(routes: Record<string, unknown> = {}) {
  const env = chatApp({
    'GET /api/chat/conversations/:id': detail('c1', 'Pipeline', [message('q1', 'user', [{ type: 'text', text: 'Pipeline?' }])]),
    ...routes,
  });
  const { router } = renderApp('/chat/c1');
  await screen.findByText('Pipeline?', {}, { timeout: 5000 });
  const run = runOf('c1', 'r1');
  env.server.push(run.started('Pipeline?', 'q1'), run.call('t1', 'run_sql_query', { sql: SQL }));
  return { ...env, run, router };
}

describe('tool steps', () => {
  it('show what runs, then what came back, and expand to the SQL and the rows', async () => {
    const { server, run } = await streamingStep();
    const step = await screen.findByTestId('tool-step');
    const toggle = within(step).getByRole('button', { expanded: false });
    expect(toggle).toHaveTextContent('Querying deals…');

    server.push(run.result('t1', STAGE_OUTPUT));
    await waitFor(() => expect(toggle).toHaveTextContent('deals · 2 rows · 12 ms'));
    const user = userEvent.setup();
    await user.click(toggle);
    expect(toggle).toHaveAttribute('aria-expanded', 'true');
    expect(within(step).getByTestId('step-sql')).toHaveTextContent(SQL);
    const table = within(step).getByRole('table');
    expect(within(table).getAllByRole('columnheader').map((th) => th.textContent)).toEqual(['stage', 'total', 'closed_at']);
    const cells = within(table).getAllByRole('cell').map((td) => td.textContent);
    expect(cells.slice(0, 2)).toEqual(['Discovery', '120,000.00']);
    expect(cells[2]).toBe(new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' }).format(Date.parse('2026-03-04T15:30:00Z')));
    expect(cells.slice(3)).toEqual(['Proposal, late', '—', '—']);
    // Highlighting arrives from its lazy chunk without changing the text.
    await waitFor(() => expect(within(step).getByTestId('step-sql').querySelector('span')).not.toBeNull());
    expect(within(step).getByTestId('step-sql')).toHaveTextContent(SQL);
    await expectAccessible();

    await user.click(toggle);
    expect(toggle).toHaveAttribute('aria-expanded', 'false');
    expect(within(step).queryByTestId('step-sql')).not.toBeInTheDocument();
  });

  it('Copy SQL puts the query on the clipboard and says so', async () => {
    const { server, run } = await streamingStep();
    server.push(run.result('t1', STAGE_OUTPUT));
    const user = userEvent.setup();
    await user.click(within(await screen.findByTestId('tool-step')).getByRole('button', { expanded: false }));
    await user.click(screen.getByRole('button', { name: 'Copy SQL' }));
    expect(await navigator.clipboard.readText()).toBe(SQL);
    expect(await screen.findByText('SQL copied')).toBeInTheDocument();
  });

  it('Download CSV saves the rows shown, quoted, with a BOM, named after the table', async () => {
    const { server, run } = await streamingStep();
    server.push(run.result('t1', STAGE_OUTPUT));
    const blobs: Blob[] = [];
    URL.createObjectURL = vi.fn((blob: Blob) => {
      blobs.push(blob);
      return 'blob:csv';
    });
    URL.revokeObjectURL = vi.fn();
    const click = vi.spyOn(HTMLAnchorElement.prototype, 'click').mockImplementation(function (this: HTMLAnchorElement) {
      expect(this.download).toBe('deals.csv');
    });
    const user = userEvent.setup();
    await user.click(within(await screen.findByTestId('tool-step')).getByRole('button', { expanded: false }));
    await user.click(screen.getByRole('button', { name: 'Download CSV' }));
    expect(click).toHaveBeenCalledTimes(1);
    const bytes = new Uint8Array(await blobs[0]!.arrayBuffer());
    expect([...bytes.slice(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    expect(new TextDecoder().decode(bytes.slice(3))).toBe(
      'stage,total,closed_at\r\nDiscovery,120000.00,2026-03-04T15:30:00Z\r\n"Proposal, late",,\r\n',
    );
  });

  it('Open in explorer takes the query to the SQL explorer; Pin to dashboard is offered with the rows', async () => {
    const { server, run, router } = await streamingStep();
    const step = await screen.findByTestId('tool-step');
    server.push(run.result('t1', STAGE_OUTPUT));
    const user = userEvent.setup();
    await user.click(within(step).getByRole('button', { expanded: false }));
    expect(within(step).getByRole('button', { name: 'Pin to dashboard' })).toBeInTheDocument();
    await user.click(within(step).getByRole('link', { name: 'Open in explorer' }));
    expect(await screen.findByRole('heading', { name: 'SQL explorer' })).toBeInTheDocument();
    expect(router.state.location.pathname).toBe('/explorer');
    expect(router.state.location.state).toEqual({ sql: SQL });
  });

  it('offer no pin for a refused query, but still the explorer to fix it', async () => {
    const { server, run } = await streamingStep();
    server.push(run.result('t1', { error: 'only SELECT statements can run' }, 'error'));
    const step = await screen.findByTestId('tool-step');
    const user = userEvent.setup();
    await waitFor(() => expect(within(step).getByRole('button')).toHaveTextContent('The query was refused'));
    await user.click(within(step).getByRole('button', { expanded: false }));
    expect(within(step).getByRole('link', { name: 'Open in explorer' })).toBeInTheDocument();
    expect(within(step).queryByRole('button', { name: 'Pin to dashboard' })).not.toBeInTheDocument();
  });

  it('say when only the first rows are shown', async () => {
    const { server, run } = await streamingStep();
    server.push(run.result('t1', { ...STAGE_OUTPUT, row_count: 1234, truncated: true }));
    const user = userEvent.setup();
    await user.click(within(await screen.findByTestId('tool-step')).getByRole('button', { expanded: false }));
    expect(screen.getByText('Showing the first 2 of 1,234 rows.')).toBeInTheDocument();
  });

  it('explain a refused query in plain words', async () => {
    const { server, run } = await streamingStep();
    server.push(run.result('t1', { error: 'only SELECT statements can run' }, 'error'));
    const step = await screen.findByTestId('tool-step');
    await waitFor(() => expect(within(step).getByRole('button')).toHaveTextContent('The query was refused: only SELECT statements can run'));
  });
});

describe('charts', () => {
  it('draw under the step with echarts (SVG), loaded lazily', async () => {
    const { server, run } = await streamingStep();
    server.push(run.result('t1', { ...STAGE_OUTPUT, chart: CHART, chart_error: null }));
    const chart = await screen.findByTestId('chart');
    expect(chart).toHaveAttribute('data-kind', 'bar');
    expect(within(chart).getByText('Open pipeline')).toBeInTheDocument();
    await waitFor(() => expect(chart.querySelector('svg')).not.toBeNull(), { timeout: 5000 });
    expect(within(chart).getByRole('img', { name: 'Open pipeline' })).toBeInTheDocument();
  });

  it('show a number as one big figure, and never show chart_error', async () => {
    const { server, run } = await streamingStep();
    server.push(
      run.result('t1', {
        columns: ['win_rate'],
        types: ['float8'],
        rows: [[0.25]],
        row_count: 1,
        chart: { kind: 'number', x: null, y: ['win_rate'], series: null, stacked: false, format: 'percent', title: 'Win rate' },
        chart_error: 'chart.x: ignored',
      }),
    );
    const chart = await screen.findByTestId('chart');
    expect(chart).toHaveAttribute('data-kind', 'number');
    expect(chart).toHaveTextContent('25%Win rate');
    expect(screen.queryByText(/chart\.x/)).not.toBeInTheDocument();
  });
});

describe('artifacts', () => {
  it('open as a card with their title, badge and chart', async () => {
    const artifact = {
      id: 'a1',
      title: 'Open pipeline',
      type: 'report',
      is_live: false,
      created_at: '2026-01-01T00:00:00Z',
      queries: [{ name: 'by_stage', sql: SQL }],
      chart: { kind: 'pie', x: 'stage', y: ['total'], stacked: false, query: 'by_stage' },
    };
    const data = {
      live: false,
      results: {
        by_stage: {
          columns: [
            { name: 'stage', type: 'text' },
            { name: 'total', type: 'numeric' },
          ],
          rows: [
            ['Discovery', '120000.00'],
            ['Proposal', '80000.00'],
          ],
          row_count: 2,
          truncated: false,
          elapsed_ms: 3,
        },
      },
    };
    const { server, run } = await streamingStep({ 'GET /api/artifacts/:id': artifact, 'GET /api/artifacts/:id/data': data });
    server.push(run.result('t1', STAGE_OUTPUT), run.artifact('a1', 'Open pipeline'));
    const card = await screen.findByTestId('artifact');
    expect(within(card).getByRole('heading', { name: 'Open pipeline' })).toBeInTheDocument();
    expect(await within(card).findByText('Snapshot')).toBeInTheDocument();
    const chart = await within(card).findByTestId('chart');
    expect(chart).toHaveAttribute('data-kind', 'pie');
    await expectAccessible();
  });
});
