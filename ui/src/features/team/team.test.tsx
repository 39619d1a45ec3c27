import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import type { RuntimeConfig, UserView } from '../../api/types';
import { expectAccessible } from '../../test/axe';
import { apiError, json, mockApi } from '../../test/mockApi';
import { CONFIG, ORG, USER, renderApp, signedIn } from '../../test/render';
import type { PendingInvitation } from './hooks';
import { PNG_BYTES, imageFile, recordUploads, refusedFile } from './testImages';

const JANE: UserView = { ...USER, organization_id: 'o1', avatar_url: null };
const BOB: UserView = {
  id: 'u2',
  email: 'bob@acme.com',
  name: 'Bob Smith',
  email_verified: true,
  role: 'member' as const,
  status: 'active' as const,
  organization_id: 'o1',
  created_at: '2026-01-02T00:00:00Z',
};
const CAROL: UserView = { ...BOB, id: 'u3', email: 'carol@acme.com', name: 'Carol Rep', status: 'crm_only' as const, email_verified: false };
const PENDING: PendingInvitation = {
  id: 'i1',
  email: 'dan@acme.com',
  role: 'member' as const,
  created_at: '2026-01-03T00:00:00Z',
  expires_at: '2099-01-10T00:00:00Z',
  expired: false,
};
const EXPIRED: PendingInvitation = { ...PENDING, id: 'i2', email: 'old@acme.com', expires_at: '2026-01-04T00:00:00Z', expired: true };
const INVITATION = {
  id: 'i3',
  email: 'erin@acme.com',
  role: 'member' as const,
  expires_at: '2099-01-10T00:00:00Z',
  token: 'inv-tok',
  link: 'https://revtops.acme.com/invite/inv-tok',
  emailed: false,
};

/** A team page whose fake server keeps state: members and invitations change as the page asks. */
function team({
  me = JANE,
  members = [JANE, BOB, CAROL],
  invitations = [PENDING, EXPIRED],
  config = CONFIG,
  extra = {},
}: { me?: UserView; members?: UserView[]; invitations?: PendingInvitation[]; config?: RuntimeConfig; extra?: Record<string, unknown> } = {}) {
  let people = [...members];
  let pending = [...invitations];
  signedIn();
  const api = mockApi({
    'GET /api/config': config,
    'GET /api/auth/me': () => ({ user: me, organization: ORG }),
    'GET /api/auth/organizations/current/members': () => people,
    'GET /api/auth/organizations/current/invitations': () =>
      me.role === 'admin' ? pending : apiError(403, 'forbidden', 'only admins can do this'),
    'POST /api/auth/organizations/current/invitations': ({ body }: { body: unknown }) => {
      const { email, role } = body as { email: string; role: 'admin' | 'member' };
      pending = [{ ...PENDING, id: 'i3', email, role }, ...pending];
      return json({ ...INVITATION, email, role }, 201);
    },
    'DELETE /api/auth/organizations/current/invitations/:id': ({ params }: { params: Record<string, string> }) => {
      pending = pending.filter((i) => i.id !== params.id);
      return new Response(null, { status: 204 });
    },
    'PATCH /api/auth/organizations/current/members/:id': ({ params, body }: { params: Record<string, string>; body: unknown }) => {
      const role = (body as { role: 'admin' | 'member' }).role;
      people = people.map((p) => (p.id === params.id ? { ...p, role } : p));
      return people.find((p) => p.id === params.id);
    },
    'DELETE /api/auth/organizations/current/members/:id': ({ params }: { params: Record<string, string> }) => {
      people = people.filter((p) => p.id !== params.id);
      return new Response(null, { status: 204 });
    },
    'POST /api/auth/organizations/current/members/:id/password-reset': {
      link: 'https://revtops.acme.com/reset-password/rst',
      emailed: false,
      expires_at: '2099-01-02T00:00:00Z',
    },
    'PATCH /api/auth/organizations/current': ({ body }: { body: unknown }) => ({ ...ORG, name: (body as { name: string }).name }),
    ...extra,
  });
  renderApp('/team');
  return api;
}

