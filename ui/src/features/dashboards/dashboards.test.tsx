import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it, vi } from 'vitest';
import type { components } from '../../api/schema.gen';
import { expectAccessible } from '../../test/axe';
import { SQL, STAGE_OUTPUT, chatApp, detail, message, runOf } from '../../test/chatHarness';
import { apiError, json, mockApi } from '../../test/mockApi';
import { CONFIG, ORG, USER, renderApp, signedIn } from '../../test/render';

type Schemas = components['schemas'];
type ArtifactView = Schemas['ArtifactView'];
type TileView = Schemas['TileView'];
type DashboardView = Schemas['DashboardView'];

const minutesAgo = (m: number) => new Date(Date.now() - m * 60_000).toISOString();
const DAY = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium' });

const BAR = { kind: 'bar' as const, x: 'stage', y: ['total'], series: null, stacked: false, format: null, title: null, query: 'result' };

const PIPELINE: ArtifactView = {
  id: 'a1',
  type: 'analysis',
  title: 'Pipeline by stage',
  description: null,
  queries: [{ name: 'result', sql: SQL }],
  chart: BAR,
  is_live: true,
  conversation_id: null,
  created_by: 'u1',
  created_at: '2026-01-01T00:00:00Z',
};
const WIN_RATE: ArtifactView = {
  ...PIPELINE,
  id: 'a2',
  title: 'Win rate',
  queries: [{ name: 'result', sql: 'SELECT 0.25 AS win_rate' }],
  chart: { kind: 'number', x: null, y: ['win_rate'], series: null, stacked: false, format: 'percent', title: null, query: 'result' },
  is_live: false,
  created_at: '2026-01-05T10:00:00Z',
};

const STAGE_RESULT = {
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
};
const WIN_RESULT = { columns: [{ name: 'win_rate', type: 'float8' }], rows: [[0.25]], row_count: 1, truncated: false, elapsed_ms: 1 };

const tile = (id: string, artifact: ArtifactView, position: number, width = 6, height = 2): TileView => ({
  id,
  position,
  width,
  height,
  chart: null,
  artifact,
});

const BOARD: DashboardView = {
  id: 'd1',
  title: 'Pipeline review',
  created_by: 'u1',
  created_at: '2026-01-01T00:00:00Z',
  updated_at: minutesAgo(5),
  tiles: [tile('t1', PIPELINE, 0), tile('t2', WIN_RATE, 1, 3, 1)],
};
const OTHER: DashboardView = { ...BOARD, id: 'd2', title: 'Forecast', created_by: 'u2', updated_at: minutesAgo(60 * 26), tiles: [] };

