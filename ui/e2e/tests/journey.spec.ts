/**
 * The first session of a sales manager who has never seen Revtops, in the embedded UI of the one
 * binary: sign up, create the organization, load demo data with one click, ask which deals
 * slipped, watch the answer stream in with its query step, open the SQL and the rows, see the
 * chart, stop an answer, reload in the middle of one and after it, rename and delete a
 * conversation, sign out and back in. Every step writes a screenshot and is checked with axe.
 */
import { expect, test, type Page } from '@playwright/test';
import { apiCall, baseUrl, expectAccessible, MANAGER, shot } from '../support/steps';

test.describe.configure({ mode: 'serial' });

const { email: EMAIL, password: PASSWORD } = MANAGER;

const answers = (page: Page) => page.getByTestId('answer');
const lastAnswer = (page: Page) => answers(page).last();

/** Lengths of the last answer's text seen while it streams, until it is done. */
async function watchStreaming(page: Page): Promise<number[]> {
  const seen: number[] = [];
  const answer = lastAnswer(page);
  await expect(answer).toBeVisible();
  for (let i = 0; i < 600; i++) {
    const streaming = (await answer.getAttribute('data-streaming')) === 'true';
    const length = ((await answer.getByTestId('answer-text').textContent()) ?? '').length;
    if (length > 0 && seen[seen.length - 1] !== length) seen.push(length);
    if (!streaming) break;
    await page.waitForTimeout(100);
  }
  return seen;
}

async function ask(page: Page, question: string): Promise<void> {
  const box = page.getByLabel('Ask a question');
  await box.fill(question);
  await box.press('Enter');
}

async function newConversation(page: Page): Promise<void> {
  await page.getByRole('button', { name: 'New conversation' }).click();
  await expect(page.getByLabel('Ask a question')).toHaveValue('');
}

