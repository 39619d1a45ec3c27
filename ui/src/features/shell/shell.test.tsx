import { fireEvent, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it, vi } from 'vitest';
import { expectAccessible } from '../../test/axe';
import { mockApi } from '../../test/mockApi';
import { CONFIG, ORG, USER, WORKSPACE_WITH_DATA, renderApp, signedIn } from '../../test/render';
import RouteErrorPage from './RouteErrorPage';

function app(extra: Record<string, unknown> = {}) {
  signedIn();
  return mockApi({
    'GET /api/config': CONFIG,
    'GET /api/auth/me': { user: USER, organization: ORG },
    'GET /api/workspace': WORKSPACE_WITH_DATA,
    'GET /api/auth/available-integrations': [],
    ...extra,
  });
}

describe('app shell', () => {
  it('has only the pages that exist, and opens the chat at /', async () => {
    app();
    const { router } = renderApp('/');
    await waitFor(() => expect(router.state.location.pathname).toBe('/chat'));
    const nav = (await screen.findAllByRole('navigation', { name: 'Main' }))[0]!;
    expect(within(nav).getAllByRole('link').map((a) => a.textContent)).toEqual(['Chat', 'Dashboards', 'SQL explorer', 'Data sources', 'Team']);
    await waitFor(() => expect(within(nav).getByRole('link', { name: 'Chat' })).toHaveAttribute('aria-current', 'page'));
    await screen.findByRole('heading', { name: 'Ask about your revenue' });
    await expectAccessible();
  });

  it('the user menu shows who is signed in and works with the keyboard', async () => {
    app();
    renderApp('/chat');
    const button = await screen.findByRole('button', { name: /Jane Doe/ });
    expect(button).toHaveAttribute('aria-haspopup', 'menu');
    expect(button).toHaveAttribute('aria-expanded', 'false');

    const user = userEvent.setup();
    button.focus();
    await user.keyboard('{Enter}');
    const menu = screen.getByRole('menu');
    expect(button).toHaveAttribute('aria-expanded', 'true');
    expect(screen.getByText('jane@acme.com')).toBeInTheDocument();
    expect(screen.getByText('Acme · Administrator')).toBeInTheDocument();
    expect(within(menu).getAllByRole('menuitem').map((item) => item.textContent)).toEqual(['Your profile', 'Sign out']);
    expect(within(menu).getByRole('menuitem', { name: 'Your profile' })).toHaveFocus();
    await user.keyboard('{ArrowDown}');
    expect(within(menu).getByRole('menuitem', { name: 'Sign out' })).toHaveFocus();
    await user.keyboard('{ArrowDown}');
    expect(within(menu).getByRole('menuitem', { name: 'Your profile' })).toHaveFocus();
    await expectAccessible();

    await user.keyboard('{Escape}');
    expect(screen.queryByRole('menu')).not.toBeInTheDocument();
    expect(button).toHaveFocus();

    await user.keyboard('{ArrowDown}');
    expect(screen.getByRole('menuitem', { name: 'Your profile' })).toHaveFocus();
    await user.click(document.body);
    expect(screen.queryByRole('menu')).not.toBeInTheDocument();
  });

  it('the user menu opens the profile page', async () => {
    app();
    const { router } = renderApp('/chat');
    const user = userEvent.setup();
    await user.click(await screen.findByRole('button', { name: /Jane Doe/ }));
    await user.keyboard('{Enter}');
    await waitFor(() => expect(router.state.location.pathname).toBe('/profile'));
    expect(await screen.findByRole('heading', { name: 'Your profile', level: 1 })).toBeInTheDocument();
    expect(screen.queryByRole('menu')).not.toBeInTheDocument();
  });

  it('on a phone, the sidebar is a drawer', async () => {
    app();
    renderApp('/chat');
    const open = await screen.findByRole('button', { name: 'Open navigation' });
    const user = userEvent.setup();
    await user.click(open);
    const drawer = await screen.findByRole('dialog', { name: 'Navigation' });
    expect(within(drawer).getByRole('link', { name: 'Data sources' })).toBeInTheDocument();
    await user.click(within(drawer).getByRole('link', { name: 'Data sources' }));
    await screen.findByRole('heading', { name: 'Data sources' });
    await waitFor(() => expect(screen.queryByRole('dialog', { name: 'Navigation' })).not.toBeInTheDocument());
  });

  it('the sidebar collapses on a desktop and remembers it', async () => {
    app();
    renderApp('/chat');
    await userEvent.setup().click(await screen.findByRole('button', { name: 'Collapse sidebar' }));
    expect(screen.getByRole('button', { name: 'Expand sidebar' })).toBeInTheDocument();
    expect(JSON.parse(localStorage.getItem('revtops.ui')!).state.sidebarCollapsed).toBe(true);
  });

  it('an unknown address shows a friendly 404', async () => {
    app();
    renderApp('/no-such-page');
    expect(await screen.findByRole('heading', { name: 'There is nothing at this address' })).toBeInTheDocument();
    expect(screen.getByRole('link', { name: 'Go to chat' })).toHaveAttribute('href', '/chat');
    await expectAccessible();
  });

  it('a page that crashes shows a friendly message, not a blank screen', async () => {
    vi.spyOn(console, 'error').mockImplementation(() => {});
    function Broken(): never {
      throw new Error('kaboom');
    }
    renderApp('/', [{ path: '/', element: <Broken />, errorElement: <RouteErrorPage /> }]);
    expect(await screen.findByRole('heading', { name: 'Something went wrong on this page' })).toBeInTheDocument();
    expect(screen.getByRole('button', { name: 'Reload the page' })).toBeInTheDocument();
    expect(screen.getByText('kaboom')).toBeInTheDocument();
  });

  it('the sidebar shows the organization’s logo and the user’s picture, or the Revtops mark and initials', async () => {
    app({
      'GET /api/auth/me': {
        user: { ...USER, avatar_url: '/api/images/av-1' },
        organization: { ...ORG, logo_url: '/api/images/logo-1' },
      },
    });
    renderApp('/chat');
    const sidebar = await screen.findByRole('complementary', { name: 'Sidebar' });
    const logo = await within(sidebar).findByRole('img', { name: 'Acme logo' });
    expect(logo).toHaveAttribute('src', '/api/images/logo-1');
    expect(within(sidebar).getByText('Revtops')).toBeInTheDocument();
    const picture = within(sidebar).getByRole('button', { name: /Jane Doe/ }).querySelector('img');
    expect(picture).toHaveAttribute('src', '/api/images/av-1');
    await expectAccessible();

    // An image that does not load gives way to the mark and the initials.
    fireEvent.error(logo);
    fireEvent.error(picture!);
    expect(within(sidebar).queryByRole('img', { name: 'Acme logo' })).not.toBeInTheDocument();
    expect(within(sidebar).getByRole('button', { name: /Jane Doe/ })).toHaveTextContent('JD');
  });

  it('while the user loads, a skeleton is shown', async () => {
    app({ 'GET /api/auth/me': () => new Promise(() => {}) });
    renderApp('/chat');
    expect(await screen.findByText('Loading Revtops…')).toBeInTheDocument();
  });
});