/** A fake server that keeps its dashboards, as the page changes them. */
function dashboardsApp({
  boards = [BOARD, OTHER],
  artifacts = [PIPELINE, WIN_RATE],
  role = 'admin' as 'admin' | 'member',
  extra = {},
}: { boards?: DashboardView[]; artifacts?: ArtifactView[]; role?: 'admin' | 'member'; extra?: Record<string, unknown> } = {}) {
  const state = { boards: boards.map((b) => ({ ...b, tiles: [...b.tiles] })), reads: 0 };
  const board = (id: string) => state.boards.find((b) => b.id === id);
  signedIn();
  const api = mockApi({
    'GET /api/config': CONFIG,
    'GET /api/auth/me': { user: { ...USER, role }, organization: ORG },
    'GET /api/dashboards': () =>
      state.boards.map(({ tiles, ...b }) => ({ ...b, tile_count: tiles.length })),
    'POST /api/dashboards': ({ body }: { body: unknown }) => {
      const created = { ...BOARD, id: `d${state.boards.length + 1}`, title: (body as { title: string }).title, tiles: [], updated_at: new Date().toISOString() };
      state.boards.unshift(created);
      return json(created, 201);
    },
    'GET /api/dashboards/:id': ({ params }: { params: Record<string, string> }) => board(params.id!) ?? apiError(404, 'not_found', 'no such dashboard'),
    'PATCH /api/dashboards/:id': ({ params, body }: { params: Record<string, string>; body: unknown }) => {
      const b = board(params.id!)!;
      b.title = (body as { title: string }).title;
      return b;
    },
    'DELETE /api/dashboards/:id': ({ params }: { params: Record<string, string> }) => {
      state.boards = state.boards.filter((b) => b.id !== params.id);
      return new Response(null, { status: 204 });
    },
    'POST /api/dashboards/:id/tiles': ({ params, body }: { params: Record<string, string>; body: unknown }) => {
      const b = board(params.id!)!;
      const { artifact_id, width, height } = body as { artifact_id: string; width?: number; height?: number };
      const artifact = artifacts.find((a) => a.id === artifact_id)!;
      const added = tile(`t${Math.random().toString(36).slice(2, 7)}`, artifact, b.tiles.length, width ?? 6, height ?? 2);
      b.tiles.push(added);
      return json(added, 201);
    },
    'PATCH /api/dashboards/:id/tiles/:tile': ({ params, body }: { params: Record<string, string>; body: unknown }) => {
      const b = board(params.id!)!;
      const change = body as { width?: number; height?: number; chart?: Record<string, unknown> | null };
      b.tiles = b.tiles.map((t) => {
        if (t.id !== params.tile) return t;
        const chart =
          change.chart === undefined
            ? t.chart
            : change.chart === null
              ? null
              : ({ x: null, series: null, format: null, title: null, ...change.chart, query: 'result' } as TileView['chart']);
        return { ...t, width: change.width ?? t.width, height: change.height ?? t.height, chart };
      });
      return b.tiles.find((t) => t.id === params.tile);
    },
    'DELETE /api/dashboards/:id/tiles/:tile': ({ params }: { params: Record<string, string> }) => {
      const b = board(params.id!)!;
      b.tiles = b.tiles.filter((t) => t.id !== params.tile);
      return new Response(null, { status: 204 });
    },
    'PUT /api/dashboards/:id/order': ({ params, body }: { params: Record<string, string>; body: unknown }) => {
      const b = board(params.id!)!;
      const ids = (body as { tile_ids: string[] }).tile_ids;
      b.tiles = ids.map((id, position) => ({ ...b.tiles.find((t) => t.id === id)!, position }));
      return b.tiles;
    },
    'GET /api/artifacts': () => artifacts,
    'GET /api/artifacts/:id/data': ({ params }: { params: Record<string, string> }) => {
      if (params.id === 'a2') return { live: false, read_at: WIN_RATE.created_at, results: { result: WIN_RESULT } };
      state.reads += 1;
      // The first read was three minutes ago; a refresh reads now.
      return { live: true, read_at: state.reads === 1 ? minutesAgo(3) : new Date().toISOString(), results: { result: STAGE_RESULT } };
    },
    ...extra,
  });
  return { api, state };
}

const tileOf = async (title: string) => (await screen.findByRole('heading', { name: title, level: 2 })).closest('li')!;

async function openMenu(title: string) {
  const user = userEvent.setup();
  await user.click(within(await tileOf(title)).getByRole('button', { name: `Options for ${title}` }));
  return { user, menu: screen.getByRole('menu') };
}

