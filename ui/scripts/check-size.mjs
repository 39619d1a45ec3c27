#!/usr/bin/env node
// Checks the JS budget of a production build made with `vite build --manifest`:
//   entry + the chunks it imports statically (preloaded)  <= 150 KB gzip
//   the chat route (entry + ChatPage and its static imports) <= 200 KB gzip
//   the Supabase client is never part of the entry;
//   the SQL editor (CodeMirror) is a lazy chunk of its own, outside the entry and the chat route.
// Prints every chunk's gzip size. Removes the manifest afterwards (it is not shipped).
import { readFile, rm } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';

const dist = fileURLToPath(new URL('../dist/', import.meta.url));
const KB = 1024;
const BUDGET = { entry: 150 * KB, chat: 200 * KB };
const LAZY_ONLY = ['src/features/auth/supabase.ts'];

const manifest = JSON.parse(await readFile(`${dist}.vite/manifest.json`, 'utf8'));
const gz = new Map();
async function size(file) {
  if (!gz.has(file)) gz.set(file, gzipSync(await readFile(dist + file), { level: 9 }).length);
  return gz.get(file);
}

function closure(key, seen = new Set()) {
  if (seen.has(key)) return seen;
  seen.add(key);
  for (const dep of manifest[key]?.imports ?? []) closure(dep, seen);
  return seen;
}

async function total(keys) {
  let sum = 0;
  for (const key of keys) sum += await size(manifest[key].file);
  return sum;
}

const entryKey = Object.keys(manifest).find((k) => manifest[k].isEntry);
const chatKey = Object.keys(manifest).find((k) => k.endsWith('src/features/chat/ChatPage.tsx'));
const entrySet = closure(entryKey);
const chatSet = closure(chatKey, new Set(entrySet));

const rows = [];
for (const [key, chunk] of Object.entries(manifest)) {
  if (!chunk.file.endsWith('.js')) continue;
  rows.push([chunk.file, await size(chunk.file), entrySet.has(key) ? 'entry' : chatSet.has(key) ? 'chat' : 'lazy']);
}
rows.sort((a, b) => b[1] - a[1]);
for (const [file, bytes, kind] of rows) console.log(`${(bytes / KB).toFixed(1).padStart(7)} KB  ${kind.padEnd(5)}  ${file}`);

const entry = await total(entrySet);
const chat = await total(chatSet);
console.log(`\nentry + preloaded: ${(entry / KB).toFixed(1)} KB gzip (budget ${BUDGET.entry / KB} KB)`);
console.log(`chat route total:  ${(chat / KB).toFixed(1)} KB gzip (budget ${BUDGET.chat / KB} KB)`);

const explorerKey = Object.keys(manifest).find((k) => k.endsWith('src/features/explorer/ExplorerPage.tsx'));
const editorKey = Object.keys(manifest).find((k) => k.endsWith('src/features/explorer/SqlEditor.tsx'));
if (explorerKey) {
  const pageSet = closure(explorerKey, new Set(entrySet));
  const page = await total([...pageSet].filter((k) => !entrySet.has(k)));
  const editor = editorKey ? await total([...closure(editorKey, new Set(pageSet))].filter((k) => !pageSet.has(k))) : 0;
  console.log(`explorer page:     ${(page / KB).toFixed(1)} KB gzip beyond the entry; its SQL editor ${(editor / KB).toFixed(1)} KB, loaded lazily`);
}

const problems = [];
if (entry > BUDGET.entry) problems.push('the entry is over budget');
if (chat > BUDGET.chat) problems.push('the chat route is over budget');
for (const src of LAZY_ONLY) {
  const key = Object.keys(manifest).find((k) => k.endsWith(src));
  if (key && entrySet.has(key)) problems.push(`${src} must be loaded lazily`);
}
if (!editorKey || !manifest[editorKey].isDynamicEntry) problems.push('the SQL editor must be its own lazy chunk');
else if (entrySet.has(editorKey) || chatSet.has(editorKey)) problems.push('the SQL editor must stay out of the entry and the chat route');
await rm(`${dist}.vite`, { recursive: true, force: true });
if (problems.length) {
  console.error(`\ncheck:size: ${problems.join('; ')}`);
  process.exit(1);
}
