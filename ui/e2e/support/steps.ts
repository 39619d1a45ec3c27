/** Helpers shared by the journey: screenshots named by step, and the accessibility check. */
import AxeBuilder from '@axe-core/playwright';
import { expect, type Page } from '@playwright/test';
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