describe('dashboards list', () => {
  it('lists the dashboards with their tile counts and when they changed', async () => {
    dashboardsApp();
    renderApp('/dashboards');
    const list = await screen.findByRole('list', { name: 'Dashboards' });
    const rows = within(list).getAllByRole('listitem');
    expect(rows).toHaveLength(2);
    expect(rows[0]).toHaveTextContent('Pipeline review');
    expect(rows[0]).toHaveTextContent('2 tiles · Updated 5 minutes ago');
    expect(rows[1]).toHaveTextContent('No tiles · Updated yesterday');
    expect(within(rows[0]!).getByRole('link', { name: 'Pipeline review' })).toHaveAttribute('href', '/dashboards/d1');
    await expectAccessible();
  });

  it('explains how to pin when there are none', async () => {
    dashboardsApp({ boards: [] });
    renderApp('/dashboards');
    expect(await screen.findByText('No dashboards yet.')).toBeInTheDocument();
    expect(screen.getByText(/open a step that ran a query and choose/)).toHaveTextContent('Pin to dashboard');
    const empty = screen.getByText('No dashboards yet.').parentElement!;
    expect(within(empty).getByRole('link', { name: 'chat' })).toHaveAttribute('href', '/chat');
    expect(within(empty).getByRole('link', { name: 'SQL explorer' })).toHaveAttribute('href', '/explorer');
    await expectAccessible();
  });

  it('creates a dashboard and opens it', async () => {
    const { api } = dashboardsApp({ boards: [] });
    const { router } = renderApp('/dashboards');
    const user = userEvent.setup();
    await user.click(await screen.findByRole('button', { name: 'Create dashboard' }));
    expect(screen.getByText('Give the dashboard a name.')).toBeInTheDocument();
    expect(api.callsTo('POST', '/api/dashboards')).toHaveLength(0);

    await user.type(screen.getByRole('textbox', { name: 'Name' }), '  Board meeting ');
    await user.click(screen.getByRole('button', { name: 'Create dashboard' }));
    expect(await screen.findByRole('heading', { name: 'Board meeting', level: 1 })).toBeInTheDocument();
    expect(api.callsTo('POST', '/api/dashboards').map((c) => c.body)).toEqual([{ title: 'Board meeting' }]);
    expect(router.state.location.pathname).toBe('/dashboards/d1');
    expect(screen.getByText('This dashboard has no tiles yet.')).toBeInTheDocument();
  });

  it('renames in place: Enter saves, Escape cancels', async () => {
    const { api } = dashboardsApp();
    renderApp('/dashboards');
    const user = userEvent.setup();
    await user.click(await screen.findByRole('button', { name: 'Rename Forecast' }));
    await user.keyboard('{Escape}');
    expect(screen.getByRole('button', { name: 'Rename Forecast' })).toHaveFocus();

    await user.click(screen.getByRole('button', { name: 'Rename Forecast' }));
    const field = screen.getByRole('textbox', { name: 'New name for Forecast' });
    await user.clear(field);
    await user.type(field, 'Forecast Q3{Enter}');
    expect(await screen.findByRole('link', { name: 'Forecast Q3' })).toBeInTheDocument();
    expect(api.callsTo('PATCH', '/api/dashboards/d2').map((c) => c.body)).toEqual([{ title: 'Forecast Q3' }]);
  });

  it('deletes after confirming, saying the saved reports stay', async () => {
    const { api } = dashboardsApp();
    renderApp('/dashboards');
    const user = userEvent.setup();
    await user.click(await screen.findByRole('button', { name: 'Delete Pipeline review' }));
    const dialog = screen.getByRole('dialog', { name: 'Delete Pipeline review' });
    expect(dialog).toHaveTextContent('The saved reports on it stay');
    await expectAccessible(dialog);
    await user.click(within(dialog).getByRole('button', { name: 'Delete dashboard' }));
    await waitFor(() => expect(screen.queryByRole('link', { name: 'Pipeline review' })).not.toBeInTheDocument());
    expect(api.callsTo('DELETE', '/api/dashboards/d1')).toHaveLength(1);
    expect(await screen.findByText('“Pipeline review” was deleted.')).toBeInTheDocument();
  });

  it('says who may delete when the server refuses (403)', async () => {
    dashboardsApp({
      role: 'member',
      extra: { 'DELETE /api/dashboards/:id': apiError(403, 'forbidden', 'only its creator or an admin can delete a dashboard') },
    });
    renderApp('/dashboards');
    const user = userEvent.setup();
    await user.click(await screen.findByRole('button', { name: 'Delete Forecast' }));
    const dialog = screen.getByRole('dialog', { name: 'Delete Forecast' });
    // A member deleting someone else's dashboard is told beforehand, and may still ask.
    expect(dialog).toHaveTextContent('You did not make this dashboard');
    await user.click(within(dialog).getByRole('button', { name: 'Delete dashboard' }));
    const alert = await within(dialog).findByRole('alert');
    expect(alert).toHaveTextContent('Only the person who made this dashboard, or an admin, can delete it.');
    expect(alert).toHaveTextContent('Only its creator or an admin can delete a dashboard.');
    expect(screen.getByRole('link', { name: 'Forecast' })).toBeInTheDocument();
  });
});