describe('chat inside the shell', () => {
  it('renders a stored conversation through the chat reducer', async () => {
    app({
      'GET /api/chat/conversations/:id': {
        conversation: { id: 'c1', title: 'Pipeline review', created_at: '2026-01-01T00:00:00Z', updated_at: '2026-01-01T00:00:00Z' },
        messages: [
          { id: 'q1', role: 'user', created_at: '2026-01-01T00:00:00Z', content: [{ type: 'text', text: 'How many open deals?' }] },
          {
            id: 'a1',
            role: 'assistant',
            created_at: '2026-01-01T00:00:01Z',
            content: [{ type: 'tool_use', id: 't1', name: 'run_sql_query', input: { sql: 'SELECT count(*) FROM deals' } }],
          },
          {
            id: 'u1',
            role: 'user',
            created_at: '2026-01-01T00:00:02Z',
            content: [{ type: 'tool_result', tool_use_id: 't1', content: '{"columns":["count"],"rows":[["42"]],"row_count":1}', is_error: false }],
          },
          { id: 'a2', role: 'assistant', created_at: '2026-01-01T00:00:03Z', content: [{ type: 'text', text: 'You have 42 open deals.' }] },
        ],
      },
    });
    renderApp('/chat/c1');
    expect(await screen.findByRole('heading', { name: 'Pipeline review' })).toBeInTheDocument();
    const transcript = screen.getByRole('list', { name: 'Conversation' });
    expect(transcript).toHaveTextContent('How many open deals?');
    expect(transcript).toHaveTextContent('deals · 1 row');
    expect(transcript).toHaveTextContent('You have 42 open deals.');
    await expectAccessible();
  });

  it('keeps a draft per conversation', async () => {
    app({ 'GET /api/chat/conversations/:id': { conversation: { id: 'c1', title: 'T', created_at: '', updated_at: '' }, messages: [] } });
    renderApp('/chat/c1');
    const box = await screen.findByLabelText('Ask a question');
    await userEvent.setup().type(box, 'And by rep?');
    expect(JSON.parse(localStorage.getItem('revtops.drafts')!).state.drafts).toEqual({ c1: 'And by rep?' });
  });
});
