import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import { expectAccessible } from '../../test/axe';
import { apiError, mockApi } from '../../test/mockApi';
import { CONFIG, ORG, USER, renderApp, signedIn } from '../../test/render';
import { useSession } from '../auth/sessionStore';

const SESSION = { token: 'tok-new', token_type: 'Bearer', expires_at: '2099-01-01T00:00:00Z', user: USER };
const SUPABASE_CONFIG = { ...CONFIG, auth_mode: 'supabase' as never, supabase: null };

function profile({ config = CONFIG, user = USER, extra = {} }: { config?: unknown; user?: unknown; extra?: Record<string, unknown> } = {}) {
  let organization: typeof ORG | null = ORG;
  signedIn();
  const api = mockApi({
    'GET /api/config': config,
    'GET /api/auth/me': () => ({ user, organization }),
    'POST /api/auth/password': SESSION,
    'POST /api/auth/organizations/current/leave': () => {
      organization = null;
      return { session: null };
    },
    'DELETE /api/auth/me': () => new Response(null, { status: 204 }),
    'POST /api/auth/logout': () => apiError(401, 'unauthorized', 'session ended'),
    ...extra,
  });
  const view = renderApp('/profile');
  return { api, ...view };
}

describe('profile page', () => {
  it('shows who you are and where', async () => {
    profile();
    expect(await screen.findByRole('heading', { name: 'Your profile', level: 1 })).toBeInTheDocument();
    const account = screen.getByRole('region', { name: 'Jane Doe' });
    expect(within(account).getByText('jane@acme.com', { selector: 'dd' })).toBeInTheDocument();
    expect(within(account).getByText('(verified)')).toBeInTheDocument();
    expect(within(account).getByText('Acme')).toBeInTheDocument();
    expect(within(account).getByText(/^Admin/)).toBeInTheDocument();
    expect(screen.getByRole('form', { name: 'Change password' })).toBeInTheDocument();
    await expectAccessible();
  });

  it('changes the password and stays signed in with the new session', async () => {
    const { api } = profile({
      extra: {
        'POST /api/auth/password': ({ call }: { call: number }) =>
          call === 1 ? apiError(403, 'forbidden', 'the current password is not correct') : SESSION,
      },
    });
    const user = userEvent.setup();
    const form = await screen.findByRole('form', { name: 'Change password' });
    expect(screen.getByRole('region', { name: 'Password' })).toHaveTextContent('Changing it signs you out everywhere else');

    await user.click(within(form).getByRole('button', { name: 'Change password' }));
    expect(await within(form).findByText('Enter your current password.')).toBeInTheDocument();
    expect(within(form).getByText('Use at least 10 characters.')).toBeInTheDocument();
    expect(api.callsTo('POST', '/api/auth/password')).toHaveLength(0);

    await user.type(within(form).getByLabelText('Current password'), 'wrong password');
    await user.type(within(form).getByLabelText('New password'), 'a brand new password');
    await user.type(within(form).getByLabelText('Repeat the new password'), 'a brand new passwort');
    await user.click(within(form).getByRole('button', { name: 'Change password' }));
    expect(await within(form).findByText("The two passwords don't match.")).toBeInTheDocument();
    expect(api.callsTo('POST', '/api/auth/password')).toHaveLength(0);

    await user.clear(within(form).getByLabelText('Repeat the new password'));
    await user.type(within(form).getByLabelText('Repeat the new password'), 'a brand new password');
    await user.click(within(form).getByRole('button', { name: 'Change password' }));
    expect(await within(form).findByRole('alert')).toHaveTextContent('The current password is not correct.');
    expect(useSession.getState().token).toBe('tok-1');

    await user.clear(within(form).getByLabelText('Current password'));
    await user.type(within(form).getByLabelText('Current password'), 'the old password');
    await user.click(within(form).getByRole('button', { name: 'Change password' }));
    expect(await screen.findByText('Password changed. You were signed out on your other devices.')).toBeInTheDocument();
    expect(api.callsTo('POST', '/api/auth/password')[1]!.body).toEqual({
      current_password: 'the old password',
      new_password: 'a brand new password',
    });
    expect(useSession.getState().token).toBe('tok-new');
    expect(within(form).getByLabelText('Current password')).toHaveValue('');
    expect(screen.getByRole('heading', { name: 'Your profile' })).toBeInTheDocument();
  });

  it('has no password to change with Google sign-in', async () => {
    profile({ config: SUPABASE_CONFIG });
    expect(await screen.findByText('You sign in with Google, so there is no Revtops password to manage.')).toBeInTheDocument();
    expect(screen.queryByRole('form', { name: 'Change password' })).not.toBeInTheDocument();
  });

  it('deletes the account after a confirmation that says what happens', async () => {
    const { api, router } = profile();
    const user = userEvent.setup();
    await user.click(await screen.findByRole('button', { name: 'Delete account' }));
    const dialog = screen.getByRole('dialog', { name: 'Delete your account' });
    expect(dialog).toHaveTextContent('This cannot be undone.');
    expect(dialog).toHaveTextContent('Your sign-in, name, email and picture are removed, and you are signed out everywhere.');
    expect(dialog).toHaveTextContent('Your conversations, and data sources you connected for yourself, are deleted.');
    expect(dialog).toHaveTextContent('Reports you saved stay with Acme.');
    expect(dialog).toHaveTextContent('that CRM owner record stays, so its deals keep their owner');
    expect(dialog).not.toHaveTextContent('Google');
    await expectAccessible();

    const confirm = within(dialog).getByRole('button', { name: 'Delete my account' });
    expect(confirm).toBeDisabled();
    await user.type(within(dialog).getByLabelText('Type your email address to confirm'), 'JANE@acme.com');
    expect(confirm).toBeEnabled();
    await user.click(confirm);

    await waitFor(() => expect(router.state.location.pathname).toBe('/sign-in'));
    expect(api.callsTo('DELETE', '/api/auth/me')).toHaveLength(1);
    expect(await screen.findByText('Your account was deleted.')).toBeInTheDocument();
    expect(useSession.getState().token).toBeNull();
    await waitFor(() => expect(useSession.getState().endedNotice).toBe(false));
  });

  it('cancelling keeps the account', async () => {
    const { api } = profile();
    const user = userEvent.setup();
    await user.click(await screen.findByRole('button', { name: 'Delete account' }));
    await user.click(within(screen.getByRole('dialog', { name: 'Delete your account' })).getByRole('button', { name: 'Cancel' }));
    expect(screen.queryByRole('dialog')).not.toBeInTheDocument();
    expect(api.callsTo('DELETE', '/api/auth/me')).toHaveLength(0);
  });

  it('explains why the last admin cannot delete their account', async () => {
    profile({
      extra: {
        'DELETE /api/auth/me': apiError(409, 'conflict', 'you are the last admin: make someone else an admin before you delete your account'),
      },
    });
    const user = userEvent.setup();
    await user.click(await screen.findByRole('button', { name: 'Delete account' }));
    const dialog = screen.getByRole('dialog', { name: 'Delete your account' });
    await user.type(within(dialog).getByLabelText('Type your email address to confirm'), 'jane@acme.com');
    await user.click(within(dialog).getByRole('button', { name: 'Delete my account' }));
    const alert = await within(dialog).findByRole('alert');
    expect(alert).toHaveTextContent("You can't delete your account yet.");
    expect(alert).toHaveTextContent('You are the last admin: make someone else an admin before you delete your account.');
    expect(within(alert).getByRole('link', { name: 'Go to Team' })).toHaveAttribute('href', '/team');
    expect(useSession.getState().token).toBe('tok-1');
  });

  it('mentions that a Google sign-in remains after deletion', async () => {
    profile({ config: SUPABASE_CONFIG });
    await userEvent.setup().click(await screen.findByRole('button', { name: 'Delete account' }));
    expect(screen.getByRole('dialog', { name: 'Delete your account' })).toHaveTextContent(
      'Your Google account is not touched: signing in with it again starts a new, empty Revtops account.',
    );
  });

  it('leaves the organization and goes to onboarding', async () => {
    const { api, router } = profile();
    const user = userEvent.setup();
    await user.click(await screen.findByRole('button', { name: 'Leave organization' }));
    const dialog = screen.getByRole('dialog', { name: 'Leave Acme' });
    expect(dialog).toHaveTextContent('Your conversations in Acme, and data sources you connected for yourself, are deleted.');
    expect(dialog).toHaveTextContent('Reports you saved stay with Acme, as do CRM records you own.');
    expect(dialog).toHaveTextContent('or a verified @acme.com email address to join by domain');
    await user.click(within(dialog).getByRole('button', { name: 'Leave Acme' }));
    await waitFor(() => expect(router.state.location.pathname).toBe('/onboarding'));
    expect(api.callsTo('POST', '/api/auth/organizations/current/leave')).toHaveLength(1);
    expect(await screen.findByText('You left Acme.')).toBeInTheDocument();
  });

  it('continues with the new session when leaving moved the account', async () => {
    const { router } = profile({
      extra: { 'POST /api/auth/organizations/current/leave': { session: { ...SESSION, token: 'tok-moved' } } },
    });
    const user = userEvent.setup();
    await user.click(await screen.findByRole('button', { name: 'Leave organization' }));
    await user.click(within(screen.getByRole('dialog', { name: 'Leave Acme' })).getByRole('button', { name: 'Leave Acme' }));
    await waitFor(() => expect(useSession.getState().token).toBe('tok-moved'));
    expect(router.state.location.pathname).toBe('/profile');
  });

  it('explains why the last admin cannot leave', async () => {
    const { router } = profile({
      extra: {
        'POST /api/auth/organizations/current/leave': apiError(409, 'conflict', 'you are the last admin: make someone else an admin before you leave'),
      },
    });
    const user = userEvent.setup();
    await user.click(await screen.findByRole('button', { name: 'Leave organization' }));
    const dialog = screen.getByRole('dialog', { name: 'Leave Acme' });
    await user.click(within(dialog).getByRole('button', { name: 'Leave Acme' }));
    const alert = await within(dialog).findByRole('alert');
    expect(alert).toHaveTextContent("You can't leave yet.");
    expect(alert).toHaveTextContent('You are the last admin: make someone else an admin before you leave.');
    expect(router.state.location.pathname).toBe('/profile');
  });

  it('signs out', async () => {
    const { api, router } = profile({ extra: { 'POST /api/auth/logout': () => new Response(null, { status: 204 }) } });
    await userEvent.setup().click(await screen.findByRole('button', { name: 'Sign out' }));
    await waitFor(() => expect(router.state.location.pathname).toBe('/sign-in'));
    expect(api.callsTo('POST', '/api/auth/logout')).toHaveLength(1);
    expect(useSession.getState().token).toBeNull();
  });
});
