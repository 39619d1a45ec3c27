/** Helpers shared by the journey: screenshots named by step, and the accessibility check. */
import AxeBuilder from '@axe-core/playwright';
import { type APIRequestContext, expect, type Page } from '@playwright/test';
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const shots = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', 'screenshots');
let counter = 0;

export const baseUrl = () => {
  const url = process.env.E2E_BASE_URL;
  if (!url) throw new Error('E2E_BASE_URL is not set: run through playwright (global setup starts the server)');
  return url;
};

/** Writes `screenshots/NN-name.png` of the whole page. */
export async function shot(page: Page, name: string): Promise<void> {
  counter += 1;
  const file = `${String(counter).padStart(2, '0')}-${name}.png`;
  await page.screenshot({ path: path.join(shots, file), fullPage: true });
}

/** No serious or critical axe violation on the page as it is now. */
export async function expectAccessible(page: Page, where: string): Promise<void> {
  const results = await new AxeBuilder({ page }).analyze();
  const bad = results.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.id} (${v.impact}): ${v.help} — ${v.nodes.map((n) => n.target.join(' ')).slice(0, 3).join('; ')}`);
  expect(bad, `axe on ${where}`).toEqual([]);
}

/** The manager the journeys sign in as (the first journey creates them). */
export const MANAGER = { email: 'morgan@northwind-traders.com', password: 'pipeline-review-2026' };

/** A JSON call to the API that must succeed; the parsed body (null for 204). */
export async function apiCall(
  request: APIRequestContext,
  method: 'GET' | 'POST' | 'PATCH' | 'DELETE' | 'PUT',
  path: string,
  token?: string,
  data?: unknown,
): Promise<Record<string, unknown> | null> {
  const response = await request.fetch(`${baseUrl()}/api${path}`, {
    method,
    headers: token ? { Authorization: `Bearer ${token}` } : {},
    ...(data === undefined ? {} : { data }),
  });
  expect(response.ok(), `${method} ${path}: ${response.status()} ${await response.text()}`).toBe(true);
  return response.status() === 204 ? null : ((await response.json()) as Record<string, unknown>);
}

/** Signs in through the sign-in page and waits for the chat. */
export async function signIn(page: Page, email: string, password: string): Promise<void> {
  await page.goto(`${baseUrl()}/sign-in`);
  await page.getByLabel('Work email').fill(email);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page.getByLabel('Ask a question')).toBeVisible();
}

/** Steers the fake Nango and HubSpot (examples/e2e_fakes.rs). */
export async function fakes(request: APIRequestContext, command: string): Promise<unknown> {
  const url = process.env.E2E_CONTROL_URL;
  if (!url) throw new Error('E2E_CONTROL_URL is not set: run through playwright (global setup starts the fakes)');
  const response = await request.post(`${url}/${command}`);
  expect(response.ok(), `fakes ${command}: ${response.status()}`).toBe(true);
  return response.json();
}

/** Rows of a query on the test database, as psql prints them unaligned (`|`-separated). */
export function psqlRows(sql: string): string[][] {
  const database = process.env.E2E_DATABASE;
  if (!database) throw new Error('E2E_DATABASE is not set');
  const out = spawnSync('psql', ['-h', '127.0.0.1', '-U', 'postgres', '-d', database, '-AtXc', sql], { encoding: 'utf8' });
  if (out.status !== 0) throw new Error(`psql failed: ${out.stderr}`);
  return out.stdout
    .split('\n')
    .filter((line) => line.length > 0)
    .map((line) => line.split('|'));
}
