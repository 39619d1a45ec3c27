/**
 * Part 2: a team runs Revtops. The manager from the first journey connects HubSpot through
 * Nango's Connect UI (stubbed by route interception; the fake Nango and a fake HubSpot portal of a
 * few thousand records answer the server) and watches the sync, sees a failed sync explained,
 * keeps a chat answer on a dashboard, checks numbers in the SQL explorer, and brings a colleague
 * in and out of the team. Every step writes a screenshot and is checked with axe.
 */
import { type APIRequestContext, type BrowserContext, expect, type Page, test } from '@playwright/test';
import { readFileSync } from 'node:fs';
import { SLIPPED_SQL } from '../support/fake-anthropic';
import { CONNECT_UI_URL } from '../support/global-setup';
import { apiCall, baseUrl, expectAccessible, fakes, MANAGER, psqlRows, shot, signIn } from '../support/steps';

test.describe.configure({ mode: 'serial' });

/**
 * Nango's Connect UI, stubbed: a page that speaks the SDK's postMessage protocol (ready →
 * session_token → connect → close). Its button completes the connection at the fake Nango the way
 * a person finishing HubSpot's consent would.
 */
async function stubConnectUi(context: BrowserContext, request: APIRequestContext): Promise<void> {
  await context.route(`${CONNECT_UI_URL}/**`, async (route) => {
    const url = new URL(route.request().url());
    if (url.pathname === '/complete') {
      await route.fulfill({ json: await fakes(request, 'connect') });
      return;
    }
    await route.fulfill({
      contentType: 'text/html',
      body: `<!doctype html><html lang="en"><head><title>Connect HubSpot</title></head>
<body style="font-family: sans-serif; background: rgba(15,23,42,.6); margin: 0">
<main style="background: white; max-width: 24rem; margin: 6rem auto; padding: 2rem; border-radius: 1rem">
  <h1>Connect HubSpot</h1>
  <p id="state">Waiting for the session…</p>
  <button id="go" disabled>Allow access</button>
</main>
<script>
  window.addEventListener('message', (event) => {
    if (event.data && event.data.type === 'session_token') {
      document.getElementById('state').textContent = 'Revtops asks to read your CRM.';
      document.getElementById('go').disabled = false;
    }
  });
  document.getElementById('go').addEventListener('click', async () => {
    const c = await (await fetch('/complete', { method: 'POST' })).json();
    parent.postMessage({ type: 'connect', payload: { connectionId: c.connection_id, providerConfigKey: c.provider_config_key } }, '*');
    parent.postMessage({ type: 'close' }, '*');
  });
  parent.postMessage({ type: 'ready' }, '*');
</script></body></html>`,
    });
  });
}

/**
 * The manager and their workspace with demo data: made by the first journey, or here when this
 * file runs on its own.
 */
test.beforeAll(async ({ request }) => {
  const login = await request.post(`${baseUrl()}/api/auth/login`, { data: { email: MANAGER.email, password: MANAGER.password } });
  if (login.ok()) return;
  const session = (await apiCall(request, 'POST', '/auth/register', undefined, { ...MANAGER, name: 'Morgan Lee' })) as { token: string };
  await apiCall(request, 'POST', '/auth/organizations', session.token, { name: 'Northwind Traders' });
  await apiCall(request, 'POST', '/workspace/demo', session.token);
  await expect
    .poll(async () => ((await apiCall(request, 'GET', '/workspace', session.token)) as { demo: { status: string } }).demo.status, {
      timeout: 120_000,
    })
    .toBe('succeeded');
});

function hubspotCard(page: Page) {
  return page.getByRole('article', { name: 'HubSpot' });
}