const membersTable = () => screen.findByRole('table', { name: 'Members of Acme' });
const rowOf = (table: HTMLElement, name: string) => within(table).getByRole('rowheader', { name: new RegExp(name) }).closest('tr')!;

describe('team page (admin)', () => {
  it('lists members with their roles, invitations, and CRM-only owners apart', async () => {
    team();
    expect(await screen.findByRole('heading', { name: 'Team', level: 1 })).toBeInTheDocument();
    const members = await membersTable();
    const names = within(members).getAllByRole('rowheader').map((h) => h.textContent);
    expect(names).toEqual([expect.stringContaining('Jane Doe'), expect.stringContaining('Bob Smith')]);
    expect(within(members).queryByText(/Carol Rep/)).not.toBeInTheDocument();

    const owners = screen.getByRole('table', { name: 'CRM owners without an account' });
    expect(within(owners).getByText('Carol Rep')).toBeInTheDocument();
    expect(screen.getByText(/they have not joined Revtops/)).toBeInTheDocument();
    expect(screen.getByText(/Invite one with the same email address and they become a member/)).toBeInTheDocument();

    // The only admin cannot step down, and the page says why.
    const jane = rowOf(members, 'Jane Doe');
    const janeRole = within(jane).getByRole('combobox', { name: 'Role of Jane Doe' });
    expect(janeRole).toBeDisabled();
    expect(janeRole).toHaveAccessibleDescription(/You are the only admin/);
    expect(within(jane).queryByRole('button', { name: /Remove/ })).not.toBeInTheDocument();
    expect(within(rowOf(members, 'Bob Smith')).getByRole('combobox', { name: 'Role of Bob Smith' })).toBeEnabled();

    const invitations = await screen.findByRole('table', { name: 'Pending invitations' });
    expect(within(invitations).getByText('dan@acme.com')).toBeInTheDocument();
    expect(within(rowOf(invitations, 'old@acme.com')).getByText(/Expired/)).toBeInTheDocument();
    await expectAccessible();
  });

  it('invites by email and shows the link to copy when no email was sent', async () => {
    const api = team();
    const user = userEvent.setup();
    const email = await screen.findByLabelText('Email address');
    await user.click(screen.getByRole('button', { name: 'Invite' }));
    expect(await screen.findByText('Enter an email address, like name@company.com.')).toBeInTheDocument();
    expect(api.callsTo('POST', '/api/auth/organizations/current/invitations')).toHaveLength(0);

    await user.type(email, ' erin@acme.com ');
    await user.click(screen.getByRole('button', { name: 'Invite' }));
    expect(await screen.findByText('Invitation for erin@acme.com created.')).toBeInTheDocument();
    expect(api.callsTo('POST', '/api/auth/organizations/current/invitations')[0]!.body).toEqual({ email: 'erin@acme.com', role: 'member' });
    expect(screen.getByText(/This server is not set up to send email, so nothing was mailed/)).toBeInTheDocument();
    const link = screen.getByLabelText('Invitation link');
    expect(link).toHaveValue('https://revtops.acme.com/invite/inv-tok');
    expect(email).toHaveValue('');

    await user.click(screen.getByRole('button', { name: 'Copy invitation link' }));
    expect(await navigator.clipboard.readText()).toBe('https://revtops.acme.com/invite/inv-tok');
    expect(await screen.findByText('Link copied')).toBeInTheDocument();

    // The list of pending invitations was reloaded.
    const invitations = screen.getByRole('table', { name: 'Pending invitations' });
    expect(await within(invitations).findByText('erin@acme.com')).toBeInTheDocument();
    await expectAccessible();
  });

  it('says so when the invitation was emailed, and can invite an admin', async () => {
    const api = team({
      config: { ...CONFIG, features: { ...CONFIG.features, email: true } },
      extra: { 'POST /api/auth/organizations/current/invitations': json({ ...INVITATION, role: 'admin', emailed: true }, 201) },
    });
    const user = userEvent.setup();
    expect(await screen.findByText(/They get an email with a link to join/)).toBeInTheDocument();
    await user.type(screen.getByLabelText('Email address'), 'erin@acme.com');
    await user.selectOptions(screen.getByLabelText('Role'), 'admin');
    await user.click(screen.getByRole('button', { name: 'Invite' }));
    expect(await screen.findByText('Invitation emailed to erin@acme.com.')).toBeInTheDocument();
    expect(screen.queryByLabelText('Invitation link')).not.toBeInTheDocument();
    expect(api.callsTo('POST', '/api/auth/organizations/current/invitations')[0]!.body).toEqual({ email: 'erin@acme.com', role: 'admin' });
  });

  it('shows why an invitation was refused', async () => {
    team({
      extra: {
        'POST /api/auth/organizations/current/invitations': apiError(409, 'conflict', 'erin@acme.com already belongs to an organization'),
      },
    });
    const user = userEvent.setup();
    await user.type(await screen.findByLabelText('Email address'), 'erin@acme.com');
    await user.click(screen.getByRole('button', { name: 'Invite' }));
    const alert = await screen.findByRole('alert');
    expect(alert).toHaveTextContent('That person already has an account in an organization.');
    expect(alert).toHaveTextContent('Erin@acme.com already belongs to an organization.');
  });

  it('revokes an invitation after confirmation', async () => {
    const api = team();
    const user = userEvent.setup();
    const invitations = await screen.findByRole('table', { name: 'Pending invitations' });
    await user.click(within(invitations).getByRole('button', { name: 'Revoke the invitation for dan@acme.com' }));
    const dialog = screen.getByRole('dialog', { name: 'Revoke invitation' });
    expect(dialog).toHaveTextContent('Its link stops working at once.');
    await user.click(within(dialog).getByRole('button', { name: 'Cancel' }));
    expect(api.callsTo('DELETE', '/api/auth/organizations/current/invitations/i1')).toHaveLength(0);

    await user.click(within(invitations).getByRole('button', { name: 'Revoke the invitation for dan@acme.com' }));
    await user.click(within(screen.getByRole('dialog', { name: 'Revoke invitation' })).getByRole('button', { name: 'Revoke invitation' }));
    expect(await screen.findByText('The invitation for dan@acme.com was revoked.')).toBeInTheDocument();
    expect(api.callsTo('DELETE', '/api/auth/organizations/current/invitations/i1')).toHaveLength(1);
    await waitFor(() => expect(within(invitations).queryByText('dan@acme.com')).not.toBeInTheDocument());
    expect(screen.queryByRole('dialog')).not.toBeInTheDocument();
  });

  it('changes a member’s role', async () => {
    const api = team();
    const user = userEvent.setup();
    const members = await membersTable();
    const bobRole = within(rowOf(members, 'Bob Smith')).getByRole('combobox', { name: 'Role of Bob Smith' });
    await user.selectOptions(bobRole, 'admin');
    expect(await screen.findByText('Bob Smith is now an admin.')).toBeInTheDocument();
    expect(api.callsTo('PATCH', '/api/auth/organizations/current/members/u2')[0]!.body).toEqual({ role: 'admin' });
    expect(bobRole).toHaveValue('admin');
    // With two admins, Jane may step down too.
    await waitFor(() => expect(within(rowOf(members, 'Jane Doe')).getByRole('combobox', { name: 'Role of Jane Doe' })).toBeEnabled());
  });

  it('asks before an admin steps down', async () => {
    const api = team({ members: [JANE, { ...BOB, role: 'admin' }] });
    const user = userEvent.setup();
    const janeRole = within(rowOf(await membersTable(), 'Jane Doe')).getByRole('combobox', { name: 'Role of Jane Doe' });
    await user.selectOptions(janeRole, 'member');
    const dialog = screen.getByRole('dialog', { name: 'Step down as admin' });
    expect(dialog).toHaveTextContent('Only another admin can make you an admin again.');
    await user.click(within(dialog).getByRole('button', { name: 'Cancel' }));
    expect(janeRole).toHaveValue('admin');
    expect(api.callsTo('PATCH', '/api/auth/organizations/current/members/u1')).toHaveLength(0);

    await user.selectOptions(janeRole, 'member');
    await user.click(within(screen.getByRole('dialog', { name: 'Step down as admin' })).getByRole('button', { name: 'Step down' }));
    expect(await screen.findByText('Jane Doe is now a member.')).toBeInTheDocument();
    expect(api.callsTo('PATCH', '/api/auth/organizations/current/members/u1')[0]!.body).toEqual({ role: 'member' });
  });

  it('shows the server’s last-admin refusal plainly', async () => {
    // The list says Bob is an admin too, but he was demoted meanwhile: the server refuses.
    team({
      members: [JANE, { ...BOB, role: 'admin' }],
      extra: {
        'PATCH /api/auth/organizations/current/members/:id': apiError(409, 'conflict', 'the last admin cannot be demoted; promote someone else first'),
      },
    });
    const user = userEvent.setup();
    const members = await membersTable();
    const janeRole = within(rowOf(members, 'Jane Doe')).getByRole('combobox', { name: 'Role of Jane Doe' });
    expect(janeRole).toBeEnabled();
    await user.selectOptions(janeRole, 'member');
    await user.click(within(screen.getByRole('dialog', { name: 'Step down as admin' })).getByRole('button', { name: 'Step down' }));
    const alert = await screen.findByRole('alert');
    expect(alert).toHaveTextContent('Every organization needs at least one admin.');
    expect(alert).toHaveTextContent('The last admin cannot be demoted; promote someone else first.');
    expect(janeRole).toHaveValue('admin');
    await user.click(within(alert).getByRole('button', { name: 'Dismiss' }));
    expect(screen.queryByRole('alert')).not.toBeInTheDocument();
  });

  it('removes a member after a confirmation that says what happens', async () => {
    const api = team();
    const user = userEvent.setup();
    const members = await membersTable();
    await user.click(within(rowOf(members, 'Bob Smith')).getByRole('button', { name: 'Remove Bob Smith' }));
    const dialog = screen.getByRole('dialog', { name: 'Remove Bob Smith' });
    expect(within(dialog).getByRole('heading', { name: 'Remove Bob Smith from Acme?' })).toBeInTheDocument();
    expect(dialog).toHaveTextContent('Their conversations in Acme, and data sources they connected for themselves, are deleted.');
    expect(dialog).toHaveTextContent('Reports they saved stay with the organization.');
    expect(dialog).toHaveTextContent('CRM records they own (deals, accounts, activities) stay in Acme');
    expect(dialog).toHaveTextContent('Their Revtops account itself stays, without an organization.');
    await expectAccessible();

    await user.click(within(dialog).getByRole('button', { name: 'Remove Bob Smith' }));
    expect(await screen.findByText('Bob Smith was removed from Acme.')).toBeInTheDocument();
    expect(api.callsTo('DELETE', '/api/auth/organizations/current/members/u2')).toHaveLength(1);
    await waitFor(() => expect(within(members).queryByText('Bob Smith')).not.toBeInTheDocument());
    // The button that opened the dialog is gone: focus lands on the list's heading.
    await waitFor(() => expect(screen.getByRole('heading', { name: /^Members/ })).toHaveFocus());
  });

  it('keeps the removal dialog open with the reason when the server refuses', async () => {
    team({
      members: [JANE, { ...BOB, role: 'admin' }],
      extra: {
        'DELETE /api/auth/organizations/current/members/:id': apiError(409, 'conflict', 'the last admin cannot be removed; promote someone else first'),
      },
    });
    const user = userEvent.setup();
    const members = await membersTable();
    await user.click(within(rowOf(members, 'Bob Smith')).getByRole('button', { name: 'Remove Bob Smith' }));
    const dialog = screen.getByRole('dialog', { name: 'Remove Bob Smith' });
    await user.click(within(dialog).getByRole('button', { name: 'Remove Bob Smith' }));
    const alert = await within(dialog).findByRole('alert');
    expect(alert).toHaveTextContent('Every organization needs at least one admin.');
    expect(alert).toHaveTextContent('The last admin cannot be removed; promote someone else first.');
  });

  it('issues a password-reset link for a member and shows it to copy', async () => {
    const api = team();
    const user = userEvent.setup();
    const members = await membersTable();
    expect(within(rowOf(members, 'Jane Doe')).queryByRole('button', { name: /Reset password/ })).not.toBeInTheDocument();
    await user.click(within(rowOf(members, 'Bob Smith')).getByRole('button', { name: 'Reset password of Bob Smith' }));
    const dialog = screen.getByRole('dialog', { name: 'Password reset for Bob Smith' });
    await user.click(within(dialog).getByRole('button', { name: 'Create reset link' }));
    expect(await within(dialog).findByLabelText('Password reset link')).toHaveValue('https://revtops.acme.com/reset-password/rst');
    expect(dialog).toHaveTextContent('This server sends no email: pass the link on yourself.');
    expect(api.callsTo('POST', '/api/auth/organizations/current/members/u2/password-reset')).toHaveLength(1);
    await user.click(within(dialog).getByRole('button', { name: 'Done' }));
    expect(screen.queryByRole('dialog')).not.toBeInTheDocument();
  });

  it('says when the reset link was emailed', async () => {
    team({
      extra: {
        'POST /api/auth/organizations/current/members/:id/password-reset': { link: 'x', emailed: true, expires_at: '2099-01-02T00:00:00Z' },
      },
    });
    const user = userEvent.setup();
    await user.click(within(rowOf(await membersTable(), 'Bob Smith')).getByRole('button', { name: 'Reset password of Bob Smith' }));
    await user.click(screen.getByRole('button', { name: 'Create reset link' }));
    expect(await screen.findByText('We emailed Bob Smith a link to choose a new password.')).toBeInTheDocument();
    expect(screen.queryByLabelText('Password reset link')).not.toBeInTheDocument();
  });

  it('offers no password resets when accounts are not local', async () => {
    team({ config: { ...CONFIG, auth_mode: 'supabase' } });
    const members = await membersTable();
    expect(within(members).queryByRole('button', { name: /Reset password/ })).not.toBeInTheDocument();
    expect(within(members).getByRole('button', { name: 'Remove Bob Smith' })).toBeInTheDocument();
  });

  it('renames the organization', async () => {
    const api = team();
    const user = userEvent.setup();
    const name = await screen.findByLabelText('Organization name');
    expect(name).toHaveValue('Acme');
    expect(screen.getByRole('button', { name: 'Save name' })).toBeDisabled();
    await user.clear(name);
    await user.type(name, 'Acme Sales');
    await user.click(screen.getByRole('button', { name: 'Save name' }));
    expect(await screen.findByText('The organization is now called Acme Sales.')).toBeInTheDocument();
    expect(api.callsTo('PATCH', '/api/auth/organizations/current')[0]!.body).toEqual({ name: 'Acme Sales' });
  });

  it('fills in the invite form from a CRM owner', async () => {
    team();
    const user = userEvent.setup();
    const owners = await screen.findByRole('table', { name: 'CRM owners without an account' });
    await user.click(within(owners).getByRole('button', { name: 'Invite Carol Rep' }));
    const email = screen.getByLabelText('Email address');
    expect(email).toHaveValue('carol@acme.com');
    expect(email).toHaveFocus();
  });

  it('offers to try again when the members cannot be loaded', async () => {
    let fail = true;
    team({
      extra: {
        'GET /api/auth/organizations/current/members': () => (fail ? apiError(500, 'internal', 'internal error') : [JANE, BOB]),
      },
    });
    const alert = await screen.findByRole('alert');
    expect(alert).toHaveTextContent('Something went wrong on our side.');
    fail = false;
    await userEvent.setup().click(within(alert).getByRole('button', { name: 'Try again' }));
    expect(await membersTable()).toHaveTextContent('Bob Smith');
  });
});

