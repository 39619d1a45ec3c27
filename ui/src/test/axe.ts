import axe from 'axe-core';
import { expect } from 'vitest';

/**
 * Fails on serious or critical accessibility violations. Colour contrast needs a real layout
 * engine, so it is left to the browser checks.
 */
export async function expectAccessible(container: Element = document.body): Promise<void> {
  const results = await axe.run(container, {
    rules: { 'color-contrast': { enabled: false } },
    resultTypes: ['violations'],
  });
  const serious = results.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.id}: ${v.help} — ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
  expect(serious).toEqual([]);
}
