import { screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import { expectAccessible } from '../../test/axe';
import { apiError, json, mockApi } from '../../test/mockApi';
import { CONFIG, ORG, USER, WORKSPACE_WITH_DATA, renderApp, signedIn } from '../../test/render';
import { useSession } from '../auth/sessionStore';

const SESSION = { token: 'tok-new', token_type: 'Bearer', expires_at: '2099-01-01T00:00:00Z', user: USER };

describe('reset-password link', () => {
  it('sets the new password, starts the session and opens the app', async () => {
    const api = mockApi({
      'GET /api/config': CONFIG,
      'POST /api/auth/password-reset': SESSION,
      'GET /api/auth/me': { user: USER, organization: ORG },
      'GET /api/workspace': WORKSPACE_WITH_DATA,
      'GET /api/chat/conversations': [],
    });
    const { router } = renderApp('/reset-password/tok-abc');
    expect(await screen.findByRole('heading', { name: 'Choose a new password' })).toBeInTheDocument();
    await expectAccessible();
    const user = userEvent.setup();
    await user.type(screen.getByLabelText('New password'), 'a brand new password');
    await user.type(screen.getByLabelText('Repeat the new password'), 'a brand new passwort');
    await user.click(screen.getByRole('button', { name: 'Save and sign in' }));
    expect(await screen.findByText("The two passwords don't match.")).toBeInTheDocument();
    expect(api.callsTo('POST', '/api/auth/password-reset')).toHaveLength(0);

    await user.clear(screen.getByLabelText('Repeat the new password'));
    await user.type(screen.getByLabelText('Repeat the new password'), 'a brand new password');
    await user.click(screen.getByRole('button', { name: 'Save and sign in' }));
    await waitFor(() => expect(router.state.location.pathname).toBe('/chat'));
    expect(api.callsTo('POST', '/api/auth/password-reset')[0]!.body).toEqual({
      token: 'tok-abc',
      new_password: 'a brand new password',
    });
    expect(useSession.getState().token).toBe('tok-new');
  });

  it('says plainly when the link was used or expired', async () => {
    mockApi({
      'GET /api/config': CONFIG,
      'POST /api/auth/password-reset': () => apiError(404, 'not_found', 'link not found'),
    });
    renderApp('/reset-password/used');
    const user = userEvent.setup();
    await user.type(await screen.findByLabelText('New password'), 'a brand new password');
    await user.type(screen.getByLabelText('Repeat the new password'), 'a brand new password');
    await user.click(screen.getByRole('button', { name: 'Save and sign in' }));
    expect(await screen.findByText('This reset link is no longer valid.')).toBeInTheDocument();
    expect(screen.getByRole('link', { name: 'Go to sign in' })).toHaveAttribute('href', '/sign-in');
  });
});

describe('verify-email link', () => {
  it('verifies once and offers to continue', async () => {
    signedIn();
    const api = mockApi({
      'GET /api/config': CONFIG,
      'POST /api/auth/email/verify': () => new Response(null, { status: 204 }),
      'GET /api/auth/me': { user: USER, organization: null },
    });
    renderApp('/verify-email/tok-v');
    expect(await screen.findByText('Your email address is verified.')).toBeInTheDocument();
    expect(api.callsTo('POST', '/api/auth/email/verify')).toHaveLength(1);
    expect(api.callsTo('POST', '/api/auth/email/verify')[0]!.body).toEqual({ token: 'tok-v' });
    expect(screen.getByRole('link', { name: 'Continue' })).toHaveAttribute('href', '/onboarding');
    await expectAccessible();
  });

  it('explains a link that no longer works', async () => {
    mockApi({
      'GET /api/config': CONFIG,
      'POST /api/auth/email/verify': () => apiError(404, 'not_found', 'link not found'),
    });
    renderApp('/verify-email/old');
    expect(await screen.findByText('This verification link is no longer valid.')).toBeInTheDocument();
    expect(screen.getByRole('link', { name: 'Sign in' })).toHaveAttribute('href', '/sign-in');
  });
});

describe('verifying from onboarding', () => {
  const unverified = { ...USER, email_verified: false };
  const newcomer = (config: typeof CONFIG) =>
    mockApi({
      'GET /api/config': config,
      'GET /api/auth/me': { user: unverified, organization: null },
      'POST /api/auth/email/verification': json({ expires_at: '2099-01-01T00:00:00Z' }),
    });

  it('emails a verification link when the server sends email', async () => {
    signedIn();
    const api = newcomer({ ...CONFIG, features: { ...CONFIG.features, email: true } });
    renderApp('/onboarding');
    const user = userEvent.setup();
    await user.click(await screen.findByRole('button', { name: 'Email me a verification link' }));
    expect(await screen.findByText('We sent a link to jane@acme.com.')).toBeInTheDocument();
    expect(api.callsTo('POST', '/api/auth/email/verification')).toHaveLength(1);
    expect(screen.queryByLabelText('Let colleagues with an @acme.com email join')).not.toBeInTheDocument();
  });

  it('says who can verify the address when the server sends none', async () => {
    signedIn();
    newcomer(CONFIG);
    renderApp('/onboarding');
    expect(await screen.findByText(/This server sends no email: ask whoever runs it to verify your address./)).toBeInTheDocument();
    expect(screen.queryByRole('button', { name: 'Email me a verification link' })).not.toBeInTheDocument();
  });
});