test('the manager connects HubSpot, watches it sync, and sees a failed sync explained', async ({ page, context, request }) => {
  const problems: string[] = [];
  page.on('pageerror', (error) => problems.push(`uncaught: ${error.message}`));
  page.on('console', (msg) => {
    if (msg.type() === 'error' && /Content Security Policy|Refused to/i.test(msg.text())) problems.push(msg.text());
  });
  await stubConnectUi(context, request);
  // A real portal is not on loopback: each answer waits, so the sync takes long enough to watch.
  await fakes(request, 'latency?ms=120');
  await signIn(page, MANAGER.email, MANAGER.password);

  await test.step('the data sources page offers to connect HubSpot', async () => {
    await page.getByRole('link', { name: 'Data sources' }).click();
    await expect(hubspotCard(page).getByRole('status').first()).toHaveText(/Not connected/);
    await shot(page, 'sources-not-connected');
    await expectAccessible(page, 'data sources');
  });

  await test.step("connect through Nango's Connect UI", async () => {
    await hubspotCard(page).getByRole('button', { name: 'Connect HubSpot' }).click();
    const connectUi = page.frameLocator('iframe#connect-ui');
    await expect(connectUi.getByText('Revtops asks to read your CRM.')).toBeVisible();
    await shot(page, 'nango-connect-ui');
    await connectUi.getByRole('button', { name: 'Allow access' }).click();
  });

  await test.step('the first sync runs with a live progress bar, then finishes with counts', async () => {
    const bar = hubspotCard(page).getByRole('progressbar', { name: 'HubSpot sync progress' });
    await expect(bar).toBeVisible({ timeout: 30_000 });
    const seen = new Set<string>();
    let shotTaken = false;
    for (let i = 0; i < 600 && (await bar.isVisible()); i++) {
      const text = await bar.getAttribute('aria-valuetext', { timeout: 500 }).catch(() => null);
      if (text) seen.add(text);
      if (!shotTaken && seen.size >= 2) {
        await shot(page, 'sync-in-progress');
        shotTaken = true;
      }
      await page.waitForTimeout(200);
    }
    expect(seen.size, `the bar moved: ${[...seen].join(' / ')}`).toBeGreaterThanOrEqual(2);
    await expect(hubspotCard(page).getByRole('status').first()).toHaveText(/Synced|Connected/, { timeout: 120_000 });
    const deals = Number(psqlRows("SELECT count(*) FROM deals WHERE source_system = 'hubspot'")[0]![0]);
    expect(deals).toBeGreaterThan(0);
    await expect(hubspotCard(page)).toContainText(deals.toLocaleString('en-US'));
    await shot(page, 'sync-finished');
    await expectAccessible(page, 'data sources after sync');
  });

  await test.step('a failed sync says what went wrong in words', async () => {
    await fakes(request, 'latency?ms=0');
    await fakes(request, 'fail?status=503&n=100000');
    await hubspotCard(page).getByRole('button', { name: 'Sync now' }).click();
    await expect(hubspotCard(page).getByRole('status').first()).toHaveText(/failed/i, { timeout: 60_000 });
    await expect(hubspotCard(page)).toContainText(/HubSpot/);
    await expect(hubspotCard(page).getByText('Technical details')).toBeVisible();
    await shot(page, 'sync-failed');
    await expectAccessible(page, 'failed sync');
    await fakes(request, 'heal');
  });

  expect(problems).toEqual([]);
});

test('the manager connects Slack with a bot token and watches a throttled backfill', async ({ page }) => {
  await signIn(page, MANAGER.email, MANAGER.password);
  await page.getByRole('link', { name: 'Data sources' }).click();
  const slack = page.getByRole('article', { name: 'Slack' });
  await slack.getByRole('button', { name: 'Use a token instead' }).click();
  const token = slack.getByLabel('Bot token');
  await token.fill('xoxp-not-a-bot-token');
  await slack.getByRole('button', { name: 'Save and sync' }).click();
  await expect(slack.getByRole('alert')).toContainText('xoxb-');
  await shot(page, 'slack-token-refused');
  await expectAccessible(page, 'slack token form');
  await token.fill(process.env.E2E_SLACK_TOKEN ?? '');
  await slack.getByRole('button', { name: 'Save and sync' }).click();
  // The fake lets one history read through every 3 s (Slack limits every app per minute, most
  // tightly those outside its marketplace): the card says so instead of looking stuck.
  await expect(slack.getByText(/Slack is limiting how fast we can read|Waiting for Slack’s rate limit/)).toBeVisible({
    timeout: 30_000,
  });
  await shot(page, 'slack-throttled');
  await expectAccessible(page, 'throttled slack sync');
  await expect(slack.getByRole('status').first()).toHaveText(/Synced|Connected/, { timeout: 60_000 });
  await expect(slack).toContainText('Connected with a token');
  await expect(slack).not.toContainText(process.env.E2E_SLACK_TOKEN ?? 'never');
  const messages = Number(psqlRows("SELECT count(*) FROM activities WHERE source_system = 'slack'")[0]![0]);
  // 450 messages, every fifth with a thread of two replies.
  expect(messages).toBe(450 + 90 * 2);
  await shot(page, 'slack-synced');
});

