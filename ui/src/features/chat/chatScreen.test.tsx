import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import { expectAccessible } from '../../test/axe';
import { chatApp, created, detail, message, requestError, runOf } from '../../test/chatHarness';
import type { HandlerContext } from '../../test/mockApi';
import { READY } from '../../test/fakeChatServer';
import { CONFIG, renderApp } from '../../test/render';

// The first render waits for the lazy chat chunk to be transformed.
const box = () => screen.findByRole('textbox', { name: 'Ask a question' }, { timeout: 5000 });
const answers = () => screen.queryAllByTestId('answer');

describe('asking a question', () => {
  it('Enter sends, the new conversation gets its address, the answer streams as Markdown', async () => {
    const { server, api } = chatApp({
      'GET /api/chat/conversations/:id': ({ call }: HandlerContext) =>
        detail('c9', 'Deals', [
          message('q1', 'user', [{ type: 'text', text: 'How many deals?' }]),
          ...(call > 1 ? [message('a1', 'assistant', [{ type: 'text', text: 'You have **42** deals.' }])] : []),
        ]),
    });
    const { router } = renderApp('/chat');
    const user = userEvent.setup();
    await user.type(await box(), 'How many deals?{Enter}');

    expect(server.sent('send_message')).toEqual([
      { type: 'send_message', conversation_id: null, text: 'How many deals?', time_zone: 'Europe/Paris', client_message_id: 'cm-1' },
    ]);
    expect(await box()).toHaveValue('');
    expect(screen.getByRole('list', { name: 'Conversation' })).toHaveTextContent('How many deals?');

    server.push(created('c9', 'cm-1', 'Deals'));
    await waitFor(() => expect(router.state.location.pathname).toBe('/chat/c9'));
    expect(router.state.historyAction).toBe('REPLACE');

    const run = runOf('c9', 'r1');
    server.push(run.started('How many deals?', 'q1', 'cm-1'), run.text('You have **4'));
    const answer = await screen.findByTestId('answer');
    expect(answer).toHaveAttribute('data-streaming', 'true');
    // Half-received Markdown is repaired, not shown raw.
    expect(within(answer).getByTestId('answer-text').querySelector('strong')).toHaveTextContent('4');
    expect(screen.getByRole('button', { name: 'Stop' })).toBeInTheDocument();
    expect(screen.queryByRole('button', { name: 'Send' })).not.toBeInTheDocument();
    await expectAccessible();

    server.push(run.text('2** deals.'), run.complete());
    await waitFor(() => expect(answer).toHaveAttribute('data-streaming', 'false'));
    expect(within(answer).getByTestId('answer-text')).toHaveTextContent('You have 42 deals.');
    // History is fetched again once the run ended, and takes over without a change.
    await waitFor(() => expect(api.callsTo('GET', '/api/chat/conversations/c9')).toHaveLength(2));
    expect(answers()).toHaveLength(1);
    expect(screen.getAllByText('How many deals?')).toHaveLength(1);
    expect(screen.getByRole('button', { name: 'Send' })).toBeInTheDocument();
  });

  it('Shift+Enter starts a new line instead of sending; the draft is kept per conversation', async () => {
    const { server } = chatApp();
    renderApp('/chat');
    const user = userEvent.setup();
    await user.type(await box(), 'Pipeline{Shift>}{Enter}{/Shift}by rep');
    expect(await box()).toHaveValue('Pipeline\nby rep');
    expect(server.sent('send_message')).toEqual([]);
    expect(JSON.parse(localStorage.getItem('revtops.drafts')!).state.drafts).toEqual({ new: 'Pipeline\nby rep' });
    await user.click(screen.getByRole('button', { name: 'Send' }));
    expect(server.sent('send_message')[0]).toMatchObject({ text: 'Pipeline\nby rep' });
  });

  it('a suggestion asks itself', async () => {
    const { server } = chatApp();
    renderApp('/chat');
    await userEvent.setup().click(await screen.findByRole('button', { name: 'Which deals slipped this quarter?' }));
    expect(server.sent('send_message')[0]).toMatchObject({ text: 'Which deals slipped this quarter?', conversation_id: null });
    expect(await box()).toHaveFocus();
  });
});

