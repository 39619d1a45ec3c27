import { screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it, vi } from 'vitest';
import { expectAccessible } from '../../test/axe';
import { apiError, json, mockApi } from '../../test/mockApi';
import { CONFIG, ORG, USER, WORKSPACE_WITH_DATA, renderApp, signedIn } from '../../test/render';
import { useDrafts } from '../chat/draftsStore';
import { useSession } from './sessionStore';

vi.mock('./supabase', () => ({
  startGoogleSignIn: vi.fn(() => Promise.resolve()),
  finishSignIn: vi.fn(() => Promise.resolve({ accessToken: 'sb-token', expiresAt: Date.now() + 3_600_000 })),
  watchTokens: vi.fn(() => () => {}),
  signOutOfSupabase: vi.fn(() => Promise.resolve()),
}));

const SESSION = { token: 'tok-new', token_type: 'Bearer', expires_at: '2099-01-01T00:00:00Z', user: USER };

function signedInApp(extra: Record<string, unknown> = {}) {
  return mockApi({
    'GET /api/config': CONFIG,
    'GET /api/auth/me': { user: USER, organization: ORG },
    'GET /api/workspace': WORKSPACE_WITH_DATA,
    ...extra,
  });
}

describe('sign in (local mode)', () => {
  it('sends a signed-out visitor to sign in, then back where they were going', async () => {
    const api = signedInApp({ 'POST /api/auth/login': SESSION });
    const { router } = renderApp('/sources');
    // The first render waits for the lazy sign-in chunk, slow when the whole suite runs at once.
    expect(await screen.findByRole('heading', { name: 'Sign in to Revtops' }, { timeout: 5000 })).toBeInTheDocument();
    expect(router.state.location.pathname).toBe('/sign-in');
    await expectAccessible();

    const user = userEvent.setup();
    // The form follows the heading once the runtime config is in.
    await user.type(await screen.findByLabelText('Work email'), 'jane@acme.com');
    await user.type(screen.getByLabelText('Password'), 'correct horse battery');
    await user.click(screen.getByRole('button', { name: 'Sign in' }));

    await waitFor(() => expect(router.state.location.pathname).toBe('/sources'));
    expect(api.callsTo('POST', '/api/auth/login')[0]!.body).toEqual({ email: 'jane@acme.com', password: 'correct horse battery' });
    expect(useSession.getState().token).toBe('tok-new');
    // Persisted, so it survives a reload.
    expect(JSON.parse(localStorage.getItem('revtops.session')!).state.token).toBe('tok-new');
    await waitFor(() => expect(api.callsTo('GET', '/api/auth/me')[0]?.authorization).toBe('Bearer tok-new'));
  });

  it('explains a wrong password in plain words', async () => {
    mockApi({
      'GET /api/config': CONFIG,
      'POST /api/auth/login': apiError(401, 'unauthorized', 'invalid email or password'),
    });
    renderApp('/sign-in');
    const user = userEvent.setup();
    await user.type(await screen.findByLabelText('Work email'), 'jane@acme.com');
    await user.type(screen.getByLabelText('Password'), 'wrong password!');
    await user.click(screen.getByRole('button', { name: 'Sign in' }));
    const alert = await screen.findByRole('alert');
    expect(alert).toHaveTextContent("That email and password don't match.");
    expect(alert).not.toHaveTextContent('unauthorized');
    expect(useSession.getState().token).toBeNull();
  });

  it('says how long to wait when sign-in is throttled', async () => {
    mockApi({
      'GET /api/config': CONFIG,
      'POST /api/auth/login': apiError(429, 'rate_limited', 'too many requests; retry in 30s', { 'Retry-After': '30' }),
    });
    renderApp('/sign-in');
    const user = userEvent.setup();
    await user.type(await screen.findByLabelText('Work email'), 'jane@acme.com');
    await user.type(screen.getByLabelText('Password'), 'whatever123');
    await user.click(screen.getByRole('button', { name: 'Sign in' }));
    expect(await screen.findByRole('alert')).toHaveTextContent(/Too many sign-in attempts\. Try again in (30|29) seconds\./);
    expect(screen.getByRole('button', { name: 'Sign in' })).toBeDisabled();
  });

  it('shows the version and the way to create an account', async () => {
    mockApi({ 'GET /api/config': CONFIG });
    renderApp('/sign-in');
    expect(await screen.findByText('Revtops 1.2.3')).toBeInTheDocument();
    expect(screen.getByRole('link', { name: 'Create an account' })).toHaveAttribute('href', '/sign-up');
  });

  it('says so, with a way to try again, when the sign-in options cannot be loaded', async () => {
    const api = mockApi({ 'GET /api/config': apiError(503, 'unavailable', 'database unavailable') });
    renderApp('/sign-in');
    const retry = await screen.findByRole('button', { name: 'Try again' }, { timeout: 5000 });
    expect(screen.queryByLabelText('Password')).not.toBeInTheDocument();
    const before = api.callsTo('GET', '/api/config').length;
    await userEvent.setup().click(retry);
    await waitFor(() => expect(api.callsTo('GET', '/api/config').length).toBeGreaterThan(before));
  });
});