test('the manager brings a colleague onto the team, changes their role and removes them', async ({ page, browser }) => {
  await signIn(page, MANAGER.email, MANAGER.password);
  let link = '';

  await test.step('invite by email; no mail is configured, so the link is shown to copy', async () => {
    await page.getByRole('link', { name: 'Team' }).click();
    await page.getByLabel('Email address').fill('riley@northwind-traders.com');
    await page.getByRole('button', { name: 'Invite', exact: true }).click();
    const field = page.getByRole('textbox', { name: 'Invitation link' });
    await expect(field).toBeVisible();
    link = await field.inputValue();
    expect(link).toMatch(new RegExp(`^${baseUrl()}/invite/`));
    await shot(page, 'team-invited');
    await expectAccessible(page, 'team');
  });

  await test.step('the colleague accepts in their own browser', async () => {
    const theirs = await browser.newContext();
    const colleague = await theirs.newPage();
    await colleague.goto(link);
    await colleague.getByLabel('Your name').fill('Riley Chen');
    await colleague.getByLabel('Password').fill('riley-first-password');
    await colleague.getByRole('button', { name: 'Create account' }).click();
    await expect(colleague.getByLabel('Ask a question')).toBeVisible();
    await shot(colleague, 'colleague-joined');
    await theirs.close();
  });

  await test.step('the admin makes them an admin, then removes them', async () => {
    await page.reload();
    const role = page.getByLabel('Role of Riley Chen');
    await expect(role).toHaveValue('member');
    await role.selectOption('admin');
    await page.reload();
    await expect(page.getByLabel('Role of Riley Chen')).toHaveValue('admin');
    await shot(page, 'team-role-changed');
    await page.getByRole('button', { name: 'Remove Riley Chen' }).click();
    const dialog = page.getByRole('dialog', { name: 'Remove Riley Chen' });
    await expect(dialog).toContainText('conversations');
    await shot(page, 'team-remove-confirm');
    await expectAccessible(page, 'remove member dialog');
    await dialog.getByRole('button', { name: 'Remove Riley Chen' }).click();
    await expect(page.getByLabel('Role of Riley Chen')).toHaveCount(0);
    await shot(page, 'team-removed');
  });
});

/** A CSV file as rows (RFC 4180, as the server writes it: BOM, CRLF, quotes doubled). */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  const body = text.replace(/^\uFEFF/, '');
  for (let i = 0; i < body.length; i++) {
    const c = body[i]!;
    if (quoted) {
      if (c === '"' && body[i + 1] === '"') {
        field += '"';
        i++;
      } else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') {
      row.push(field);
      field = '';
    } else if (c === '\r' && body[i + 1] === '\n') {
      row.push(field);
      rows.push(row);
      row = [];
      field = '';
      i++;
    } else field += c;
  }
  return rows;
}

test('a chat answer goes on a dashboard, is redrawn as a pie and exported as CSV', async ({ page }) => {
  await signIn(page, MANAGER.email, MANAGER.password);
  let title = '';

  await test.step('ask, then pin the query step to a new dashboard', async () => {
    await page.getByRole('button', { name: 'New conversation' }).click();
    await page.getByLabel('Ask a question').fill('Which deals slipped this quarter?');
    await page.getByLabel('Ask a question').press('Enter');
    const answer = page.getByTestId('answer').last();
    await expect(answer).toHaveAttribute('data-streaming', 'false', { timeout: 60_000 });
    const step = page.getByTestId('tool-step').first();
    await step.getByRole('button', { expanded: false }).first().click();
    await step.getByRole('button', { name: 'Pin to dashboard' }).click();
    const dialog = page.getByRole('dialog', { name: 'Pin to dashboard' });
    title = await dialog.getByLabel('Name', { exact: true }).inputValue();
    expect(title.length).toBeGreaterThan(0);
    await dialog.getByLabel('A new dashboard').check();
    await dialog.getByLabel('Name of the new dashboard').fill('Pipeline review');
    await shot(page, 'pin-dialog');
    await expectAccessible(page, 'pin dialog');
    await dialog.getByRole('button', { name: 'Pin', exact: true }).click();
    await expect(dialog).toBeHidden();
  });

  const tile = page.getByTestId('tile').first();
  await test.step('the dashboard shows it as a chart; switch it to a pie, which stays', async () => {
    await page.getByRole('link', { name: 'Dashboards' }).click();
    await page.getByRole('link', { name: 'Pipeline review' }).click();
    await expect(tile).toHaveAttribute('data-kind', 'bar');
    await expect(tile.locator('[data-testid="chart"] svg')).toBeVisible();
    await shot(page, 'dashboard');
    await expectAccessible(page, 'dashboard');
    await tile.getByRole('button', { name: `Options for ${title}` }).click();
    await page.getByRole('menuitemradio', { name: 'Pie chart' }).click();
    await expect(tile).toHaveAttribute('data-kind', 'pie');
    await page.reload();
    await expect(tile).toHaveAttribute('data-kind', 'pie');
    await expect(tile.locator('[data-testid="chart"] svg')).toBeVisible();
    await expect(tile).toContainText(/Data read/);
    await shot(page, 'dashboard-pie');
  });

  await test.step("export the tile's CSV: its rows are the database's", async () => {
    await tile.getByRole('button', { name: `Options for ${title}` }).click();
    const download = page.waitForEvent('download');
    await page.getByRole('menuitem', { name: 'Export CSV' }).click();
    const file = await (await download).path();
    const rows = parseCsv(readFileSync(file, 'utf8'));
    expect(rows[0]).toEqual(['rep', 'deals', 'amount']);
    // The fake model's query, run straight on the database (one organization holds deals).
    const truth = psqlRows(SLIPPED_SQL.replace(/\s+/g, ' '));
    expect(truth.length).toBeGreaterThan(0);
    expect(rows.slice(1)).toEqual(truth);
  });
});