describe('team page (member)', () => {
  it('shows everything read-only and says admins manage the team', async () => {
    const api = team({ me: BOB });
    expect(await screen.findByText('Admins manage the team.')).toBeInTheDocument();
    const members = await membersTable();
    expect(within(members).getByText('Jane Doe')).toBeInTheDocument();
    expect(within(rowOf(members, 'Jane Doe')).getByText('Admin')).toBeInTheDocument();
    expect(within(members).queryByRole('combobox')).not.toBeInTheDocument();
    expect(within(members).queryByRole('button')).not.toBeInTheDocument();
    expect(within(members).queryByRole('columnheader', { name: 'Actions' })).not.toBeInTheDocument();

    expect(screen.queryByRole('form', { name: 'Invite someone' })).not.toBeInTheDocument();
    expect(screen.queryByLabelText('Organization name')).not.toBeInTheDocument();
    expect(screen.getByText('Acme', { selector: 'dd' })).toBeInTheDocument();
    expect(screen.queryByRole('heading', { name: 'Pending invitations' })).not.toBeInTheDocument();
    expect(api.callsTo('GET', '/api/auth/organizations/current/invitations')).toHaveLength(0);

    const owners = screen.getByRole('table', { name: 'CRM owners without an account' });
    expect(within(owners).getByText('Carol Rep')).toBeInTheDocument();
    expect(within(owners).queryByRole('button')).not.toBeInTheDocument();
    expect(screen.getByText(/When an admin invites one with the same email address/)).toBeInTheDocument();
    expect(screen.getByRole('link', { name: 'your profile' })).toHaveAttribute('href', '/profile');
    await expectAccessible();
  });
});

