import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import { expectAccessible } from '../../../test/axe';
import { chatApp, conversation, detail } from '../../../test/chatHarness';
import type { HandlerContext } from '../../../test/mockApi';
import { renderApp } from '../../../test/render';

const LIST = [conversation('c2', 'Pipeline review', '2026-01-03T00:00:00Z'), conversation('c1', null, '2026-01-02T00:00:00Z')];

const nav = () => screen.findByRole('navigation', { name: 'Conversations' }, { timeout: 5000 });

function withList(extra: Record<string, unknown> = {}) {
  let list = [...LIST];
  const env = chatApp({
    'GET /api/chat/conversations': ({ url }: HandlerContext) => {
      const q = url.searchParams.get('q')?.toLowerCase();
      return q ? list.filter((c) => c.title?.toLowerCase().includes(q)) : list;
    },
    'GET /api/chat/conversations/:id': ({ params }: HandlerContext) => detail(params.id!, 'Pipeline review', []),
    'PATCH /api/chat/conversations/:id': ({ params, body }: HandlerContext) => {
      const title = (body as { title: string }).title;
      list = list.map((c) => (c.id === params.id ? { ...c, title } : c));
      return list.find((c) => c.id === params.id);
    },
    'DELETE /api/chat/conversations/:id': ({ params }: HandlerContext) => {
      list = list.filter((c) => c.id !== params.id);
      return undefined;
    },
    ...extra,
  });
  return env;
}

describe('conversation list', () => {
  it('lists conversations most recent first, one link each, and marks the open one', async () => {
    withList();
    renderApp('/chat/c2');
    const list = await nav();
    await waitFor(() => expect(within(list).getAllByRole('link').map((a) => a.textContent)).toEqual(['Pipeline review', 'Untitled conversation']));
    expect(within(list).getByRole('link', { name: 'Pipeline review' })).toHaveAttribute('href', '/chat/c2');
    expect(within(list).getByRole('link', { name: 'Pipeline review' })).toHaveAttribute('aria-current', 'page');
    expect(within(list).getByRole('button', { name: 'Rename Pipeline review' })).toBeInTheDocument();
    expect(within(list).getByRole('button', { name: 'Delete Untitled conversation' })).toBeInTheDocument();
    await expectAccessible();
  });

  it('has an empty state, and New conversation opens an empty chat', async () => {
    chatApp({ 'GET /api/chat/conversations/:id': detail('c1', 'Old', []) });
    const { router } = renderApp('/chat/c1');
    const list = await nav();
    expect(await within(list).findByText('No conversations yet')).toBeInTheDocument();
    await userEvent.setup().click(within(list).getByRole('button', { name: 'New conversation' }));
    await waitFor(() => expect(router.state.location.pathname).toBe('/chat'));
    expect(await screen.findByRole('heading', { name: 'Ask about your revenue' })).toBeInTheDocument();
  });

  it('searches by title once typing pauses', async () => {
    const { api } = withList();
    renderApp('/chat');
    const list = await nav();
    await within(list).findByRole('link', { name: 'Pipeline review' });
    const user = userEvent.setup();
    await user.type(within(list).getByRole('searchbox', { name: 'Search conversations' }), 'pipe');
    await waitFor(() => expect(within(list).getAllByRole('link')).toHaveLength(1));
    const searches = api.callsTo('GET', '/api/chat/conversations').map((c) => c.search);
    expect(searches).toEqual(['', '?q=pipe']);

    await user.clear(within(list).getByRole('searchbox', { name: 'Search conversations' }));
    await user.type(within(list).getByRole('searchbox', { name: 'Search conversations' }), 'zzz');
    expect(await within(list).findByText('No conversations match “zzz”.')).toBeInTheDocument();
  });

  it('renames inline: Enter saves, Esc cancels', async () => {
    const { api } = withList();
    renderApp('/chat');
    const list = await nav();
    const user = userEvent.setup();
    await user.click(await within(list).findByRole('button', { name: 'Rename Pipeline review' }));
    const field = within(list).getByRole('textbox', { name: 'Conversation title' });
    expect(field).toHaveFocus();
    expect(field).toHaveValue('Pipeline review');
    await user.keyboard('Q3 forecast{Escape}');
    expect(within(list).queryByRole('textbox')).not.toBeInTheDocument();
    expect(api.callsTo('PATCH', '/api/chat/conversations/c2')).toHaveLength(0);
    expect(within(list).getByRole('button', { name: 'Rename Pipeline review' })).toHaveFocus();

    await user.keyboard('{Enter}');
    await user.clear(within(list).getByRole('textbox', { name: 'Conversation title' }));
    await user.keyboard('Q3 forecast{Enter}');
    await within(list).findByRole('link', { name: 'Q3 forecast' });
    expect(api.callsTo('PATCH', '/api/chat/conversations/c2').map((c) => c.body)).toEqual([{ title: 'Q3 forecast' }]);
  });

  it('deletes after asking, and leaves a conversation that is gone', async () => {
    const { api } = withList();
    const { router } = renderApp('/chat/c2');
    const list = await nav();
    const user = userEvent.setup();
    await user.click(await within(list).findByRole('button', { name: 'Delete Pipeline review' }));
    const dialog = screen.getByRole('dialog', { name: 'Delete conversation' });
    expect(dialog).toHaveTextContent('“Pipeline review” and its answers will be removed for good.');
    await expectAccessible();

    await user.click(within(dialog).getByRole('button', { name: 'Cancel' }));
    expect(api.callsTo('DELETE', '/api/chat/conversations/c2')).toHaveLength(0);

    await user.click(within(list).getByRole('button', { name: 'Delete Pipeline review' }));
    await user.click(within(screen.getByRole('dialog', { name: 'Delete conversation' })).getByRole('button', { name: 'Delete' }));
    await waitFor(() => expect(router.state.location.pathname).toBe('/chat'));
    expect(api.callsTo('DELETE', '/api/chat/conversations/c2')).toHaveLength(1);
    expect(await screen.findByText('Conversation deleted')).toBeInTheDocument();
    await waitFor(() => expect(within(list).getAllByRole('link').map((a) => a.textContent)).toEqual(['Untitled conversation']));
  });

  it('is a drawer on a phone', async () => {
    withList();
    renderApp('/chat/c2');
    const user = userEvent.setup();
    await user.click(await screen.findByRole('button', { name: 'Show conversations' }, { timeout: 5000 }));
    const drawer = await screen.findByRole('dialog', { name: 'Conversation list' });
    const links = await within(drawer).findAllByRole('link');
    await user.click(links[1]!);
    await waitFor(() => expect(screen.queryByRole('dialog', { name: 'Conversation list' })).not.toBeInTheDocument());
  });
});