test('the SQL explorer completes a column, runs, explains a refusal and saves an artifact', async ({ page, request }) => {
  await signIn(page, MANAGER.email, MANAGER.password);
  const editor = page.getByRole('textbox', { name: 'SQL query' });
  const clear = async () => {
    await editor.click();
    await page.keyboard.press('ControlOrMeta+a');
    await page.keyboard.press('Backspace');
  };

  await test.step('autocomplete a column from the schema, run with Ctrl+Enter, see the grid', async () => {
    await page.getByRole('link', { name: 'SQL explorer' }).click();
    await expect(page.getByRole('list', { name: 'Tables' })).toContainText('deals');
    await clear();
    await page.keyboard.type('SELECT name, deals.amo');
    const option = page.getByRole('option', { name: /amount/ }).first();
    await expect(option).toBeVisible();
    await shot(page, 'explorer-autocomplete');
    await page.keyboard.press('Enter');
    await page.keyboard.type(' FROM deals WHERE amount IS NOT NULL ORDER BY amount DESC LIMIT 50');
    await expect(editor).toContainText('deals.amount FROM deals');
    await page.keyboard.press('ControlOrMeta+Enter');
    const grid = page.getByRole('grid', { name: 'Query results' }).or(page.getByRole('table', { name: 'Query results' }));
    await expect(grid.first()).toBeVisible();
    await expect(page.getByText(/50 rows/)).toBeVisible();
    await shot(page, 'explorer-results');
    await expectAccessible(page, 'explorer');
  });

  await test.step("a refused query shows the gate's reason next to the editor", async () => {
    await clear();
    await page.keyboard.type('SELECT rolname FROM pg_roles');
    await page.keyboard.press('ControlOrMeta+Enter');
    const alert = page.getByRole('alert');
    await expect(alert).toContainText(/pg_roles/);
    await expect(editor).toContainText('pg_roles');
    await shot(page, 'explorer-refused');
  });

  await test.step('save a query as an artifact', async () => {
    await clear();
    await page.keyboard.type('SELECT stage, count(*) AS deals FROM deals GROUP BY stage ORDER BY 2 DESC');
    await page.getByRole('button', { name: 'Save as artifact' }).click();
    const dialog = page.getByRole('dialog', { name: 'Save as artifact' });
    await dialog.getByLabel('Title').fill('Deals by stage');
    await shot(page, 'explorer-save');
    await dialog.getByRole('button', { name: 'Save', exact: true }).click();
    await expect(dialog).toBeHidden();
    const session = (await apiCall(request, 'POST', '/auth/login', undefined, MANAGER)) as { token: string };
    const artifacts = (await apiCall(request, 'GET', '/artifacts', session.token)) as unknown as { title: string; queries: { sql: string }[] }[];
    const saved = artifacts.find((a) => a.title === 'Deals by stage');
    expect(saved?.queries[0]?.sql).toContain('GROUP BY stage');
  });
});

test('the team pages work on a phone', async ({ page }) => {
  await page.setViewportSize({ width: 390, height: 844 });
  await signIn(page, MANAGER.email, MANAGER.password);
  for (const [path, heading, name] of [
    ['/sources', 'Data sources', 'phone-sources'],
    ['/dashboards', 'Dashboards', 'phone-dashboards'],
    ['/explorer', 'SQL explorer', 'phone-explorer'],
    ['/team', 'Team', 'phone-team'],
    ['/profile', 'Your profile', 'phone-profile'],
  ] as const) {
    await test.step(path, async () => {
      await page.goto(`${baseUrl()}${path}`);
      await expect(page.getByRole('heading', { level: 1, name: heading })).toBeVisible();
      if (path === '/explorer') await expect(page.getByRole('textbox', { name: 'SQL query' })).toBeVisible();
      // Nothing wider than the screen: the page itself never scrolls sideways.
      const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
      expect(overflow, `${path} fits a 390 px screen`).toBeLessThanOrEqual(0);
      await shot(page, name);
      await expectAccessible(page, `${path} on a phone`);
    });
  }
});
