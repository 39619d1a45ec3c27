import { screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import { expectAccessible } from '../../test/axe';
import { apiError, json, mockApi } from '../../test/mockApi';
import { CONFIG, EMPTY_WORKSPACE, ORG, USER, renderApp, signedIn } from '../../test/render';

const job = (status: 'running' | 'succeeded' | 'failed', steps_done: number, extra: Record<string, unknown> = {}) => ({
  status,
  step: status === 'running' ? 'deals' : null,
  steps_done,
  steps_total: 4,
  started_at: '2026-01-01T00:00:00Z',
  finished_at: status === 'running' ? null : '2026-01-01T00:01:00Z',
  error: null,
  counts: null,
  ...extra,
});

function workspaceApi(role: 'admin' | 'member', extra: Record<string, unknown> = {}) {
  return mockApi({
    'GET /api/config': CONFIG,
    'GET /api/auth/me': { user: { ...USER, role }, organization: ORG },
    'GET /api/workspace': EMPTY_WORKSPACE,
    ...extra,
  });
}

describe('empty workspace', () => {
  it('an admin loads demo data in one click, sees progress, then lands in chat with suggestions', async () => {
    signedIn();
    let polls = 0;
    const api = workspaceApi('admin', {
      'GET /api/workspace': () => {
        if (api.callsTo('POST', '/api/workspace/demo').length === 0) return EMPTY_WORKSPACE;
        polls += 1;
        return polls === 1
          ? { ...EMPTY_WORKSPACE, demo: job('running', 2) }
          : { ...EMPTY_WORKSPACE, counts: { ...EMPTY_WORKSPACE.counts, deals: 300 }, demo_loaded: true, demo: job('succeeded', 4) };
      },
      'POST /api/workspace/demo': json(job('running', 1), 202),
    });
    renderApp('/chat');
    // The first render waits for the lazy chat chunk to be transformed.
    const load = await screen.findByRole('button', { name: 'Load demo data' }, { timeout: 5000 });
    expect(screen.getByRole('link', { name: 'See data sources' })).toHaveAttribute('href', '/sources');
    await expectAccessible();

    await userEvent.setup().click(load);
    const progress = await screen.findByRole('progressbar', { name: 'Loading demo data' });
    expect(progress).toBeInTheDocument();
    expect(api.callsTo('POST', '/api/workspace/demo')).toHaveLength(1);
    await waitFor(() => expect(screen.getByText('2 of 4 steps')).toBeInTheDocument());

    // Polled every second until the load finished.
    expect(await screen.findByRole('list', { name: 'Suggested questions' }, { timeout: 4000 })).toBeInTheDocument();
    expect(await screen.findByText('Demo data is ready. Ask your first question.')).toBeInTheDocument();
  });

  it('a suggestion asks itself', async () => {
    signedIn();
    workspaceApi('admin', { 'GET /api/workspace': { ...EMPTY_WORKSPACE, demo_loaded: true } });
    renderApp('/chat');
    const chip = await screen.findByRole('button', { name: 'Show pipeline by stage' });
    await userEvent.setup().click(chip);
    expect(await screen.findByRole('list', { name: 'Conversation' })).toHaveTextContent('Show pipeline by stage');
  });

  it('a member is asked to find an admin', async () => {
    signedIn();
    workspaceApi('member');
    renderApp('/chat');
    expect(await screen.findByText('Ask an administrator of your organization to load it.')).toBeInTheDocument();
    expect(screen.queryByRole('button', { name: 'Load demo data' })).not.toBeInTheDocument();
  });

  it('explains a refused load', async () => {
    signedIn();
    workspaceApi('admin', {
      'POST /api/workspace/demo': apiError(409, 'conflict', 'this organization already has synced data'),
    });
    renderApp('/chat');
    await userEvent.setup().click(await screen.findByRole('button', { name: 'Load demo data' }));
    const alert = await screen.findByRole('alert');
    expect(alert).toHaveTextContent('Demo data cannot be loaded now.');
    expect(alert).toHaveTextContent('This organization already has synced data.');
  });

  it('a failed load says why and can be tried again', async () => {
    signedIn();
    workspaceApi('admin', {
      'GET /api/workspace': { ...EMPTY_WORKSPACE, demo: job('failed', 2, { error: 'the database is full' }) },
    });
    renderApp('/chat');
    expect(await screen.findByText('Loading demo data failed.')).toBeInTheDocument();
    expect(screen.getByText('the database is full')).toBeInTheDocument();
    expect(screen.getByRole('button', { name: 'Try loading demo data again' })).toBeInTheDocument();
  });

  it('hides demo data when the server turns it off', async () => {
    signedIn();
    workspaceApi('admin', { 'GET /api/config': { ...CONFIG, features: { ...CONFIG.features, demo_data: false } } });
    renderApp('/chat');
    expect(await screen.findByRole('heading', { name: 'Connect a data source' })).toBeInTheDocument();
    expect(screen.queryByRole('button', { name: 'Load demo data' })).not.toBeInTheDocument();
  });
});