describe('team page: the organization’s logo', () => {
  /** A team page whose fake server keeps the organization's logo. */
  function withLogo(me: UserView, logo: string | null = null, extra: Record<string, unknown> = {}) {
    let org = { ...ORG, logo_url: logo };
    const api = team({
      me,
      extra: {
        'GET /api/auth/me': () => ({ user: me, organization: org }),
        'PUT /api/auth/organizations/current/logo': () => {
          org = { ...org, logo_url: '/api/images/logo-2' };
          return org;
        },
        'DELETE /api/auth/organizations/current/logo': () => {
          org = { ...org, logo_url: null };
          return org;
        },
        ...extra,
      },
    });
    return { api, uploads: recordUploads(api) };
  }
  const logoGroup = () => screen.findByRole('group', { name: 'Logo' });
  const sidebar = () => screen.getByRole('complementary', { name: 'Sidebar' });

  it('an admin uploads a logo after a preview; the sidebar shows it', async () => {
    const { api, uploads } = withLogo(JANE);
    const user = userEvent.setup();
    const group = await logoGroup();
    expect(within(group).getByText('Shown at the top of the sidebar for everyone in Acme.')).toBeInTheDocument();
    expect(within(sidebar()).queryByRole('img', { name: 'Acme logo' })).not.toBeInTheDocument();
    expect(within(group).queryByRole('button', { name: 'Remove logo' })).not.toBeInTheDocument();

    await user.upload(within(group).getByLabelText('Choose a logo file'), await imageFile('acme.webp', 'image/webp'));
    expect(within(group).getByRole('img', { name: 'Preview of the new logo' })).toBeInTheDocument();
    await user.click(within(group).getByRole('button', { name: 'Save logo' }));
    expect(await screen.findByText('The new logo is saved. Everyone sees it in their sidebar.')).toBeInTheDocument();
    expect(uploads).toEqual([{ method: 'PUT', path: '/api/auth/organizations/current/logo', type: 'image/webp', bytes: PNG_BYTES }]);
    expect(api.callsTo('PUT', '/api/auth/organizations/current/logo')).toHaveLength(1);
    expect(within(group).getByRole('img', { name: 'Acme logo' })).toHaveAttribute('src', '/api/images/logo-2');
    expect(within(sidebar()).getByRole('img', { name: 'Acme logo' })).toHaveAttribute('src', '/api/images/logo-2');
    expect(within(group).getByRole('button', { name: 'Replace logo' })).toBeInTheDocument();
    await expectAccessible();
  });

  it('an admin removes the logo; the sidebar goes back to the Revtops mark', async () => {
    const { api } = withLogo(JANE, '/api/images/logo-1');
    const user = userEvent.setup();
    const group = await logoGroup();
    expect(within(group).getByRole('img', { name: 'Acme logo' })).toHaveAttribute('src', '/api/images/logo-1');
    expect(within(sidebar()).getByRole('img', { name: 'Acme logo' })).toBeInTheDocument();
    await user.click(within(group).getByRole('button', { name: 'Remove logo' }));
    expect(await screen.findByText('The logo was removed.')).toBeInTheDocument();
    expect(api.callsTo('DELETE', '/api/auth/organizations/current/logo')).toHaveLength(1);
    expect(within(group).queryByRole('img', { name: 'Acme logo' })).not.toBeInTheDocument();
    expect(within(sidebar()).queryByRole('img', { name: 'Acme logo' })).not.toBeInTheDocument();
    expect(within(group).getByRole('button', { name: 'Upload a logo' })).toBeInTheDocument();
  });

  it('refuses an SVG or too large logo before sending it, and shows the server’s refusal', async () => {
    const { uploads } = withLogo(JANE, null, {
      'PUT /api/auth/organizations/current/logo': apiError(403, 'forbidden', 'only admins can do this'),
    });
    const user = userEvent.setup({ applyAccept: false });
    const group = await logoGroup();
    const input = within(group).getByLabelText('Choose a logo file');
    await user.upload(input, refusedFile('acme.svg', 'image/svg+xml', 100));
    expect(within(group).getByRole('alert')).toHaveTextContent('SVG images are not accepted');
    await user.upload(input, refusedFile('acme.png', 'image/png', 2 * 1024 * 1024));
    expect(within(group).getByRole('alert')).toHaveTextContent('That image is 2.0 MB; the most is 512 KB.');
    expect(uploads).toHaveLength(0);

    // Someone made Jane a member meanwhile: the server says no.
    await user.upload(input, await imageFile('acme.png', 'image/png'));
    await user.click(within(group).getByRole('button', { name: 'Save logo' }));
    expect(await within(group).findByRole('alert')).toHaveTextContent('Only admins can change the organization’s logo.');
    expect(uploads).toHaveLength(1);
  });

  it('members see the logo and cannot change it', async () => {
    withLogo(BOB, '/api/images/logo-1');
    const group = await logoGroup();
    expect(within(group).getByRole('img', { name: 'Acme logo' })).toHaveAttribute('src', '/api/images/logo-1');
    expect(within(group).queryByRole('button')).not.toBeInTheDocument();
    expect(within(group).queryByLabelText('Choose a logo file')).not.toBeInTheDocument();
    expect(within(sidebar()).getByRole('img', { name: 'Acme logo' })).toBeInTheDocument();
  });

  it('members are told when there is no logo', async () => {
    withLogo(BOB);
    expect(await logoGroup()).toHaveTextContent('Acme has no logo yet. An admin can add one.');
  });
});