describe('a dashboard', { timeout: 15_000 }, () => {
  it('shows its tiles in the grid with their charts, how fresh their data is, and snapshots as such', async () => {
    dashboardsApp();
    renderApp('/dashboards/d1');
    expect(await screen.findByRole('heading', { name: 'Pipeline review', level: 1 })).toBeInTheDocument();
    const grid = screen.getByRole('list', { name: 'Tiles of Pipeline review' });
    const tiles = within(grid).getAllByTestId('tile');
    expect(tiles.map((t) => within(t).getByRole('heading').textContent)).toEqual(['Pipeline by stage', 'Win rate']);
    // Width and height from the tile; every tile full width on narrow screens.
    expect(tiles[0]!.className).toContain('col-span-12 @xl:col-span-6 @4xl:col-span-6 row-span-2');
    expect(tiles[1]!.className).toContain('@4xl:col-span-3 row-span-1');

    const pipeline = tiles[0]!;
    await waitFor(() => expect(within(pipeline).getByTestId('tile-freshness')).toHaveTextContent('Data read 3 minutes ago'));
    expect(within(pipeline).getByTestId('chart')).toHaveAttribute('data-kind', 'bar');
    await waitFor(() => expect(within(pipeline).getByTestId('chart').querySelector('svg')).not.toBeNull(), { timeout: 5000 });

    const win = tiles[1]!;
    await waitFor(() => expect(within(win).getByTestId('tile-freshness')).toHaveTextContent(`Snapshot from ${DAY.format(Date.parse(WIN_RATE.created_at))}`));
    expect(within(win).getByTestId('chart')).toHaveTextContent('25%');
    // Snapshots never change: no Refresh for them.
    expect(within(win).queryByRole('button', { name: /Refresh/ })).not.toBeInTheDocument();
    await expectAccessible();
  });

  it('refreshes a live tile, and all of them, and says when the data was read', async () => {
    const { api } = dashboardsApp();
    renderApp('/dashboards/d1');
    const pipeline = await tileOf('Pipeline by stage');
    await waitFor(() => expect(within(pipeline).getByTestId('tile-freshness')).toHaveTextContent('Data read 3 minutes ago'));
    const user = userEvent.setup();
    await user.click(within(pipeline).getByRole('button', { name: 'Refresh Pipeline by stage' }));
    await waitFor(() => expect(within(pipeline).getByTestId('tile-freshness')).toHaveTextContent('Data read just now'));
    expect(api.callsTo('GET', '/api/artifacts/a1/data')).toHaveLength(2);

    await user.click(screen.getByRole('button', { name: 'Refresh all' }));
    await waitFor(() => expect(api.callsTo('GET', '/api/artifacts/a1/data')).toHaveLength(3));
    // The snapshot is not read again.
    expect(api.callsTo('GET', '/api/artifacts/a2/data')).toHaveLength(1);
  });

  it('says in plain words when a tile’s query failed', async () => {
    dashboardsApp({
      extra: {
        'GET /api/artifacts/:id/data': ({ params }: { params: Record<string, string> }) =>
          params.id === 'a1'
            ? { live: true, read_at: new Date().toISOString(), results: { result: { error: 'column "total" does not exist' } } }
            : apiError(429, 'rate_limited', 'too many queries', { 'Retry-After': '30' }),
      },
    });
    renderApp('/dashboards/d1');
    const pipeline = await tileOf('Pipeline by stage');
    expect(await within(pipeline).findByRole('alert')).toHaveTextContent('This query could not run.column "total" does not exist');
    const win = await tileOf('Win rate');
    expect(await within(win).findByRole('alert')).toHaveTextContent("You're going a bit fast. Try again in 30 seconds.");
    expect(within(win).getByRole('button', { name: 'Try again' })).toBeInTheDocument();
  });

  it('switches a tile’s chart type from its menu with a valid spec, and back to the original', async () => {
    const { api } = dashboardsApp();
    renderApp('/dashboards/d1');
    const pipeline = await tileOf('Pipeline by stage');
    await within(pipeline).findByTestId('chart');
    const { user, menu } = await openMenu('Pipeline by stage');
    // Keyboard: the first choice has focus; only kinds these columns can draw are offered.
    expect(within(menu).getByRole('menuitemradio', { name: 'Bar chart' })).toHaveFocus();
    expect(within(menu).getByRole('menuitemradio', { name: 'Bar chart' })).toHaveAttribute('aria-checked', 'true');
    expect(within(menu).getAllByRole('menuitemradio').map((i) => i.textContent?.replace('✓', ''))).toEqual([
      'Bar chart',
      'Line chart',
      'Area chart',
      'Pie chart',
      'Funnel',
      'Table',
    ]);
    expect(within(menu).queryByRole('menuitem', { name: 'Reset to original chart' })).not.toBeInTheDocument();
    await expectAccessible();

    await user.click(within(menu).getByRole('menuitemradio', { name: 'Pie chart' }));
    await waitFor(() => expect(within(pipeline).getByTestId('chart')).toHaveAttribute('data-kind', 'pie'));
    expect(api.callsTo('PATCH', '/api/dashboards/d1/tiles/t1').map((c) => c.body)).toEqual([
      { chart: { kind: 'pie', x: 'stage', y: ['total'], stacked: false } },
    ]);
    expect(await screen.findByText('Pipeline by stage is now shown as a pie chart.')).toBeInTheDocument();

    const again = await openMenu('Pipeline by stage');
    await again.user.click(within(again.menu).getByRole('menuitem', { name: 'Reset to original chart' }));
    await waitFor(() => expect(within(pipeline).getByTestId('chart')).toHaveAttribute('data-kind', 'bar'));
    expect(api.callsTo('PATCH', '/api/dashboards/d1/tiles/t1').at(-1)?.body).toEqual({ chart: null });
  });

  it('shows the server’s reason when it refuses a chart', async () => {
    dashboardsApp({
      extra: {
        'PATCH /api/dashboards/:id/tiles/:tile': apiError(422, 'validation_failed', 'chart.y: the result has no column "total" (columns: stage)'),
      },
    });
    renderApp('/dashboards/d1');
    await within(await tileOf('Pipeline by stage')).findByTestId('chart');
    const { user, menu } = await openMenu('Pipeline by stage');
    await user.click(within(menu).getByRole('menuitemradio', { name: 'Line chart' }));
    expect(await screen.findByText("Couldn't change “Pipeline by stage”. Some details need fixing.")).toBeInTheDocument();
    expect(screen.getByText('Chart.y: the result has no column "total" (columns: stage).')).toBeInTheDocument();
  });

  it('resizes a tile', async () => {
    const { api } = dashboardsApp();
    renderApp('/dashboards/d1');
    await within(await tileOf('Pipeline by stage')).findByTestId('chart');
    const { user, menu } = await openMenu('Pipeline by stage');
    expect(within(menu).getByRole('group', { name: 'Size: half width, 2 rows tall' })).toBeInTheDocument();
    await user.click(within(menu).getByRole('menuitem', { name: 'Wider' }));
    await waitFor(() => expect((screen.getAllByTestId('tile')[0]!).className).toContain('@4xl:col-span-8'));
    const taller = await openMenu('Pipeline by stage');
    await taller.user.click(within(taller.menu).getByRole('menuitem', { name: 'Taller' }));
    await waitFor(() => expect((screen.getAllByTestId('tile')[0]!).className).toContain('row-span-3'));
    expect(api.callsTo('PATCH', '/api/dashboards/d1/tiles/t1').map((c) => c.body)).toEqual([{ width: 8 }, { height: 3 }]);

    // The smallest tile cannot shrink further.
    const small = await openMenu('Win rate');
    expect(within(small.menu).getByRole('menuitem', { name: 'Narrower' })).toBeDisabled();
    expect(within(small.menu).getByRole('menuitem', { name: 'Shorter' })).toBeDisabled();
  });

  it('moves a tile with the keyboard, sending the whole order, and keeps focus on it', async () => {
    const { api } = dashboardsApp();
    renderApp('/dashboards/d1');
    await within(await tileOf('Pipeline by stage')).findByTestId('chart');
    const user = userEvent.setup();
    const button = within(await tileOf('Pipeline by stage')).getByRole('button', { name: 'Options for Pipeline by stage' });
    button.focus();
    await user.keyboard('{ArrowDown}');
    const menu = screen.getByRole('menu');
    expect(within(menu).getByRole('menuitem', { name: 'Move earlier' })).toBeDisabled();
    // End, then up past Remove, Open in explorer and Export CSV, to Move later.
    await user.keyboard('{End}{ArrowUp}{ArrowUp}{ArrowUp}');
    expect(within(menu).getByRole('menuitem', { name: 'Move later' })).toHaveFocus();
    await user.keyboard('{Enter}');
    await waitFor(() =>
      expect(screen.getAllByTestId('tile').map((t) => within(t).getByRole('heading').textContent)).toEqual(['Win rate', 'Pipeline by stage']),
    );
    expect(api.callsTo('PUT', '/api/dashboards/d1/order').map((c) => c.body)).toEqual([{ tile_ids: ['t2', 't1'] }]);
    await waitFor(() => expect(screen.getByRole('button', { name: 'Options for Pipeline by stage' })).toHaveFocus());
    expect(screen.getByText('Pipeline by stage moved to position 2 of 2.')).toBeInTheDocument();
  });

  it('removes a tile after confirming; the saved report stays', async () => {
    const { api } = dashboardsApp();
    renderApp('/dashboards/d1');
    await within(await tileOf('Win rate')).findByTestId('chart');
    const { user, menu } = await openMenu('Win rate');
    await user.click(within(menu).getByRole('menuitem', { name: 'Remove from dashboard' }));
    const dialog = screen.getByRole('dialog', { name: 'Remove Win rate' });
    expect(dialog).toHaveTextContent('The saved report stays');
    await user.click(within(dialog).getByRole('button', { name: 'Remove tile' }));
    await waitFor(() => expect(screen.getAllByTestId('tile')).toHaveLength(1));
    expect(api.callsTo('DELETE', '/api/dashboards/d1/tiles/t2')).toHaveLength(1);
    expect(api.callsTo('DELETE', '/api/artifacts/a2')).toHaveLength(0);
  });

  it('exports a tile’s CSV from the server, with the file name it gives', async () => {
    const { api } = dashboardsApp({
      extra: {
        'GET /api/artifacts/:id/csv': () =>
          new Response('\uFEFFstage,total\r\nDiscovery,120000.00\r\n', {
            headers: {
              'Content-Type': 'text/csv; charset=utf-8',
              'Content-Disposition': `attachment; filename="Pipeline by stage.csv"; filename*=UTF-8''Pipeline%20by%20stage.csv`,
              'X-Truncated': 'false',
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
    renderApp('/dashboards/d1');
    await within(await tileOf('Pipeline by stage')).findByTestId('chart');
    const { user, menu } = await openMenu('Pipeline by stage');
    await user.click(within(menu).getByRole('menuitem', { name: 'Export CSV' }));
    await waitFor(() => expect(names).toEqual(['Pipeline by stage.csv']));
    const [call] = api.callsTo('GET', '/api/artifacts/a1/csv');
    expect(call?.search).toBe('?query=result');
    expect(call?.authorization).toBe('Bearer tok-1');
    expect(await blobs[0]!.text()).toContain('Discovery,120000.00');
    expect(await screen.findByText('Pipeline by stage: CSV downloaded')).toBeInTheDocument();
  });

  it('renames in place and deletes the dashboard', async () => {
    const { api } = dashboardsApp();
    const { router } = renderApp('/dashboards/d1');
    const user = userEvent.setup();
    await user.click(await screen.findByRole('button', { name: 'Rename dashboard' }));
    const field = screen.getByRole('textbox', { name: 'Dashboard name' });
    await user.clear(field);
    await user.type(field, 'Pipeline weekly');
    await user.click(screen.getByRole('button', { name: 'Save' }));
    expect(await screen.findByRole('heading', { name: 'Pipeline weekly', level: 1 })).toBeInTheDocument();
    expect(api.callsTo('PATCH', '/api/dashboards/d1').map((c) => c.body)).toEqual([{ title: 'Pipeline weekly' }]);

    await user.click(screen.getByRole('button', { name: 'Delete dashboard' }));
    const dialog = screen.getByRole('dialog', { name: 'Delete Pipeline weekly' });
    await user.click(within(dialog).getByRole('button', { name: 'Delete dashboard' }));
    await waitFor(() => expect(router.state.location.pathname).toBe('/dashboards'));
    expect(await screen.findByRole('link', { name: 'Forecast' })).toBeInTheDocument();
  });

  it('adds a saved report as a tile', async () => {
    const { api } = dashboardsApp({ boards: [{ ...BOARD, tiles: [] }] });
    renderApp('/dashboards/d1');
    const user = userEvent.setup();
    await user.click(await screen.findByRole('button', { name: 'Add a saved report' }));
    const dialog = screen.getByRole('dialog', { name: 'Add a saved report' });
    await user.click(await within(dialog).findByRole('button', { name: 'Add Win rate' }));
    expect(await tileOf('Win rate')).toBeInTheDocument();
    expect(api.callsTo('POST', '/api/dashboards/d1/tiles').map((c) => c.body)).toEqual([{ artifact_id: 'a2', width: 3, height: 1 }]);
  });

  it('says so when the dashboard does not exist', async () => {
    dashboardsApp();
    renderApp('/dashboards/nope');
    expect(await screen.findByText("We couldn't find this dashboard.")).toBeInTheDocument();
    expect(screen.getByRole('link', { name: 'See all dashboards' })).toHaveAttribute('href', '/dashboards');
  });
});

// The chat route (socket, Markdown, echarts) takes a while to load with every file running at once.
describe('pin to dashboard from the chat', { timeout: 20_000 }, () => {
  const CHART = { kind: 'bar', x: 'stage', y: ['total'], series: null, stacked: false, format: 'currency', title: 'Open pipeline' };

  async function chatWithStep(routes: Record<string, unknown>, output: Record<string, unknown> = STAGE_OUTPUT) {
    const env = chatApp({
      'GET /api/chat/conversations/:id': detail('c1', 'Pipeline', [message('q1', 'user', [{ type: 'text', text: 'Pipeline?' }])]),
      ...routes,
    });
    renderApp('/chat/c1');
    await screen.findByText('Pipeline?', {}, { timeout: 5000 });
    const run = runOf('c1', 'r1');
    env.server.push(run.started('Pipeline?', 'q1'), run.call('t1', 'run_sql_query', { sql: SQL }), run.result('t1', output));
    const user = userEvent.setup();
    const step = await screen.findByTestId('tool-step');
    await waitFor(() => expect(within(step).getByRole('button', { expanded: false })).toHaveTextContent('deals · 2 rows'));
    await user.click(within(step).getByRole('button', { expanded: false }));
    return { ...env, user, step };
  }

  it('saves the step’s query, makes a new dashboard and pins it there', async () => {
    const saved = { ...PIPELINE, id: 'a9', title: 'Deals', chart: null, conversation_id: 'c1' };
    const { api, user, step } = await chatWithStep({
      'GET /api/dashboards': [],
      'POST /api/artifacts': () => json(saved, 201),
      'POST /api/dashboards': ({ body }: { body: unknown }) => json({ ...BOARD, id: 'd9', title: (body as { title: string }).title, tiles: [] }, 201),
      'POST /api/dashboards/:id/tiles': () => json(tile('t9', saved, 0, 12, 2), 201),
    });
    await user.click(within(step).getByRole('button', { name: 'Pin to dashboard' }));
    const dialog = await screen.findByRole('dialog', { name: 'Pin to dashboard' });
    const name = within(dialog).getByRole('textbox', { name: 'Name' });
    expect(name).toHaveValue('Deals');
    // No dashboards yet: a new one it is.
    expect(await within(dialog).findByRole('radio', { name: 'A new dashboard' })).toBeChecked();
    await user.click(within(dialog).getByRole('button', { name: 'Pin' }));
    expect(within(dialog).getByText('Give the new dashboard a name.')).toBeInTheDocument();
    await user.type(within(dialog).getByRole('textbox', { name: 'Name of the new dashboard' }), 'Sales weekly');
    await expectAccessible(dialog);
    await user.click(within(dialog).getByRole('button', { name: 'Pin' }));

    expect(await screen.findByText('Pinned to “Sales weekly”.')).toBeInTheDocument();
    expect(api.callsTo('POST', '/api/artifacts').map((c) => c.body)).toEqual([{ title: 'Deals', sql: SQL, is_live: true, conversation_id: 'c1' }]);
    expect(api.callsTo('POST', '/api/dashboards').map((c) => c.body)).toEqual([{ title: 'Sales weekly' }]);
    expect(api.callsTo('POST', '/api/dashboards/d9/tiles').map((c) => c.body)).toEqual([{ artifact_id: 'a9', width: 12, height: 2 }]);
    // Artifact first, then the dashboard, then the tile.
    const order = api.calls.filter((c) => c.method === 'POST').map((c) => c.path);
    expect(order).toEqual(['/api/artifacts', '/api/dashboards', '/api/dashboards/d9/tiles']);
    await waitFor(() => expect(screen.queryByRole('dialog', { name: 'Pin to dashboard' })).not.toBeInTheDocument());
  });

  it('pins a charted step to an existing dashboard, as a snapshot if asked, and keeps what was saved when pinning fails', async () => {
    const saved = { ...PIPELINE, id: 'a9', title: 'Open pipeline', is_live: false, chart: { ...BAR, format: 'currency' as const, title: 'Open pipeline' } };
    const { api, user, step } = await chatWithStep(
      {
        'GET /api/dashboards': [{ ...BOARD, tile_count: 2 }],
        'POST /api/artifacts': () => json(saved, 201),
        'POST /api/dashboards/:id/tiles': ({ call }: { call: number }) =>
          call === 1 ? apiError(503, 'unavailable', 'database busy') : json(tile('t9', saved, 2), 201),
      },
      { ...STAGE_OUTPUT, chart: CHART, chart_error: null },
    );
    await user.click(within(step).getByRole('button', { name: 'Pin to dashboard' }));
    const dialog = await screen.findByRole('dialog', { name: 'Pin to dashboard' });
    expect(within(dialog).getByRole('textbox', { name: 'Name' })).toHaveValue('Open pipeline');
    expect(await within(dialog).findByRole('radio', { name: /Pipeline review/ })).toBeChecked();
    await user.click(within(dialog).getByRole('checkbox', { name: 'Keep it live' }));
    await user.click(within(dialog).getByRole('button', { name: 'Pin' }));
    expect(await within(dialog).findByText('Part of Revtops is unavailable right now. Try again shortly.')).toBeInTheDocument();
    expect(within(dialog).getByText('“Open pipeline” is saved.')).toBeInTheDocument();

    await user.click(within(dialog).getByRole('button', { name: 'Pin' }));
    expect(await screen.findByText('Pinned to “Pipeline review”.')).toBeInTheDocument();
    expect(api.callsTo('POST', '/api/artifacts').map((c) => c.body)).toEqual([
      {
        title: 'Open pipeline',
        sql: SQL,
        is_live: false,
        chart: { kind: 'bar', x: 'stage', y: ['total'], stacked: false, format: 'currency', title: 'Open pipeline' },
        conversation_id: 'c1',
      },
    ]);
    expect(api.callsTo('POST', '/api/dashboards/d1/tiles').map((c) => c.body)).toEqual([
      { artifact_id: 'a9', width: 6, height: 2 },
      { artifact_id: 'a9', width: 6, height: 2 },
    ]);
    expect(api.callsTo('POST', '/api/dashboards')).toHaveLength(0);
  });

  it('says why a query could not be saved', async () => {
    const { api, user, step } = await chatWithStep({
      'GET /api/dashboards': [{ ...BOARD, tile_count: 2 }],
      'POST /api/artifacts': apiError(400, 'query_rejected', 'relation "deals" does not exist'),
    });
    await user.click(within(step).getByRole('button', { name: 'Pin to dashboard' }));
    const dialog = await screen.findByRole('dialog', { name: 'Pin to dashboard' });
    await within(dialog).findByRole('radio', { name: /Pipeline review/ });
    await user.click(within(dialog).getByRole('button', { name: 'Pin' }));
    const alert = await within(dialog).findByRole('alert');
    expect(alert).toHaveTextContent('The query could not run again, so it was not saved.');
    expect(alert).toHaveTextContent('Relation "deals" does not exist.');
    expect(api.callsTo('POST', '/api/dashboards/d1/tiles')).toHaveLength(0);
  });

  it('pins a saved report from its card without saving it again', async () => {
    const env = chatApp({
      'GET /api/chat/conversations/:id': detail('c1', 'Pipeline', [message('q1', 'user', [{ type: 'text', text: 'Pipeline?' }])]),
      'GET /api/artifacts/:id': PIPELINE,
      'GET /api/artifacts/:id/data': { live: true, read_at: minutesAgo(0), results: { result: STAGE_RESULT } },
      'GET /api/dashboards': [{ ...OTHER, tile_count: 0 }],
      'POST /api/dashboards/:id/tiles': () => json(tile('t9', PIPELINE, 0), 201),
    });
    renderApp('/chat/c1');
    await screen.findByText('Pipeline?', {}, { timeout: 5000 });
    const run = runOf('c1', 'r1');
    env.server.push(run.started('Pipeline?', 'q1'), run.artifact('a1', 'Pipeline by stage'));
    const card = await screen.findByTestId('artifact');
    const user = userEvent.setup();
    await user.click(within(card).getByRole('button', { name: 'Pin to dashboard' }));
    const dialog = await screen.findByRole('dialog', { name: 'Pin to dashboard' });
    expect(dialog).toHaveTextContent('Show “Pipeline by stage” as a tile on a dashboard.');
    expect(within(dialog).queryByRole('textbox', { name: 'Name' })).not.toBeInTheDocument();
    await within(dialog).findByRole('radio', { name: /Forecast/ });
    await user.click(within(dialog).getByRole('button', { name: 'Pin' }));
    expect(await screen.findByText('Pinned to “Forecast”.')).toBeInTheDocument();
    expect(env.api.callsTo('POST', '/api/dashboards/d2/tiles').map((c) => c.body)).toEqual([{ artifact_id: 'a1', width: 6, height: 2 }]);
    expect(env.api.callsTo('POST', '/api/artifacts')).toHaveLength(0);
  });
});
