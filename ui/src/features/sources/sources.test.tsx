import { act, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import type { SyncProgressFrame } from '../../api/protocol';
import { expectAccessible } from '../../test/axe';
import { FakeChatServer } from '../../test/fakeChatServer';
import { type Handler, apiError, json, mockApi } from '../../test/mockApi';
import { CONFIG, ORG, USER, renderApp, signedIn } from '../../test/render';

// Nango's SDK opens an iframe from Nango's servers: replace it with a recorder the tests drive.
const nango = vi.hoisted(() => ({
  options: [] as unknown[],
  params: null as null | { baseURL?: string; apiURL?: string; onEvent?: (event: unknown) => unknown },
  closed: 0,
}));
vi.mock('@nangohq/frontend', () => ({
  default: class FakeNango {
    constructor(options: unknown) {
      nango.options.push(options);
    }
    openConnectUI(params: { baseURL?: string; apiURL?: string; onEvent?: (event: unknown) => unknown }) {
      nango.params = params;
      return { close: () => (nango.closed += 1) };
    }
  },
}));

type Provider = 'hubspot' | 'salesforce' | 'slack' | 'google_calendar';

type Row = Record<string, unknown>;

/** The server's list: every provider syncs, none takes a direct token, unless `extra` says otherwise. */
function available(configured: boolean, connected: Partial<Record<Provider, boolean>> = {}, extra: Partial<Record<Provider, Row>> = {}) {
  const row = (provider: Provider, display_name: string, scope: 'organization' | 'user', syncable: boolean) => ({
    provider,
    display_name,
    scope,
    nango_configured: configured,
    connected: connected[provider] ?? false,
    syncable,
    direct_tokens: false,
    connected_users: scope === 'user' && connected[provider] ? [USER.id] : [],
    ...extra[provider],
  });
  return [
    row('hubspot', 'HubSpot', 'organization', true),
    row('salesforce', 'Salesforce', 'organization', true),
    row('slack', 'Slack', 'organization', true),
    row('google_calendar', 'Google Calendar', 'user', true),
  ];
}

const NANGO = { api_url: 'https://nango.acme.internal', connect_url: 'https://connect.nango.acme.internal' };

const integration = (provider: Provider, extra: Record<string, unknown> = {}) => ({
  id: `i-${provider}`,
  provider,
  scope: provider === 'google_calendar' ? 'user' : 'organization',
  user_id: provider === 'google_calendar' ? USER.id : null,
  is_active: true,
  connected_at: '2026-01-01T00:00:00Z',
  updated_at: '2026-01-01T00:00:00Z',
  last_sync_at: null,
  last_error: null,
  credential: 'nango',
  shared: provider !== 'google_calendar',
  ...extra,
});

const minutesAgo = (m: number) => new Date(Date.now() - m * 60_000).toISOString();

const run = (id: string, extra: Record<string, unknown> = {}) => ({
  id,
  provider: 'hubspot',
  status: 'succeeded',
  trigger: 'schedule',
  full_sync: false,
  counts: {
    owners: { records: 5, skipped: 0, pages: 1 },
    companies: { records: 120, skipped: 0, pages: 2 },
    deals: { records: 300, skipped: 2, pages: 3 },
  },
  progress: {},
  error: null,
  error_count: 2,
  attempt: 1,
  queued_at: minutesAgo(12),
  started_at: minutesAgo(12),
  heartbeat_at: minutesAgo(10),
  finished_at: minutesAgo(10),
  ...extra,
});

const status = (extra: Record<string, unknown> = {}) => ({
  provider: 'hubspot',
  connected: true,
  last_sync_at: null,
  last_error: null,
  current: null,
  last: null,
  ...extra,
});

function sourcesApp(role: 'admin' | 'member', routes: Record<string, Handler | unknown> = {}) {
  signedIn();
  const server = new FakeChatServer();
  const api = mockApi({
    'GET /api/config': { ...CONFIG, nango: NANGO },
    'GET /api/auth/me': { user: { ...USER, role }, organization: ORG },
    'GET /api/auth/available-integrations': available(true),
    'GET /api/auth/integrations': [],
    'GET /api/sync/runs': [],
    'GET /api/sync/:org/:provider/status': status({ connected: false }),
    'GET /api/auth/organizations/current/members': [USER, { ...USER, id: 'u2', name: 'Sam Lee', email: 'sam@acme.com', role: 'member' }],
    ...routes,
  });
  renderApp('/sources');
  return { api, server };
}

// The first render waits for the lazy page chunk to be transformed.
const card = (name: string) => screen.findByRole('article', { name }, { timeout: 8000 });

const frame = (records: number, object: string, status: string | null = null): SyncProgressFrame => ({
  type: 'sync_progress',
  run_id: 'r-live',
  provider: 'hubspot',
  object,
  throttled_for_secs: null,
  done_in_secs: null,
  records,
  skipped: 0,
  status,
});

beforeEach(() => {
  nango.options.length = 0;
  nango.params = null;
  nango.closed = 0;
});

describe('data sources page', () => {
  it('without Nango, says how to configure it instead of offering buttons', async () => {
    sourcesApp('admin', {
      'GET /api/auth/available-integrations': available(false, { hubspot: true }),
      'GET /api/auth/integrations': [integration('hubspot', { last_sync_at: minutesAgo(60) })],
    });
    const setup = await screen.findByRole(
      'region',
      { name: 'Connecting data sources is not set up on this server yet' },
      { timeout: 8000 },
    );
    expect(setup).toHaveTextContent('NANGO_SECRET_KEY');
    expect(setup).toHaveTextContent('NANGO_HOST');
    expect(setup).toHaveTextContent('NANGO_CONNECT_URL');
    expect(setup).toHaveTextContent('https://connect.nango.dev');
    expect(setup).toHaveTextContent('NANGO_HUBSPOT_INTEGRATION_ID');
    expect(setup).toHaveTextContent('env.example');
    // What was connected before is still shown, but nothing that needs Nango is offered.
    expect(within(await card('HubSpot')).getByRole('status')).toHaveTextContent(/Synced|Connected/);
    for (const name of [/^connect/i, /sync now/i, /disconnect/i, /full resync/i]) {
      expect(screen.queryByRole('button', { name })).not.toBeInTheDocument();
    }
    await expectAccessible();
  });

  it('connects a provider through Nango’s Connect UI, loaded on demand from where the server says, and records the connection', async () => {
    const { api } = sourcesApp('admin', {
      'GET /api/auth/connect/:provider/session': {
        token: 'sess-1',
        expires_at: '2026-01-01T01:00:00Z',
        // Not where the Connect UI is opened from: the configuration says that.
        connect_link: 'https://connect.nango.example/?session_token=sess-1',
        integration_id: 'hubspot',
        provider: 'hubspot',
      },
      'POST /api/auth/callback': () => integration('hubspot'),
      'GET /api/auth/available-integrations': () =>
        available(true, { hubspot: api.callsTo('POST', '/api/auth/callback').length > 0 }),
      'GET /api/sync/:org/:provider/status': () =>
        api.callsTo('POST', '/api/auth/callback').length > 0
          ? status({ current: run('r1', { status: 'queued', trigger: 'initial', full_sync: true, started_at: null, finished_at: null }) })
          : status({ connected: false }),
    });
    const hubspot = await card('HubSpot');
    expect(within(hubspot).getByRole('status')).toHaveTextContent('Not connected');
    await userEvent.setup().click(within(hubspot).getByRole('button', { name: 'Connect HubSpot' }));

    await waitFor(() => expect(nango.params?.onEvent).toBeTypeOf('function'));
    expect(api.callsTo('GET', '/api/auth/connect/hubspot/session')).toHaveLength(1);
    expect(nango.options.at(-1)).toEqual({ connectSessionToken: 'sess-1' });
    expect(nango.params?.baseURL).toBe('https://connect.nango.acme.internal');
    expect(nango.params?.apiURL).toBe('https://nango.acme.internal');
    expect(await within(hubspot).findByText('Finish connecting HubSpot in the window that opened.')).toBeInTheDocument();

    await act(async () => {
      await nango.params?.onEvent?.({ type: 'connect', payload: { connectionId: 'conn-42', providerConfigKey: 'hubspot' } });
    });
    expect(api.callsTo('POST', '/api/auth/callback').map((c) => c.body)).toEqual([{ provider: 'hubspot', connection_id: 'conn-42' }]);
    expect(await screen.findByText('HubSpot is connected. The first sync has started.')).toBeInTheDocument();
    await waitFor(() => expect(within(hubspot).getByRole('status')).toHaveTextContent('Waiting to start'));
    expect(within(hubspot).getByText('A full resync is queued and starts as soon as a worker is free.')).toBeInTheDocument();
  });

  it('a refused connection is explained and nothing is recorded as connected', async () => {
    sourcesApp('admin', {
      'GET /api/auth/connect/:provider/session': apiError(503, 'integrations_unavailable', 'connecting providers is unavailable'),
    });
    const slack = await card('Slack');
    await userEvent.setup().click(within(slack).getByRole('button', { name: 'Connect Slack' }));
    const alert = await within(slack).findByRole('alert');
    expect(alert).toHaveTextContent("Connecting data sources isn't set up on this server yet.");
    expect(nango.options).toHaveLength(0);
    expect(within(slack).getByRole('status')).toHaveTextContent('Not connected');
  });

  it('disconnects only after confirmation', async () => {
    let disconnected = false;
    const { api } = sourcesApp('admin', {
      'GET /api/auth/available-integrations': () => available(true, { hubspot: !disconnected }),
      'GET /api/auth/integrations': () => (disconnected ? [] : [integration('hubspot')]),
      'DELETE /api/auth/integrations/:provider': () => {
        disconnected = true;
        return integration('hubspot', { is_active: false });
      },
    });
    const user = userEvent.setup();
    const hubspot = await card('HubSpot');
    await user.click(within(hubspot).getByRole('button', { name: 'Disconnect' }));
    const dialog = screen.getByRole('dialog', { name: 'Disconnect HubSpot' });
    expect(dialog).toHaveTextContent('Data already synced stays');
    await user.click(within(dialog).getByRole('button', { name: 'Cancel' }));
    expect(api.callsTo('DELETE', '/api/auth/integrations/hubspot')).toHaveLength(0);

    await user.click(within(hubspot).getByRole('button', { name: 'Disconnect' }));
    await user.click(within(screen.getByRole('dialog', { name: 'Disconnect HubSpot' })).getByRole('button', { name: 'Disconnect' }));
    await waitFor(() => expect(api.callsTo('DELETE', '/api/auth/integrations/hubspot')).toHaveLength(1));
    expect(await screen.findByText('HubSpot is disconnected. Data already synced is kept.')).toBeInTheDocument();
    await waitFor(() => expect(within(hubspot).getByRole('status')).toHaveTextContent('Not connected'));
    expect(within(hubspot).getByRole('button', { name: 'Connect HubSpot' })).toBeInTheDocument();
  });

  it('"Sync now" queues an incremental sync and shows it waiting', async () => {
    const { api } = sourcesApp('admin', {
      'GET /api/auth/available-integrations': available(true, { hubspot: true }),
      'GET /api/auth/integrations': [integration('hubspot', { last_sync_at: minutesAgo(10) })],
      'GET /api/sync/runs': [run('r0')],
      'GET /api/sync/:org/:provider/status': () =>
        api.callsTo('POST', '/api/sync/o1/hubspot').length > 0
          ? status({ current: run('r1', { status: 'queued', trigger: 'manual', started_at: null, finished_at: null }), last: run('r0') })
          : status({ last: run('r0'), last_sync_at: minutesAgo(10) }),
      'POST /api/sync/:org/:provider': () =>
        json({ created: true, run: run('r1', { status: 'queued', trigger: 'manual', started_at: null, finished_at: null }) }, 202),
    });
    const hubspot = await card('HubSpot');
    await waitFor(() => expect(within(hubspot).getByRole('status')).toHaveTextContent('Synced'));
    expect(within(hubspot).getByText(/Last successful sync/)).toHaveTextContent(
      'Last successful sync 10 minutes ago: 425 records (300 deals, 120 companies, 5 owners).',
    );
    await userEvent.setup().click(within(hubspot).getByRole('button', { name: 'Sync now' }));
    await waitFor(() => expect(api.callsTo('POST', '/api/sync/o1/hubspot')).toHaveLength(1));
    expect(api.callsTo('POST', '/api/sync/o1/hubspot')[0]!.search).toBe('');
    expect(await screen.findByText('HubSpot sync started.')).toBeInTheDocument();
    await waitFor(() => expect(within(hubspot).getByRole('status')).toHaveTextContent('Waiting to start'));
    expect(within(hubspot).getByRole('button', { name: 'Sync now' })).toBeDisabled();
    expect(within(hubspot).getByText('A sync is already under way.')).toBeInTheDocument();
  });

  it('a failed run says what happened in plain words, with the raw error on demand', async () => {
    const raw = 'authentication failed: HubSpot 401 INVALID_AUTHENTICATION on /crm/v3/objects/deals: Authentication credentials not found.';
    const failed = run('r2', { status: 'failed', error: raw, counts: {}, finished_at: minutesAgo(3) });
    sourcesApp('admin', {
      'GET /api/auth/available-integrations': available(true, { hubspot: true }),
      'GET /api/auth/integrations': [integration('hubspot', { last_error: raw })],
      'GET /api/sync/runs': [failed, run('r1')],
      'GET /api/sync/:org/:provider/status': status({ last: failed, last_error: raw }),
    });
    const hubspot = await card('HubSpot');
    await waitFor(() => expect(within(hubspot).getByRole('status')).toHaveTextContent('Sync failed'));
    expect(within(hubspot).getByText('HubSpot no longer accepts Revtops’ access.')).toBeInTheDocument();
    expect(within(hubspot).getByText(/An administrator needs to reconnect HubSpot/)).toBeInTheDocument();
    expect(within(hubspot).getByRole('button', { name: 'Reconnect HubSpot' })).toBeInTheDocument();
    // The technical text is folded away, not the headline.
    const details = within(hubspot).getByText('Technical details').closest('details')!;
    expect(details).not.toHaveAttribute('open');
    expect(details).toHaveTextContent(raw);
    await userEvent.setup().click(within(hubspot).getByText('Technical details'));
    expect(details).toHaveAttribute('open');

    const history = screen.getByRole('table');
    const rows = within(history).getAllByRole('row');
    expect(rows[1]).toHaveTextContent('Failed');
    expect(rows[1]).toHaveTextContent('HubSpot no longer accepts Revtops’ access.');
    expect(rows[2]).toHaveTextContent('Succeeded');
    expect(rows[2]).toHaveTextContent('2 malformed records were skipped.');
    await expectAccessible();
  });

  it('a daily limit reads as throttled by the provider', async () => {
    const raw = 'rate limit exhausted: HubSpot 429 DAILY on /crm/v3/objects/contacts: You have reached your daily limit.';
    const failed = run('r3', { status: 'failed', error: raw });
    sourcesApp('member', {
      'GET /api/auth/available-integrations': available(true, { hubspot: true }),
      'GET /api/auth/integrations': [integration('hubspot')],
      'GET /api/sync/runs': [failed],
      'GET /api/sync/:org/:provider/status': status({ last: failed, last_error: raw }),
    });
    const hubspot = await card('HubSpot');
    await waitFor(() => expect(within(hubspot).getByRole('status')).toHaveTextContent('Throttled by HubSpot'));
    expect(within(hubspot).getByText('HubSpot’s daily limit on requests is used up.')).toBeInTheDocument();
  });

  it('progress frames on the socket move the bar, with records and rate; the end refreshes the run', async () => {
    let ended = false;
    const running = run('r-live', {
      status: 'running',
      trigger: 'initial',
      full_sync: true,
      counts: { owners: { records: 5, skipped: 0, pages: 1 } },
      progress: { object: 'owners', records: 5 },
      finished_at: null,
    });
    const { server, api } = sourcesApp('admin', {
      'GET /api/auth/available-integrations': available(true, { hubspot: true }),
      'GET /api/auth/integrations': [integration('hubspot')],
      'GET /api/sync/runs': () => [ended ? run('r-live', { trigger: 'initial' }) : running],
      'GET /api/sync/:org/:provider/status': () => (ended ? status({ last: run('r-live') }) : status({ current: running })),
    });
    const hubspot = await card('HubSpot');
    const bar = await within(hubspot).findByRole('progressbar', { name: 'HubSpot sync progress' });
    expect(bar).toHaveAttribute('aria-valuemax', '10');
    expect(bar).toHaveAttribute('aria-valuenow', '0');
    await waitFor(() => expect(server.sockets.length).toBeGreaterThan(0));

    // Frames 2 s apart: the rate is measured between them.
    let now = Date.now();
    vi.spyOn(Date, 'now').mockImplementation(() => now);
    server.push(frame(10, 'owners'));
    now += 2000;
    server.push(frame(210, 'companies'));
    expect(bar).toHaveAttribute('aria-valuenow', '2');
    expect(bar.getAttribute('aria-valuetext')).toMatch(/^2 of 10 record types done, 210 records written, 100 records\/s$/);
    expect(within(hubspot).getByText('Syncing companies…')).toBeInTheDocument();
    expect(within(hubspot).getByText('2 of 10 record types')).toBeInTheDocument();

    now += 1000;
    server.push(frame(410, 'deals'));
    expect(bar).toHaveAttribute('aria-valuenow', '4');
    expect(within(hubspot).getByText('410')).toBeInTheDocument();

    const statusCalls = api.callsTo('GET', '/api/sync/o1/hubspot/status').length;
    ended = true;
    server.push(frame(500, '', 'succeeded'));
    expect(await screen.findByText('HubSpot is up to date: 500 records written.')).toBeInTheDocument();
    await waitFor(() => expect(api.callsTo('GET', '/api/sync/o1/hubspot/status').length).toBeGreaterThan(statusCalls));
    await waitFor(() => expect(within(hubspot).queryByRole('progressbar')).not.toBeInTheDocument());
    expect(within(hubspot).getByRole('status')).toHaveTextContent('Synced');
  });

  it('a frame of a run the page had not heard of shows it syncing and refreshes the lists', async () => {
    const { server, api } = sourcesApp('member', {
      'GET /api/auth/available-integrations': available(true, { hubspot: true }),
      'GET /api/auth/integrations': [integration('hubspot')],
      'GET /api/sync/runs': [run('r0')],
      'GET /api/sync/:org/:provider/status': status({ last: run('r0') }),
    });
    const hubspot = await card('HubSpot');
    await waitFor(() => expect(within(hubspot).getByRole('status')).toHaveTextContent('Synced'));
    await waitFor(() => expect(server.sockets.length).toBeGreaterThan(0));
    const runsCalls = api.callsTo('GET', '/api/sync/runs').length;
    server.push(frame(42, 'contacts'));
    const bar = within(hubspot).getByRole('progressbar', { name: 'HubSpot sync progress' });
    expect(bar).toHaveAttribute('aria-valuenow', '3');
    await waitFor(() => expect(api.callsTo('GET', '/api/sync/runs').length).toBeGreaterThan(runsCalls));
  });

  it('members may sync but not connect, re-read everything or disconnect organization sources', async () => {
    sourcesApp('member', {
      'GET /api/auth/available-integrations': available(true, { hubspot: true }),
      'GET /api/auth/integrations': [integration('hubspot')],
    });
    const hubspot = await card('HubSpot');
    expect(screen.getByText('Administrators connect the organization’s sources.')).toBeInTheDocument();
    expect(within(hubspot).getByRole('button', { name: 'Sync now' })).toBeEnabled();
    expect(within(hubspot).queryByRole('button', { name: 'Full resync' })).not.toBeInTheDocument();
    expect(within(hubspot).queryByRole('button', { name: 'Disconnect' })).not.toBeInTheDocument();
    expect(within(hubspot).getByText('Anyone can start a sync. Only administrators can run a full resync or disconnect HubSpot.')).toBeInTheDocument();

    const salesforce = await card('Salesforce');
    expect(within(salesforce).queryByRole('button')).not.toBeInTheDocument();
    expect(within(salesforce).getByText('Only an administrator can connect Salesforce.')).toBeInTheDocument();

    // Everyone connects their own calendar.
    const calendar = await card('Google Calendar');
    expect(within(calendar).getByRole('button', { name: 'Connect my Google Calendar' })).toBeEnabled();
    expect(within(calendar).getByText('You have not connected your Google Calendar yet.')).toBeInTheDocument();
    await expectAccessible();
  });

  it('admins get a full resync, after confirming', async () => {
    const { api } = sourcesApp('admin', {
      'GET /api/auth/available-integrations': available(true, { hubspot: true, salesforce: true }),
      'GET /api/auth/integrations': [integration('hubspot'), integration('salesforce')],
      'POST /api/sync/:org/:provider': () => json({ created: true, run: run('r9', { status: 'queued', full_sync: true }) }, 202),
    });
    const user = userEvent.setup();
    const hubspot = await card('HubSpot');
    expect(within(hubspot).getByRole('button', { name: 'Disconnect' })).toBeInTheDocument();
    await user.click(within(hubspot).getByRole('button', { name: 'Full resync' }));
    const dialog = screen.getByRole('dialog', { name: 'Full resync of HubSpot' });
    await user.click(within(dialog).getByRole('button', { name: 'Start full resync' }));
    await waitFor(() => expect(api.callsTo('POST', '/api/sync/o1/hubspot')).toHaveLength(1));
    expect(api.callsTo('POST', '/api/sync/o1/hubspot')[0]!.search).toBe('?full=true');
    expect(await screen.findByText('Full resync of HubSpot started.')).toBeInTheDocument();

    // Salesforce syncs like the others.
    const salesforce = await card('Salesforce');
    expect(within(salesforce).queryByText(/not available/)).not.toBeInTheDocument();
    expect(within(salesforce).getByRole('button', { name: 'Sync now' })).toBeInTheDocument();
    expect(within(salesforce).getByRole('button', { name: 'Full resync' })).toBeInTheDocument();
    expect(within(salesforce).getByText(/^Connected through Nango/)).toBeInTheDocument();
  });

  it('shows who in the team connected a personal calendar, by name', async () => {
    sourcesApp('member', {
      'GET /api/auth/available-integrations': available(true, { google_calendar: true }, {
        // u9 left the organization; their connection is still listed by the server.
        google_calendar: { connected_users: ['u2', USER.id, 'u9'] },
      }),
      'GET /api/auth/integrations': [integration('google_calendar', { connected_at: minutesAgo(5) })],
    });
    const calendar = await card('Google Calendar');
    const people = await within(calendar).findByRole('list', { name: 'People who connected Google Calendar' });
    await waitFor(() => expect(within(people).getAllByRole('listitem').map((li) => li.textContent)).toEqual([
      'You (Jane Doe), connected 5 minutes ago',
      'Sam Lee',
      'A former member',
    ]));
    expect(within(calendar).queryByText(/You have not connected/)).not.toBeInTheDocument();
    expect(within(calendar).getByText(/Teammates see who connected a calendar/)).toBeInTheDocument();
    // Members manage and sync their own calendar (not a full resync).
    expect(within(calendar).getByRole('button', { name: 'Disconnect' })).toBeInTheDocument();
    expect(within(calendar).getByRole('button', { name: 'Sync now' })).toBeInTheDocument();
    expect(within(calendar).queryByRole('button', { name: 'Full resync' })).not.toBeInTheDocument();
    expect(within(calendar).queryByText(/not available/)).not.toBeInTheDocument();
  });

  it('lists teammates’ calendars when you have not connected yours', async () => {
    sourcesApp('member', {
      'GET /api/auth/available-integrations': available(true, {}, { google_calendar: { connected_users: ['u2'] } }),
    });
    const calendar = await card('Google Calendar');
    expect(within(calendar).getByText('You have not connected your Google Calendar yet.')).toBeInTheDocument();
    const people = within(calendar).getByRole('list', { name: 'People who connected Google Calendar' });
    await waitFor(() => expect(people).toHaveTextContent(/^Sam Lee$/));
    expect(within(calendar).getByRole('button', { name: 'Connect my Google Calendar' })).toBeEnabled();
  });

  it('whether a provider syncs is the server’s word', async () => {
    const { api } = sourcesApp('admin', {
      'GET /api/auth/available-integrations': available(true, { hubspot: true }, {
        hubspot: { syncable: false },
        slack: { syncable: false },
      }),
      'GET /api/auth/integrations': [integration('hubspot')],
    });
    const hubspot = await card('HubSpot');
    expect(within(hubspot).getByRole('status')).toHaveTextContent('Connected');
    expect(within(hubspot).getByText(/Syncing HubSpot is not available in this version of Revtops yet/)).toBeInTheDocument();
    expect(within(hubspot).queryByRole('button', { name: 'Sync now' })).not.toBeInTheDocument();
    expect(within(hubspot).queryByRole('button', { name: 'Full resync' })).not.toBeInTheDocument();
    expect(within(hubspot).getByRole('button', { name: 'Disconnect' })).toBeInTheDocument();
    // Nobody asks the status of a provider the server cannot sync.
    expect(api.callsTo('GET', '/api/sync/o1/hubspot/status')).toHaveLength(0);

    const salesforce = await card('Salesforce');
    expect(within(salesforce).queryByText(/syncing its data comes in a later version/)).not.toBeInTheDocument();
    const slack = await card('Slack');
    expect(within(slack).getByText('Slack can be connected now; syncing its data comes in a later version of Revtops.')).toBeInTheDocument();
  });

  it('asks for the configuration again when it said Nango was not set up', async () => {
    let configured = false;
    const { api } = sourcesApp('admin', {
      'GET /api/config': () => ({ ...CONFIG, nango: configured ? NANGO : null }),
      'GET /api/auth/connect/:provider/session': () => {
        configured = true;
        return { token: 'sess-2', expires_at: '2026-01-01T01:00:00Z', connect_link: null, integration_id: 'slack', provider: 'slack' };
      },
    });
    const slack = await card('Slack');
    await userEvent.setup().click(within(slack).getByRole('button', { name: 'Connect Slack' }));
    await waitFor(() => expect(nango.params?.onEvent).toBeTypeOf('function'));
    expect(nango.params?.baseURL).toBe(NANGO.connect_url);
    expect(nango.params?.apiURL).toBe(NANGO.api_url);
    expect(api.callsTo('GET', '/api/config').length).toBeGreaterThanOrEqual(2);
  });

  it('loading fails with a way to try again', async () => {
    let calls = 0;
    sourcesApp('admin', {
      'GET /api/auth/available-integrations': () => {
        calls += 1;
        return calls === 1 ? apiError(500, 'internal', 'internal error') : available(true);
      },
    });
    const alert = await screen.findByRole('alert', {}, { timeout: 8000 });
    expect(alert).toHaveTextContent('Something went wrong on our side.');
    await userEvent.setup().click(within(alert).getByRole('button', { name: 'Try again' }));
    expect(await card('HubSpot')).toBeInTheDocument();
    expect(await screen.findByText('No syncs yet. They show up here once a source is connected.')).toBeInTheDocument();
  });
});

describe('provider tokens, calendar sharing and throttling', () => {
  const SECRET = 'pat-na1-0123-secret';

  it('an admin connects HubSpot with a private app token; the secret is sent, then gone from the page', async () => {
    let saved = false;
    const { api } = sourcesApp('admin', {
      'GET /api/auth/available-integrations': () => available(true, { hubspot: saved }, { hubspot: { direct_tokens: true } }),
      'GET /api/auth/integrations': () => (saved ? [integration('hubspot', { credential: 'token', connected_at: minutesAgo(0) })] : []),
      'PUT /api/auth/integrations/:provider/token': () => {
        saved = true;
        return integration('hubspot', { credential: 'token' });
      },
    });
    const user = userEvent.setup();
    const hubspot = await card('HubSpot');
    // Nango is configured: the token is the secondary path, folded away.
    expect(within(hubspot).queryByLabelText('Private app access token')).not.toBeInTheDocument();
    await user.click(within(hubspot).getByRole('button', { name: 'Use a token instead' }));
    const form = within(hubspot).getByRole('form', { name: 'Connect HubSpot with a token' });
    expect(form).toHaveTextContent('Private Apps');
    const input = within(form).getByLabelText('Private app access token');
    expect(input).toHaveAttribute('type', 'password');
    expect(input).toHaveFocus();
    await user.type(input, ` ${SECRET} `);
    await expectAccessible();
    await user.click(within(form).getByRole('button', { name: 'Save and sync' }));

    await waitFor(() => expect(api.callsTo('PUT', '/api/auth/integrations/hubspot/token')).toHaveLength(1));
    expect(api.callsTo('PUT', '/api/auth/integrations/hubspot/token')[0]!.body).toEqual({ token: SECRET });
    expect(await screen.findByText('HubSpot is connected with a token. A full sync has started.')).toBeInTheDocument();
    expect(within(hubspot).queryByRole('form')).not.toBeInTheDocument();
    await waitFor(() => expect(within(hubspot).getByText(/^Connected with a token/)).toBeInTheDocument());
    // Neither shown nor kept in an input, closed or reopened.
    expect(document.body.innerHTML).not.toContain(SECRET);
    await user.click(within(hubspot).getByRole('button', { name: 'Replace the token' }));
    expect(within(hubspot).getByLabelText('Private app access token')).toHaveValue('');
    expect(document.body.innerHTML).not.toContain(SECRET);
  });

  it('without Nango the token form is how an admin connects Salesforce, and a refusal is shown next to it', async () => {
    const { api } = sourcesApp('admin', {
      'GET /api/config': { ...CONFIG, nango: null },
      'GET /api/auth/available-integrations': available(false, {}, {
        hubspot: { direct_tokens: true },
        salesforce: { direct_tokens: true },
        slack: { direct_tokens: true },
      }),
      'PUT /api/auth/integrations/:provider/token': () =>
        apiError(422, 'validation_failed', 'instance_url must be an https address on my.salesforce.com'),
    });
    const user = userEvent.setup();
    const salesforce = await card('Salesforce');
    expect(screen.getByRole('region', { name: /not set up on this server yet/ })).toHaveTextContent(
      'Meanwhile, you can connect HubSpot, Salesforce and Slack with a token instead',
    );
    const form = within(salesforce).getByRole('form', { name: 'Connect Salesforce with a token' });
    expect(form).toHaveTextContent('client credentials flow');
    // Nothing has focus taken away on page load.
    expect(within(form).getByLabelText('Instance URL')).not.toHaveFocus();
    expect(within(form).getByLabelText('Consumer key (client ID)')).toHaveAttribute('type', 'password');
    expect(within(form).getByLabelText('Consumer secret (client secret)')).toHaveAttribute('type', 'password');

    // Empty fields are caught before anything is sent.
    await user.click(within(form).getByRole('button', { name: 'Save and sync' }));
    expect(within(form).getByText('Enter the instance URL.')).toBeInTheDocument();
    expect(api.callsTo('PUT', '/api/auth/integrations/salesforce/token')).toHaveLength(0);

    await user.type(within(form).getByLabelText('Instance URL'), 'http://acme.example.com');
    await user.type(within(form).getByLabelText('Consumer key (client ID)'), 'key-1');
    await user.type(within(form).getByLabelText('Consumer secret (client secret)'), 'secret-1');
    await user.click(within(form).getByRole('button', { name: 'Save and sync' }));
    const alert = await within(form).findByRole('alert');
    expect(alert).toHaveTextContent('Some details need fixing.');
    expect(alert).toHaveTextContent('Instance_url must be an https address on my.salesforce.com.');
    expect(api.callsTo('PUT', '/api/auth/integrations/salesforce/token')[0]!.body).toEqual({
      instance_url: 'http://acme.example.com',
      client_id: 'key-1',
      client_secret: 'secret-1',
    });
    // Slack's form says where its bot token is.
    expect(within(await card('Slack')).getByRole('form', { name: 'Connect Slack with a token' })).toHaveTextContent(
      'OAuth & Permissions',
    );
    await expectAccessible();
  });

  it('members see no token form', async () => {
    sourcesApp('member', {
      'GET /api/auth/available-integrations': available(false, {}, {
        hubspot: { direct_tokens: true },
        salesforce: { direct_tokens: true },
        slack: { direct_tokens: true },
      }),
    });
    const hubspot = await card('HubSpot');
    expect(screen.getByText(/an administrator can connect HubSpot, Salesforce and Slack with a token/)).toBeInTheDocument();
    expect(within(hubspot).queryByRole('form')).not.toBeInTheDocument();
    expect(screen.queryByRole('button', { name: /token/ })).not.toBeInTheDocument();
    expect(document.querySelector('input[type="password"]')).toBeNull();
  });

  it('a provider connected with a token says so, and syncs without Nango', async () => {
    sourcesApp('member', {
      'GET /api/auth/available-integrations': available(false, { hubspot: true }, { hubspot: { direct_tokens: true } }),
      'GET /api/auth/integrations': [integration('hubspot', { credential: 'token', connected_at: minutesAgo(60 * 24 * 3) })],
      'GET /api/sync/runs': [run('r0')],
      'GET /api/sync/:org/:provider/status': status({ last: run('r0'), last_sync_at: minutesAgo(10) }),
    });
    const hubspot = await card('HubSpot');
    await waitFor(() => expect(within(hubspot).getByRole('status')).toHaveTextContent('Synced'));
    expect(within(hubspot).getByText(/^Connected with a token/)).toHaveTextContent('Connected with a token 3 days ago.');
    expect(within(hubspot).getByRole('button', { name: 'Sync now' })).toBeEnabled();
    expect(within(hubspot).queryByRole('button', { name: 'Disconnect' })).not.toBeInTheDocument();
  });

  it('a throttled Slack read says how long is left, or that it waits for the rate limit', async () => {
    const { server } = sourcesApp('member', {
      'GET /api/auth/available-integrations': available(true, { slack: true }),
      'GET /api/auth/integrations': [integration('slack')],
    });
    const slack = await card('Slack');
    await waitFor(() => expect(server.sockets.length).toBeGreaterThan(0));
    const slackFrame = (extra: Partial<SyncProgressFrame>): SyncProgressFrame => ({
      ...frame(40, 'messages'),
      run_id: 'r-slack',
      provider: 'slack',
      ...extra,
    });
    server.push(slackFrame({ throttled_for_secs: 60, done_in_secs: 12 * 60 }));
    await waitFor(() => expect(within(slack).getAllByRole('status')[0]).toHaveTextContent('Throttled by Slack'));
    expect(within(slack).getByText(/^Slack is limiting how fast we can read/)).toHaveTextContent(
      /^Slack is limiting how fast we can read; about 12\s+min left\.$/,
    );
    expect(within(slack).getByText(/The next read is in about (59|60) seconds/)).toBeInTheDocument();

    server.push(slackFrame({ records: 41, throttled_for_secs: 60, done_in_secs: null }));
    expect(await within(slack).findByText('Waiting for Slack’s rate limit.')).toBeInTheDocument();
    expect(within(slack).queryByText(/min left/)).not.toBeInTheDocument();

    // Reading again: no longer throttled.
    server.push(slackFrame({ records: 90 }));
    await waitFor(() => expect(within(slack).getAllByRole('status')[0]).toHaveTextContent('Syncing'));
    expect(within(slack).queryByText(/rate limit/)).not.toBeInTheDocument();
  });

  it('shares my calendar with the team, showing what the server answered', async () => {
    let shared = false;
    let fail = false;
    const { api } = sourcesApp('member', {
      'GET /api/auth/available-integrations': available(true, { google_calendar: true }),
      'GET /api/auth/integrations': () => [integration('hubspot'), integration('google_calendar', { shared })],
      'PUT /api/auth/integrations/:provider/sharing': ({ body }: { body: unknown }) => {
        if (fail) return apiError(404, 'not_found', 'no google_calendar connection');
        shared = (body as { shared: boolean }).shared;
        return integration('google_calendar', { shared });
      },
    });
    const user = userEvent.setup();
    const calendar = await card('Google Calendar');
    const toggle = await within(calendar).findByRole('switch', { name: 'Share my calendar with my team' });
    expect(toggle).not.toBeChecked();
    expect(toggle).toHaveAccessibleDescription(/^Private events stay private\. For now, only you see/);
    await expectAccessible();

    await user.click(toggle);
    await waitFor(() => expect(api.callsTo('PUT', '/api/auth/integrations/google_calendar/sharing')).toHaveLength(1));
    expect(api.callsTo('PUT', '/api/auth/integrations/google_calendar/sharing')[0]!.body).toEqual({ shared: true });
    await waitFor(() => expect(toggle).toBeChecked());
    expect(toggle).toHaveAccessibleDescription(/Colleagues see your other meetings/);

    // Keyboard, and a refusal: the switch stays where the server has it.
    fail = true;
    toggle.focus();
    await user.keyboard(' ');
    expect(await within(calendar).findByRole('alert')).toHaveTextContent('Your calendar is no longer connected.');
    expect(api.callsTo('PUT', '/api/auth/integrations/google_calendar/sharing')[1]!.body).toEqual({ shared: false });
    expect(toggle).toBeChecked();
    // Organization sources have no such choice.
    expect(within(await card('HubSpot')).queryByRole('switch')).not.toBeInTheDocument();
  });

  it('follows my own calendar sync, not a colleague’s', async () => {
    const mine = run('r-mine', { provider: 'google_calendar', status: 'running', counts: {}, progress: {}, finished_at: null });
    let started = false;
    const { server, api } = sourcesApp('member', {
      'GET /api/auth/available-integrations': available(true, { google_calendar: true }),
      'GET /api/auth/integrations': [integration('google_calendar')],
      'GET /api/sync/runs': () => (started ? [mine] : []),
      'GET /api/sync/:org/:provider/status': ({ params }: { params: Record<string, string> }) =>
        status({ provider: params.provider, current: started && params.provider === 'google_calendar' ? mine : null }),
      'POST /api/sync/:org/:provider': () => {
        started = true;
        return json({ created: true, run: mine }, 202);
      },
    });
    const calendar = await card('Google Calendar');
    await waitFor(() => expect(server.sockets.length).toBeGreaterThan(0));
    const calendarFrame = (runId: string, records: number, status: string | null = null): SyncProgressFrame => ({
      ...frame(records, 'events', status),
      run_id: runId,
      provider: 'google_calendar',
    });

    // A colleague's calendar run: the lists are asked, it is not shown, its end is not announced.
    const runsCalls = api.callsTo('GET', '/api/sync/runs').length;
    server.push(calendarFrame('r-colleague', 30));
    expect(within(calendar).queryByRole('progressbar')).not.toBeInTheDocument();
    await waitFor(() => expect(api.callsTo('GET', '/api/sync/runs').length).toBeGreaterThan(runsCalls));
    server.push(calendarFrame('r-colleague', 40));
    expect(within(calendar).queryByRole('progressbar')).not.toBeInTheDocument();
    server.push(calendarFrame('r-colleague', 50, 'succeeded'));
    await act(() => new Promise((resolve) => setTimeout(resolve, 300)));
    expect(screen.queryByText(/Google Calendar is up to date/)).not.toBeInTheDocument();

    // Mine, started here.
    await userEvent.setup().click(within(calendar).getByRole('button', { name: 'Sync now' }));
    await waitFor(() => expect(api.callsTo('POST', '/api/sync/o1/google_calendar')).toHaveLength(1));
    expect(await within(calendar).findByRole('progressbar', { name: 'Google Calendar sync progress' })).toBeInTheDocument();
    server.push(calendarFrame('r-mine', 12));
    await waitFor(() => expect(within(calendar).getByText('Syncing events…')).toBeInTheDocument());
  });
});