test('a new sales manager gets from sign-up to a charted answer', async ({ page }) => {
  // The page must run under its Content-Security-Policy without a violation or an uncaught error.
  const problems: string[] = [];
  page.on('pageerror', (error) => problems.push(`uncaught: ${error.message}`));
  page.on('console', (msg) => {
    if (msg.type() === 'error' && /Content Security Policy|Refused to/i.test(msg.text())) problems.push(msg.text());
  });

  await test.step('sign up', async () => {
    await page.goto(`${baseUrl()}/`);
    await expect(page).toHaveURL(/sign-in/);
    await page.goto(`${baseUrl()}/sign-up`);
    await page.getByLabel('Your name').fill('Morgan Lee');
    await page.getByLabel('Work email').fill(EMAIL);
    await page.getByLabel('Password').fill(PASSWORD);
    await shot(page, 'sign-up');
    await expectAccessible(page, 'sign-up');
    await page.getByRole('button', { name: 'Create account' }).click();
  });

  await test.step('create the organization, its name suggested from the email domain', async () => {
    await expect(page.getByRole('heading', { name: 'Set up your workspace' })).toBeVisible();
    await expect(page.getByLabel('Organization name')).toHaveValue(/Northwind/);
    await shot(page, 'create-organization');
    await expectAccessible(page, 'onboarding');
    await page.getByRole('button', { name: 'Create organization' }).click();
  });

  await test.step('load demo data with one click', async () => {
    await expect(page.getByRole('heading', { name: "Let's get some data in" })).toBeVisible();
    await shot(page, 'empty-workspace');
    await expectAccessible(page, 'empty workspace');
    await page.getByRole('button', { name: 'Load demo data' }).click();
    await expect(page.getByRole('button', { name: 'Which deals slipped this quarter?' })).toBeVisible({ timeout: 60_000 });
    await shot(page, 'chat-empty-with-suggestions');
    await expectAccessible(page, 'empty chat');
  });

  let conversationUrl = '';
  await test.step('ask, and watch the answer stream in with its query step', async () => {
    await page.getByRole('button', { name: 'Which deals slipped this quarter?' }).click();
    const step = page.getByTestId('tool-step').first();
    await expect(step).toBeVisible();
    await expect(page).toHaveURL(/\/chat\/[0-9a-f-]{36}/);
    conversationUrl = page.url();
    const lengths = await watchStreaming(page);
    expect(lengths.length, `answer grew in steps: ${lengths.join(' → ')}`).toBeGreaterThanOrEqual(2);
    await expect(lastAnswer(page)).toHaveAttribute('data-streaming', 'false');
    await expect(lastAnswer(page).getByTestId('answer-text')).toContainText('slipped out of this quarter');
    await expect(lastAnswer(page).getByTestId('answer-text').locator('table')).toBeVisible();
    await shot(page, 'answer-streamed');
  });

  await test.step('open the SQL and the rows behind the numbers', async () => {
    const step = page.getByTestId('tool-step').first();
    const toggle = step.getByRole('button', { expanded: false }).first();
    await expect(toggle).toHaveText(/deals · \d+ rows? · [\d.]+ ms/);
    await toggle.click();
    await expect(step.getByTestId('step-sql')).toContainText('original_close_date');
    const rows = step.locator('table tbody tr');
    expect(await rows.count()).toBeGreaterThan(0);
    await expect(step.getByRole('button', { name: 'Copy SQL' })).toBeVisible();
    await expect(step.getByRole('button', { name: 'Download CSV' })).toBeVisible();
    await shot(page, 'tool-step-expanded');
    await expectAccessible(page, 'answer with expanded step');
  });

  await test.step('see the chart, and the report it saved', async () => {
    const chart = page.locator('[data-testid="chart"][data-kind="bar"]').first();
    await expect(chart.locator('svg')).toBeVisible();
    await chart.scrollIntoViewIfNeeded();
    await shot(page, 'chart');
    const artifact = page.getByTestId('artifact').first();
    await expect(artifact).toContainText('Slipped deals this quarter');
    await expect(artifact.locator('[data-testid="chart"] svg')).toBeVisible();
    await artifact.scrollIntoViewIfNeeded();
    await shot(page, 'artifact');
  });

  await test.step('stop an answer in the middle', async () => {
    await newConversation(page);
    await ask(page, 'Write a long pipeline review');
    await expect(lastAnswer(page).getByTestId('answer-text')).toContainText('Paragraph 1');
    await page.getByRole('button', { name: 'Stop' }).click();
    await expect(lastAnswer(page)).toHaveAttribute('data-streaming', 'false');
    const stopped = (await lastAnswer(page).getByTestId('answer-text').textContent()) ?? '';
    expect(stopped).not.toContain('Paragraph 40');
    await page.waitForTimeout(800);
    expect((await lastAnswer(page).getByTestId('answer-text').textContent()) ?? '').toBe(stopped);
    await shot(page, 'stopped');
  });

  let finished = '';
  await test.step('reload in the middle of an answer: it shows what streamed and goes on', async () => {
    await newConversation(page);
    await ask(page, 'Another long review, account by account');
    await expect(lastAnswer(page).getByTestId('answer-text')).toContainText('Paragraph 3');
    const before = (await lastAnswer(page).getByTestId('answer-text').textContent()) ?? '';
    await page.reload();
    const text = lastAnswer(page).getByTestId('answer-text');
    await expect(text).toContainText(before.slice(0, 60));
    await shot(page, 'reloaded-mid-answer');
    await expect(text).toContainText('Paragraph 40', { timeout: 60_000 });
    await expect(lastAnswer(page)).toHaveAttribute('data-streaming', 'false');
    finished = (await text.textContent()) ?? '';
    expect(finished.length).toBeGreaterThan(before.length);
  });

  await test.step('reload after it ended: the same conversation', async () => {
    await page.reload();
    await expect(lastAnswer(page).getByTestId('answer-text')).toHaveText(finished);
    await shot(page, 'reloaded-after');
  });

  await test.step('rename and delete conversations', async () => {
    const list = page.getByRole('navigation', { name: 'Conversations' });
    await expect(list.getByRole('link')).toHaveCount(3);
    await page.goto(conversationUrl);
    await page.getByRole('button', { name: /^Rename Which deals slipped/ }).click();
    const field = page.getByRole('textbox', { name: /title/i });
    await field.fill('Slipped deals Q4');
    await field.press('Enter');
    await expect(list.getByRole('link', { name: 'Slipped deals Q4' })).toBeVisible();
    await page.getByLabel('Search conversations').fill('slipped');
    await expect(list.getByRole('link')).toHaveCount(1);
    await page.getByLabel('Search conversations').fill('');
    await page.getByRole('button', { name: /^Delete Write a long pipeline review/ }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Delete' }).click();
    await expect(list.getByRole('link')).toHaveCount(2);
    await shot(page, 'renamed-and-deleted');
  });

  await test.step('sign out and back in', async () => {
    await page.getByRole('button', { name: /Morgan Lee|Account/ }).click();
    await page.getByRole('menuitem', { name: 'Sign out' }).click();
    await expect(page).toHaveURL(/sign-in/);
    await expect(page.getByLabel('Work email')).toBeVisible();
    await shot(page, 'signed-out');
    await expectAccessible(page, 'sign-in');
    await page.getByLabel('Work email').fill(EMAIL);
    await page.getByLabel('Password').fill(PASSWORD);
    await page.getByRole('button', { name: 'Sign in' }).click();
    const list = page.getByRole('navigation', { name: 'Conversations' });
    await expect(list.getByRole('link', { name: 'Slipped deals Q4' })).toBeVisible();
    await shot(page, 'signed-in-again');
  });

  await test.step('the same at 1024 px', async () => {
    await page.setViewportSize({ width: 1024, height: 768 });
    await page.goto(conversationUrl);
    await expect(lastAnswer(page).getByTestId('answer-text')).toContainText('slipped out of this quarter');
    await expect(page.getByRole('navigation', { name: 'Conversations' })).toBeVisible();
    await shot(page, 'chat-1024');
    await expectAccessible(page, 'chat at 1024 px');
  });

  await test.step('the same on a phone', async () => {
    await page.setViewportSize({ width: 390, height: 844 });
    await page.goto(conversationUrl);
    await expect(lastAnswer(page).getByTestId('answer-text')).toContainText('slipped out of this quarter');
    await shot(page, 'phone-chat');
    await expectAccessible(page, 'chat on a phone');
  });

  expect(problems, 'CSP violations or uncaught errors on the page').toEqual([]);
});

/** Calls the API as `token` (or without one) and returns the parsed JSON body. */
test('the manager brings a colleague in, and gets them back in after a forgotten password', async ({ page, request }) => {
  // Sign-up closed after the first person: a colleague comes in through an invitation link.
  const admin = (await apiCall(request, 'POST', '/auth/login', undefined, { email: EMAIL, password: PASSWORD })) as { token: string };
  const config = (await apiCall(request, 'GET', '/config')) as { signup_open: boolean };
  expect(config.signup_open).toBe(false);
  const invitation = (await apiCall(request, 'POST', '/auth/organizations/current/invitations', admin.token, {
    email: 'jamie@northwind-traders.com',
  })) as { link: string; emailed: boolean };
  expect(invitation.emailed).toBe(false);

  await test.step('the colleague accepts the invitation', async () => {
    await page.goto(`${baseUrl()}${invitation.link}`);
    await expect(page.getByRole('heading', { name: /Join Northwind Traders on Revtops/ })).toBeVisible();
    await page.getByLabel('Your name').fill('Jamie Fox');
    await page.getByLabel('Password').fill('jamie-first-password');
    await shot(page, 'invitation');
    await expectAccessible(page, 'invitation');
    await page.getByRole('button', { name: 'Create account' }).click();
    await expect(page.getByLabel('Ask a question')).toBeVisible();
  });

  await test.step('an admin issues a reset link; the colleague chooses a new password', async () => {
    const members = (await apiCall(request, 'GET', '/auth/organizations/current/members', admin.token)) as unknown as {
      id: string;
      email: string;
    }[];
    const jamie = members.find((m) => m.email === 'jamie@northwind-traders.com');
    expect(jamie).toBeTruthy();
    const reset = (await apiCall(request, 'POST', `/auth/organizations/current/members/${jamie!.id}/password-reset`, admin.token)) as {
      link: string;
    };
    await page.context().clearCookies();
    await page.evaluate(() => window.localStorage.clear());
    await page.goto(`${baseUrl()}${reset.link}`);
    await expect(page.getByRole('heading', { name: 'Choose a new password' })).toBeVisible();
    await page.getByLabel('New password', { exact: true }).fill('jamie-second-password');
    await page.getByLabel('Repeat the new password').fill('jamie-second-password');
    await shot(page, 'reset-password');
    await expectAccessible(page, 'reset password');
    await page.getByRole('button', { name: 'Save and sign in' }).click();
    await expect(page.getByLabel('Ask a question')).toBeVisible();
    // The link worked once.
    await page.goto(`${baseUrl()}${reset.link}`);
    await page.getByLabel('New password', { exact: true }).fill('jamie-third-password');
    await page.getByLabel('Repeat the new password').fill('jamie-third-password');
    await page.getByRole('button', { name: 'Save and sign in' }).click();
    await expect(page.getByText('This reset link is no longer valid.')).toBeVisible();
    await shot(page, 'reset-link-used');
  });

  await test.step('an old verification link says so', async () => {
    await page.goto(`${baseUrl()}/verify-email/not-a-real-token`);
    await expect(page.getByText('This verification link is no longer valid.')).toBeVisible();
    await shot(page, 'verify-link-invalid');
    await expectAccessible(page, 'verify email');
  });
});