describe('create account', () => {
  it('asks for 10 characters before sending anything', async () => {
    const api = mockApi({ 'GET /api/config': CONFIG, 'POST /api/auth/register': json(SESSION, 201) });
    renderApp('/sign-up');
    const user = userEvent.setup();
    expect(await screen.findByText(/At least 10 characters/)).toBeInTheDocument();
    await expectAccessible();
    await user.type(screen.getByLabelText('Your name'), 'Jane Doe');
    await user.type(screen.getByLabelText('Work email'), 'jane@acme.com');
    await user.type(screen.getByLabelText('Password'), 'short');
    await user.click(screen.getByRole('button', { name: 'Create account' }));
    expect(screen.getByText('Use at least 10 characters.')).toBeInTheDocument();
    expect(screen.getByLabelText('Password')).toHaveAttribute('aria-invalid', 'true');
    expect(api.callsTo('POST', '/api/auth/register')).toHaveLength(0);

    await user.type(screen.getByLabelText('Password'), ' but longer now');
    await user.click(screen.getByRole('button', { name: 'Create account' }));
    await waitFor(() => expect(useSession.getState().token).toBe('tok-new'));
    expect(api.callsTo('POST', '/api/auth/register')[0]!.body).toEqual({
      email: 'jane@acme.com',
      password: 'short but longer now',
      name: 'Jane Doe',
    });
  });

  it('offers to sign in when the email is taken', async () => {
    mockApi({
      'GET /api/config': CONFIG,
      'POST /api/auth/register': apiError(409, 'conflict', 'an account with this email already exists'),
    });
    const { router } = renderApp('/sign-up');
    const user = userEvent.setup();
    await user.type(await screen.findByLabelText('Your name'), 'Jane');
    await user.type(screen.getByLabelText('Work email'), 'jane@acme.com');
    await user.type(screen.getByLabelText('Password'), 'long enough pass');
    await user.click(screen.getByRole('button', { name: 'Create account' }));
    expect(await screen.findByRole('alert')).toHaveTextContent('An account with this email already exists.');
    await user.click(screen.getByRole('button', { name: 'Sign in instead' }));
    await waitFor(() => expect(router.state.location.pathname).toBe('/sign-in'));
    expect(await screen.findByLabelText('Work email')).toHaveValue('jane@acme.com');
  });

  it('says sign-up is closed when the server refuses new accounts', async () => {
    mockApi({ 'GET /api/config': { ...CONFIG, signup_open: false } });
    renderApp('/sign-up');
    expect(await screen.findByText('New accounts are by invitation only on this server.')).toBeInTheDocument();
    expect(screen.queryByLabelText('Password')).not.toBeInTheDocument();
  });

  it('explains a refusal from the server too', async () => {
    mockApi({ 'GET /api/config': CONFIG, 'POST /api/auth/register': apiError(403, 'forbidden', 'sign-up is closed') });
    renderApp('/sign-up');
    const user = userEvent.setup();
    await user.type(await screen.findByLabelText('Your name'), 'Jane');
    await user.type(screen.getByLabelText('Work email'), 'jane@acme.com');
    await user.type(screen.getByLabelText('Password'), 'long enough pass');
    await user.click(screen.getByRole('button', { name: 'Create account' }));
    expect(await screen.findByRole('alert')).toHaveTextContent('New accounts are closed on this server.');
  });
});