function runningConversation() {
  const env = chatApp({
    'GET /api/chat/conversations/:id': detail('c1', 'Pipeline', [message('q1', 'user', [{ type: 'text', text: 'Pipeline?' }])]),
  });
  const run = runOf('c1', 'r1');
  return { ...env, run };
}

describe('stopping and retrying', () => {
  it('Stop and Esc cancel the streaming answer', async () => {
    const { server, run } = runningConversation();
    renderApp('/chat/c1');
    await screen.findByText('Pipeline?');
    server.push(run.started('Pipeline?', 'q1'), run.text('Looking'));
    const user = userEvent.setup();
    await user.click(await screen.findByRole('button', { name: 'Stop' }));
    expect(server.sent('cancel')).toEqual([{ type: 'cancel', conversation_id: 'c1' }]);
    await user.click(await box());
    await user.keyboard('{Escape}');
    expect(server.sent('cancel')).toHaveLength(2);

    server.push(run.complete('cancelled'));
    expect(await screen.findByText('Stopped before the answer was finished.')).toBeInTheDocument();
    expect(screen.getByRole('button', { name: 'Send' })).toBeInTheDocument();
  });

  it('a retryable run error offers Retry, which asks the server to run it again', async () => {
    const { server, run } = runningConversation();
    renderApp('/chat/c1');
    await screen.findByText('Pipeline?');
    server.push(run.started('Pipeline?', 'q1'), run.error('model_unavailable', 'The model is overloaded', true), run.complete('error'));
    const alert = await screen.findByRole('alert');
    expect(alert).toHaveTextContent('The AI model is busy right now. Try again in a moment.');
    const user = userEvent.setup();
    await user.click(within(alert).getByRole('button', { name: 'Retry' }));
    expect(server.sent('retry')).toEqual([{ type: 'retry', conversation_id: 'c1' }]);
    // A second click does not ask twice.
    expect(within(alert).getByRole('button', { name: 'Retry' })).toBeDisabled();

    const again = runOf('c1', 'r2');
    server.push(again.started(null, null), again.text('Here it is.'), again.complete());
    await waitFor(() => expect(screen.queryByRole('alert')).not.toBeInTheDocument());
    expect(screen.getAllByTestId('answer')).toHaveLength(1);
    expect(screen.getByTestId('answer-text')).toHaveTextContent('Here it is.');
    expect(screen.getAllByText('Pipeline?')).toHaveLength(1);
    await expectAccessible();
  });

  it('a question refused before its run (rate limited) is sent again by Retry, as a new message', async () => {
    const { server } = chatApp({
      'GET /api/chat/conversations/:id': detail('c1', 'Pipeline', []),
    });
    renderApp('/chat/c1');
    const user = userEvent.setup();
    await user.type(await box(), 'Win rate?{Enter}');
    server.push(requestError('c1', 'cm-1', 'rate_limited', 'retry in 30s', true));
    const alert = await screen.findByRole('alert');
    expect(alert).toHaveTextContent("Not sent. You're going a bit fast.");
    await user.click(within(alert).getByRole('button', { name: 'Retry' }));
    expect(server.sent('send_message').map((f) => [f.text, f.client_message_id, f.conversation_id])).toEqual([
      ['Win rate?', 'cm-1', 'c1'],
      ['Win rate?', 'cm-2', 'c1'],
    ]);
    expect(screen.queryByRole('alert')).not.toBeInTheDocument();
    expect(screen.getAllByText('Win rate?')).toHaveLength(1);
  });

  it('a refused question that cannot be retried goes back into the composer with Edit question', async () => {
    const { server } = chatApp({ 'GET /api/chat/conversations/:id': detail('c1', 'Pipeline', []) });
    renderApp('/chat/c1');
    const user = userEvent.setup();
    await user.type(await box(), 'Deals?{Enter}');
    server.push(requestError('c1', 'cm-1', 'invalid_message', 'the question is empty', false));
    const alert = await screen.findByRole('alert');
    expect(alert).toHaveTextContent("Not sent. That question can't be sent as it is.");
    expect(within(alert).queryByRole('button', { name: 'Retry' })).not.toBeInTheDocument();
    await user.click(within(alert).getByRole('button', { name: 'Edit question' }));
    expect(await box()).toHaveValue('Deals?');
    expect(await box()).toHaveFocus();
    expect(screen.queryByRole('alert')).not.toBeInTheDocument();
  });

  it('a non-retryable error says what to do, without Retry', async () => {
    const { server, run } = runningConversation();
    renderApp('/chat/c1');
    await screen.findByText('Pipeline?');
    server.push(run.started('Pipeline?', 'q1'), run.error('no_model_configured', 'No language model is configured.', false), run.complete('error'));
    const alert = await screen.findByRole('alert');
    expect(alert).toHaveTextContent('Ask your administrator to set ANTHROPIC_API_KEY');
    expect(within(alert).queryByRole('button', { name: 'Retry' })).not.toBeInTheDocument();
  });
});

