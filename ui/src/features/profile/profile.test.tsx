import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import { expectAccessible } from '../../test/axe';
import { apiError, mockApi } from '../../test/mockApi';
import { CONFIG, ORG, USER, renderApp, signedIn } from '../../test/render';
import { useSession } from '../auth/sessionStore';
import { PNG_BYTES, imageFile, recordUploads, refusedFile } from '../team/testImages';

const SESSION = { token: 'tok-new', token_type: 'Bearer', expires_at: '2099-01-01T00:00:00Z', user: USER };
const SUPABASE_CONFIG = { ...CONFIG, auth_mode: 'supabase' as never, supabase: null };

type Me = Omit<typeof USER, 'name'> & { avatar_url?: string | null; name: string | null };

function profile({ config = CONFIG, user = USER, extra = {} }: { config?: unknown; user?: Me; extra?: Record<string, unknown> } = {}) {
  let organization: typeof ORG | null = ORG;
  // The fake server keeps the name and picture the page changes.
  let me: Me = { ...user };
  signedIn();
  const api = mockApi({
    'GET /api/config': config,
    'GET /api/auth/me': () => ({ user: me, organization }),
    'PATCH /api/auth/me': ({ body }: { body: unknown }) => {
      const name = (body as { name: string }).name.trim();
      me = { ...me, name: name || null };
      return { user: me, organization };
    },
    'PUT /api/auth/me/avatar': () => {
      me = { ...me, avatar_url: '/api/images/av-2' };
      return { user: me, organization };
    },
    'DELETE /api/auth/me/avatar': () => {
      me = { ...me, avatar_url: null };
      return { user: me, organization };
    },
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

describe('profile: name and picture', () => {
  const account = () => screen.findByRole('region', { name: /Jane|jane@acme\.com/ }, { timeout: 8000 });

  it('edits the name in place', async () => {
    const { api } = profile();
    const user = userEvent.setup();
    const region = await account();
    await user.click(within(region).getByRole('button', { name: 'Edit name' }));
    const form = within(region).getByRole('form', { name: 'Edit your name' });
    const field = within(form).getByLabelText('Name');
    expect(field).toHaveValue('Jane Doe');
    expect(field).toHaveFocus();
    await user.clear(field);
    await user.type(field, '  Jane   Q. Doe ');
    await user.click(within(form).getByRole('button', { name: 'Save' }));

    expect(await screen.findByText('Your name is now Jane Q. Doe.')).toBeInTheDocument();
    expect(api.callsTo('PATCH', '/api/auth/me').map((c) => c.body)).toEqual([{ name: 'Jane Q. Doe' }]);
    expect(screen.queryByRole('form', { name: 'Edit your name' })).not.toBeInTheDocument();
    // "me" is the server's answer: the heading and the user menu follow.
    expect(screen.getByRole('heading', { name: 'Jane Q. Doe', level: 2 })).toBeInTheDocument();
    expect(screen.getAllByRole('button', { name: /Jane Q\. Doe/ }).length).toBeGreaterThan(0);
    await waitFor(() => expect(within(region).getByRole('button', { name: 'Edit name' })).toHaveFocus());
  });

  it('says what is wrong with a name before sending it, and Cancel keeps the old one', async () => {
    const { api } = profile();
    const user = userEvent.setup();
    const region = await account();
    await user.click(within(region).getByRole('button', { name: 'Edit name' }));
    const field = within(region).getByLabelText('Name');
    await user.clear(field);
    await user.click(field);
    await user.paste('x'.repeat(201));
    expect(within(region).getByText('Use at most 200 characters.')).toBeInTheDocument();
    expect(field).toHaveAttribute('aria-invalid', 'true');
    await user.click(within(region).getByRole('button', { name: 'Save' }));
    expect(api.callsTo('PATCH', '/api/auth/me')).toHaveLength(0);

    await user.clear(field);
    await user.paste('Jane\u0007Doe');
    await user.click(within(region).getByRole('button', { name: 'Save' }));
    expect(within(region).getByText('Use letters, numbers, spaces and punctuation only.')).toBeInTheDocument();
    expect(api.callsTo('PATCH', '/api/auth/me')).toHaveLength(0);

    await user.click(within(region).getByRole('button', { name: 'Cancel' }));
    expect(within(region).queryByLabelText('Name')).not.toBeInTheDocument();
    expect(within(region).getByText('Jane Doe', { selector: 'span' })).toBeInTheDocument();

    // Escape cancels too.
    await user.click(within(region).getByRole('button', { name: 'Edit name' }));
    await user.keyboard('{Escape}');
    expect(within(region).queryByLabelText('Name')).not.toBeInTheDocument();
    expect(api.callsTo('PATCH', '/api/auth/me')).toHaveLength(0);
  });

  it('an empty name clears it, and the email shows instead', async () => {
    const { api } = profile();
    const user = userEvent.setup();
    const region = await account();
    await user.click(within(region).getByRole('button', { name: 'Edit name' }));
    expect(within(region).getByText('Leave it empty to show your email address (jane@acme.com) instead.')).toBeInTheDocument();
    await user.clear(within(region).getByLabelText('Name'));
    await user.click(within(region).getByRole('button', { name: 'Save' }));
    expect(await screen.findByText('Your name was cleared: your email address shows instead.')).toBeInTheDocument();
    expect(api.callsTo('PATCH', '/api/auth/me').map((c) => c.body)).toEqual([{ name: '' }]);
    expect(screen.getByRole('heading', { name: 'jane@acme.com', level: 2 })).toBeInTheDocument();
    expect(within(region).getByText('Not set')).toBeInTheDocument();
  });

  it('shows the server’s refusal of a name', async () => {
    profile({ extra: { 'PATCH /api/auth/me': apiError(422, 'validation_failed', 'name must be at most 200 printable characters') } });
    const user = userEvent.setup();
    const region = await account();
    await user.click(within(region).getByRole('button', { name: 'Edit name' }));
    await user.type(within(region).getByLabelText('Name'), ' Jr.');
    await user.click(within(region).getByRole('button', { name: 'Save' }));
    const alert = await within(region).findByRole('alert');
    expect(alert).toHaveTextContent('Use at most 200 printable characters.');
    expect(within(region).getByLabelText('Name')).toHaveValue('Jane Doe Jr.');
  });

  it('uploads a picture with its own type, after a preview, and shows it', async () => {
    const { api } = profile();
    const uploads = recordUploads(api);
    const user = userEvent.setup();
    const region = await account();
    const picture = within(region).getByRole('group', { name: 'Picture' });
    expect(within(region).queryByRole('img', { name: 'Your picture' })).not.toBeInTheDocument();
    expect(within(picture).getByText('PNG, JPEG, WebP or GIF, at most 512 KB.')).toBeInTheDocument();
    expect(within(picture).queryByRole('button', { name: 'Remove picture' })).not.toBeInTheDocument();

    const input = within(picture).getByLabelText('Choose a picture file');
    expect(input).toHaveAttribute('accept', 'image/png,image/jpeg,image/webp,image/gif');
    await user.upload(input, await imageFile('me.png', 'image/png'));
    expect(within(picture).getByRole('img', { name: 'Preview of the new picture' })).toHaveAttribute('src', expect.stringMatching(/^blob:/));
    expect(within(picture).getByText('me.png: not saved yet.')).toBeInTheDocument();
    expect(uploads).toHaveLength(0);
    await expectAccessible();

    await user.click(within(picture).getByRole('button', { name: 'Save picture' }));
    expect(await screen.findByText('Your new picture is saved.')).toBeInTheDocument();
    expect(uploads).toEqual([{ method: 'PUT', path: '/api/auth/me/avatar', type: 'image/png', bytes: PNG_BYTES }]);
    expect(within(region).getByRole('img', { name: 'Your picture' })).toHaveAttribute('src', '/api/images/av-2');
    expect(within(picture).queryByRole('img', { name: 'Preview of the new picture' })).not.toBeInTheDocument();
    expect(within(picture).getByRole('button', { name: 'Replace picture' })).toBeInTheDocument();
    // The user menu in the sidebar shows it too.
    const menuButton = screen.getAllByRole('button', { name: /Jane Doe/ })[0]!;
    expect(menuButton.querySelector('img')).toHaveAttribute('src', '/api/images/av-2');
  });

  it('refuses a picture that is too large or SVG without sending it', async () => {
    const { api } = profile();
    const uploads = recordUploads(api);
    // As when "All files" is picked in the browser's dialog.
    const user = userEvent.setup({ applyAccept: false });
    const region = await account();
    const picture = within(region).getByRole('group', { name: 'Picture' });
    const input = within(picture).getByLabelText('Choose a picture file');

    await user.upload(input, refusedFile('huge.jpg', 'image/jpeg', 600 * 1024));
    expect(within(picture).getByRole('alert')).toHaveTextContent('That image is 600 KB; the most is 512 KB.');
    expect(within(picture).queryByRole('button', { name: 'Save picture' })).not.toBeInTheDocument();

    await user.upload(input, refusedFile('logo.svg', 'image/svg+xml', 300));
    expect(within(picture).getByRole('alert')).toHaveTextContent('SVG images are not accepted');

    await user.upload(input, refusedFile('notes.pdf', 'application/pdf', 300));
    expect(within(picture).getByRole('alert')).toHaveTextContent('That file is not a PNG, JPEG, WebP or GIF image.');
    expect(uploads).toHaveLength(0);
    expect(api.callsTo('PUT', '/api/auth/me/avatar')).toHaveLength(0);
  });

  it('shows why the server refused the picture', async () => {
    const { api } = profile({
      extra: {
        'PUT /api/auth/me/avatar': apiError(422, 'validation_failed', 'the file is image/jpeg, not the image/png its Content-Type says'),
      },
    });
    const uploads = recordUploads(api);
    const user = userEvent.setup();
    const picture = within(await account()).getByRole('group', { name: 'Picture' });
    await user.upload(within(picture).getByLabelText('Choose a picture file'), await imageFile('photo.png', 'image/png', [0xff, 0xd8, 0xff, 0xe0]));
    await user.click(within(picture).getByRole('button', { name: 'Save picture' }));
    const alert = await within(picture).findByRole('alert');
    expect(alert).toHaveTextContent('That image could not be used.');
    expect(alert).toHaveTextContent('The file is image/jpeg, not the image/png its Content-Type says.');
    expect(uploads).toHaveLength(1);
    // The choice stays, to try another file or cancel.
    expect(within(picture).getByRole('button', { name: 'Save picture' })).toBeInTheDocument();
    await user.click(within(picture).getByRole('button', { name: 'Cancel' }));
    expect(within(picture).queryByRole('alert')).not.toBeInTheDocument();
    expect(within(picture).getByRole('button', { name: 'Upload a picture' })).toBeInTheDocument();
  });

  it('removes the picture', async () => {
    const { api } = profile({ user: { ...USER, avatar_url: '/api/images/av-1' } });
    const user = userEvent.setup();
    const region = await account();
    expect(within(region).getByRole('img', { name: 'Your picture' })).toHaveAttribute('src', '/api/images/av-1');
    const picture = within(region).getByRole('group', { name: 'Picture' });
    await user.click(within(picture).getByRole('button', { name: 'Remove picture' }));
    expect(await screen.findByText('Your picture was removed.')).toBeInTheDocument();
    expect(api.callsTo('DELETE', '/api/auth/me/avatar')).toHaveLength(1);
    expect(within(region).queryByRole('img', { name: 'Your picture' })).not.toBeInTheDocument();
    expect(within(picture).getByRole('button', { name: 'Upload a picture' })).toBeInTheDocument();
  });
});
