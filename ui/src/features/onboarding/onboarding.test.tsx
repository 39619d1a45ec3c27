import { screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import { expectAccessible } from '../../test/axe';
import { apiError, json, mockApi } from '../../test/mockApi';
import { CONFIG, ORG, USER, WORKSPACE_WITH_DATA, renderApp, signedIn } from '../../test/render';
import { useSession } from '../auth/sessionStore';

/** A signed-in user without an organization, until they create or join one. */
function newcomer(user = USER, extra: Record<string, unknown> = {}) {
  let organization: typeof ORG | null = null;
  const api = mockApi({
    'GET /api/config': CONFIG,
    'GET /api/auth/me': () => ({ user, organization }),
    'GET /api/workspace': WORKSPACE_WITH_DATA,
    'GET /api/auth/organizations/by-domain/:domain': ({ params }: { params: Record<string, string> }) => ({
      domain: params.domain,
      exists: false,
    }),
    'POST /api/auth/organizations': ({ body }: { body: unknown }) => {
      organization = { ...ORG, name: (body as { name: string }).name };
      return json(organization, 201);
    },
    ...extra,
  });
  return {
    api,
    join: () => {
      organization = ORG;
    },
  };
}

describe('onboarding', () => {
  it('sends a user without an organization to create one, named after their email domain', async () => {
    signedIn();
    const { api } = newcomer();
    const { router } = renderApp('/chat');
    expect(await screen.findByRole('heading', { name: 'Set up your workspace' })).toBeInTheDocument();
    expect(router.state.location.pathname).toBe('/onboarding');
    const name = await screen.findByLabelText('Organization name');
    expect(name).toHaveValue('Acme');
    await expectAccessible();

    const user = userEvent.setup();
    await user.click(await screen.findByLabelText('Let colleagues with an @acme.com email join'));
    await user.click(screen.getByRole('button', { name: 'Create organization' }));
    await waitFor(() => expect(router.state.location.pathname).toBe('/chat'));
    expect(api.callsTo('POST', '/api/auth/organizations')[0]!.body).toEqual({ name: 'Acme', email_domain: 'acme.com' });
    expect(await screen.findByRole('heading', { name: 'Ask about your revenue' })).toBeInTheDocument();
  });

  it('does not claim the domain unless asked', async () => {
    signedIn();
    const { api } = newcomer();
    renderApp('/onboarding');
    const user = userEvent.setup();
    const name = await screen.findByLabelText('Organization name');
    await user.clear(name);
    await user.type(name, 'Acme Sales');
    await user.click(screen.getByRole('button', { name: 'Create organization' }));
    await waitFor(() => expect(api.callsTo('POST', '/api/auth/organizations')).toHaveLength(1));
    expect(api.callsTo('POST', '/api/auth/organizations')[0]!.body).toEqual({ name: 'Acme Sales' });
  });

  it("shows the server's words when it refuses the domain", async () => {
    signedIn();
    newcomer(USER, {
      'POST /api/auth/organizations': apiError(403, 'forbidden', 'acme.com is already claimed by another organization'),
    });
    renderApp('/onboarding');
    const user = userEvent.setup();
    await user.click(await screen.findByLabelText('Let colleagues with an @acme.com email join'));
    await user.click(screen.getByRole('button', { name: 'Create organization' }));
    const alert = await screen.findByRole('alert');
    expect(alert).toHaveTextContent("Revtops can't claim that email domain for you.");
    expect(alert).toHaveTextContent('Acme.com is already claimed by another organization.');
  });

  it('offers to join the organization of their domain', async () => {
    signedIn();
    const { api, join } = newcomer(USER, {
      'GET /api/auth/organizations/by-domain/:domain': { domain: 'acme.com', exists: true, name: 'Acme Corp' },
      'POST /api/auth/organizations/join': () => {
        join();
        return { organization: ORG, session: null };
      },
    });
    const { router } = renderApp('/onboarding');
    const button = await screen.findByRole('button', { name: 'Join Acme Corp' });
    expect(screen.getByText('Everyone with an @acme.com email can join it.')).toBeInTheDocument();
    // The domain is taken: no offer to claim it again.
    expect(screen.queryByLabelText(/Let colleagues/)).not.toBeInTheDocument();
    await expectAccessible();
    await userEvent.setup().click(button);
    await waitFor(() => expect(router.state.location.pathname).toBe('/chat'));
    expect(api.callsTo('POST', '/api/auth/organizations/join')).toHaveLength(1);
  });

  it('with an unverified email: no domain lookup and no claim', async () => {
    signedIn();
    const { api } = newcomer({ ...USER, email_verified: false });
    renderApp('/onboarding');
    expect(await screen.findByLabelText('Organization name')).toHaveValue('Acme');
    expect(screen.queryByLabelText(/Let colleagues/)).not.toBeInTheDocument();
    expect(screen.getByText(/Once your email address is verified/)).toBeInTheDocument();
    expect(api.calls.some((c) => c.path.includes('by-domain'))).toBe(false);
  });

  it('with a public mail address: no name suggestion and no claim', async () => {
    signedIn();
    const { api } = newcomer({ ...USER, email: 'jane@gmail.com' });
    renderApp('/onboarding');
    expect(await screen.findByLabelText('Organization name')).toHaveValue('');
    expect(screen.queryByLabelText(/Let colleagues/)).not.toBeInTheDocument();
    expect(api.calls.some((c) => c.path.includes('by-domain'))).toBe(false);
    await userEvent.setup().click(screen.getByRole('button', { name: 'Create organization' }));
    expect(screen.getByText('Give your organization a name.')).toBeInTheDocument();
  });
});

describe('invitation links', () => {
  const PREVIEW = { organization_name: 'Globex', email: 'sam@globex.com', role: 'member', expires_at: '2099-01-01T00:00:00Z' };
  const SESSION = { token: 'tok-inv', token_type: 'Bearer', expires_at: '2099-01-01T00:00:00Z', user: { ...USER, email: 'sam@globex.com' } };

  function invitationApi(extra: Record<string, unknown> = {}) {
    return mockApi({
      'GET /api/config': CONFIG,
      'POST /api/auth/invitations/preview': PREVIEW,
      'GET /api/auth/me': { user: SESSION.user, organization: { ...ORG, name: 'Globex' } },
      'GET /api/workspace': WORKSPACE_WITH_DATA,
      ...extra,
    });
  }

  it('signed out: creates the account with the invitation', async () => {
    const api = invitationApi({ 'POST /api/auth/register': json(SESSION, 201) });
    const { router } = renderApp('/invite/inv-123');
    expect(await screen.findByRole('heading', { name: 'Join Globex on Revtops' })).toBeInTheDocument();
    expect(screen.getByText(/sam@globex.com is invited as a member/)).toBeInTheDocument();
    expect(api.callsTo('POST', '/api/auth/invitations/preview')[0]!.body).toEqual({ token: 'inv-123' });
    await expectAccessible();

    const user = userEvent.setup();
    expect(screen.getByLabelText('Work email')).toHaveValue('sam@globex.com');
    await user.type(screen.getByLabelText('Your name'), 'Sam');
    await user.type(screen.getByLabelText('Password'), 'a long enough one');
    await user.click(screen.getByRole('button', { name: 'Create account' }));
    await waitFor(() => expect(router.state.location.pathname).toBe('/chat'));
    expect(api.callsTo('POST', '/api/auth/register')[0]!.body).toEqual({
      email: 'sam@globex.com',
      password: 'a long enough one',
      name: 'Sam',
      invite_token: 'inv-123',
    });
  });

  it('signed out with an account: signs in, then accepts', async () => {
    let joined = false;
    const api = invitationApi({
      'POST /api/auth/login': SESSION,
      'GET /api/auth/me': () => ({ user: SESSION.user, organization: joined ? { ...ORG, name: 'Globex' } : null }),
      'POST /api/auth/invitations/accept': () => {
        joined = true;
        return { organization: { ...ORG, name: 'Globex' }, session: null };
      },
    });
    const { router } = renderApp('/invite/inv-123');
    const user = userEvent.setup();
    await user.click(await screen.findByRole('button', { name: 'I have an account' }));
    await user.type(screen.getByLabelText('Password'), 'my password 123');
    await user.click(screen.getByRole('button', { name: 'Sign in' }));
    await waitFor(() => expect(router.state.location.pathname).toBe('/chat'));
    expect(api.callsTo('POST', '/api/auth/invitations/accept')[0]).toMatchObject({
      body: { token: 'inv-123' },
      authorization: 'Bearer tok-inv',
    });
  });

  it('signed in: accepts with one click', async () => {
    signedIn();
    const api = invitationApi({
      'GET /api/auth/me': { user: { ...USER, email: 'sam@globex.com' }, organization: null },
      'POST /api/auth/invitations/accept': { organization: { ...ORG, name: 'Globex' }, session: null },
    });
    renderApp('/invite/inv-123');
    await userEvent.setup().click(await screen.findByRole('button', { name: 'Join Globex' }));
    await waitFor(() => expect(api.callsTo('POST', '/api/auth/invitations/accept')).toHaveLength(1));
  });

  it('switches to the new session when the account took over a CRM owner record', async () => {
    signedIn();
    const api = invitationApi({
      'GET /api/auth/me': { user: { ...USER, email: 'sam@globex.com' }, organization: null },
      'POST /api/auth/invitations/accept': {
        organization: { ...ORG, name: 'Globex' },
        session: { ...SESSION, token: 'tok-record', expires_at: new Date(Date.now() + 3_600_000).toISOString() },
      },
    });
    renderApp('/invite/inv-123');
    await userEvent.setup().click(await screen.findByRole('button', { name: 'Join Globex' }));
    await waitFor(() => expect(useSession.getState().token).toBe('tok-record'));
    await waitFor(() =>
      expect(api.calls.filter((c) => c.path === '/api/auth/me').some((c) => c.authorization === 'Bearer tok-record')).toBe(true),
    );
  });

  it('signed in with another address: says so, and explains a refusal', async () => {
    signedIn();
    invitationApi({
      'GET /api/auth/me': { user: USER, organization: null },
      'POST /api/auth/invitations/accept': apiError(403, 'forbidden', 'the invitation is addressed to another email'),
    });
    renderApp('/invite/inv-123');
    expect(await screen.findByText("You're signed in as jane@acme.com.")).toBeInTheDocument();
    await userEvent.setup().click(screen.getByRole('button', { name: 'Join Globex' }));
    expect(await screen.findByRole('alert')).toHaveTextContent('This invitation is for a different email address.');
  });

  it('an unknown or used link says so', async () => {
    mockApi({ 'GET /api/config': CONFIG, 'POST /api/auth/invitations/preview': apiError(404, 'not_found', 'invitation') });
    renderApp('/invite/old');
    expect(await screen.findByText('This invitation link is no longer valid.')).toBeInTheDocument();
    expect(useSession.getState().token).toBeNull();
  });
});