describe('connection and configuration', () => {
  it('a message sent while offline shows as Sending… and goes out on reconnect', async () => {
    const { server } = chatApp({}, { online: false });
    renderApp('/chat');
    const user = userEvent.setup();
    await user.type(await box(), 'Top accounts?{Enter}');
    expect(screen.getByText('Sending…')).toBeInTheDocument();
    expect(server.sent('send_message')).toEqual([]);
    expect(await screen.findByText(/Reconnecting…/, {}, { timeout: 3000 })).toBeInTheDocument();

    server.push(READY);
    expect(server.sent('send_message')).toMatchObject([{ text: 'Top accounts?', client_message_id: 'cm-1' }]);
    await waitFor(() => expect(screen.queryByText(/Reconnecting…/)).not.toBeInTheDocument());
  });

  it('says chat is not configured instead of failing on send', async () => {
    chatApp({ 'GET /api/config': { ...CONFIG, features: { ...CONFIG.features, chat: false } } });
    renderApp('/chat');
    await waitFor(async () => expect(await box()).toBeDisabled());
    expect(screen.getByText(/Chat is not configured on this server/)).toBeInTheDocument();
    expect(screen.getByRole('button', { name: 'Send' })).toBeDisabled();
    expect(screen.getByRole('button', { name: 'Show pipeline by stage' })).toBeDisabled();
  });
});

describe('answer Markdown', () => {
  it('renders GFM tables and safe links, never raw HTML or javascript: links', async () => {
    const text = [
      '| Stage | Deals |',
      '| --- | --- |',
      '| Won | 3 |',
      '',
      '[report](https://example.com/r) [bad](javascript:alert(1)) <img src=x onerror="alert(1)">',
    ].join('\n');
    chatApp({
      'GET /api/chat/conversations/:id': detail('c1', 'T', [
        message('q1', 'user', [{ type: 'text', text: 'Q' }]),
        message('a1', 'assistant', [{ type: 'text', text }]),
      ]),
    });
    renderApp('/chat/c1');
    const body = await screen.findByTestId('answer-text');
    expect(within(body).getByRole('table')).toHaveTextContent('Won3');
    const link = within(body).getByRole('link', { name: 'report' });
    expect(link).toHaveAttribute('rel', 'noopener noreferrer');
    expect(link).toHaveAttribute('target', '_blank');
    expect(within(body).queryByRole('link', { name: 'bad' })).not.toBeInTheDocument();
    expect(body.querySelector('img')).toBeNull();
    expect(body.innerHTML).not.toContain('javascript:');
  });
});