describe('the session ends', () => {
  it('on a 401: sign in again with a note, and the chat draft is kept', async () => {
    signedIn('tok-old');
    useDrafts.getState().setDraft('new', 'Which deals slipped this quarter?');
    mockApi({ 'GET /api/config': CONFIG, 'GET /api/auth/me': apiError(401, 'unauthorized', 'token revoked') });
    const { router } = renderApp('/chat');
    expect(await screen.findByText('Your session ended, sign in again.')).toBeInTheDocument();
    expect(router.state.location.pathname).toBe('/sign-in');
    expect(router.state.location.search).toBe(`?next=${encodeURIComponent('/chat')}`);
    expect(useSession.getState().token).toBeNull();
    expect(useDrafts.getState().drafts.new).toBe('Which deals slipped this quarter?');
  });

  it('by the clock', async () => {
    useSession.getState().signIn('tok-old', Date.now() - 1000);
    mockApi({ 'GET /api/config': CONFIG });
    renderApp('/chat');
    expect(await screen.findByText('Your session ended, sign in again.')).toBeInTheDocument();
  });

  it('signing out on purpose revokes the token and clears drafts', async () => {
    signedIn();
    useDrafts.getState().setDraft('new', 'secret question');
    const api = signedInApp({ 'POST /api/auth/logout': new Response(null, { status: 204 }) });
    const { router } = renderApp('/chat');
    const user = userEvent.setup();
    await user.click(await screen.findByRole('button', { name: /Jane Doe/ }));
    await user.click(screen.getByRole('menuitem', { name: 'Sign out' }));
    await waitFor(() => expect(router.state.location.pathname).toBe('/sign-in'));
    expect(api.callsTo('POST', '/api/auth/logout')[0]!.authorization).toBe('Bearer tok-1');
    expect(useSession.getState()).toMatchObject({ token: null, endedNotice: false });
    expect(useDrafts.getState().drafts).toEqual({});
    expect(screen.queryByText('Your session ended, sign in again.')).not.toBeInTheDocument();
  });
});

describe('Supabase mode', () => {
  const SUPABASE = { ...CONFIG, auth_mode: 'supabase' as const, supabase: { url: 'https://sb.example', anon_key: 'anon' } };

  it('offers Google only, and loads auth-js when it is used', async () => {
    mockApi({ 'GET /api/config': SUPABASE });
    renderApp('/sign-in?next=%2Fsources');
    const button = await screen.findByRole('button', { name: 'Continue with Google' });
    expect(screen.queryByLabelText('Password')).not.toBeInTheDocument();
    await expectAccessible();
    await userEvent.setup().click(button);
    const { startGoogleSignIn } = await import('./supabase');
    await waitFor(() => expect(startGoogleSignIn).toHaveBeenCalled());
    const [settings, redirectTo] = vi.mocked(startGoogleSignIn).mock.calls[0]!;
    expect(settings).toEqual(SUPABASE.supabase);
    expect(redirectTo).toBe(`${window.location.origin}/auth/callback?next=%2Fsources`);
  });

  it('on return, syncs the user with the Supabase token and starts the session', async () => {
    const api = mockApi({
      'GET /api/config': SUPABASE,
      'POST /api/auth/users/sync': { user: USER, organization: ORG },
      'GET /api/auth/me': { user: USER, organization: ORG },
      'GET /api/auth/available-integrations': [],
    });
    const { router } = renderApp('/auth/callback?next=%2Fsources');
    await waitFor(() => expect(router.state.location.pathname).toBe('/sources'));
    expect(api.callsTo('POST', '/api/auth/users/sync')[0]!.authorization).toBe('Bearer sb-token');
    expect(useSession.getState().token).toBe('sb-token');
  });
});
