/**
 * The table a query is mainly about, for the step's one-line summary ("Querying deals…"): the
 * first table in the FROM of the outermost SELECT, looking through sub-queries and CTE names to
 * the table they read. A rough reader, not a parser: it only has to name the table people expect.
 */

type Tok = { kind: 'word' | 'ident' | 'punct'; text: string };

function tokens(sql: string): Tok[] {
  const out: Tok[] = [];
  let i = 0;
  while (i < sql.length) {
    const c = sql[i]!;
    const rest = sql.slice(i);
    if (/\s/.test(c)) i += 1;
    else if (rest.startsWith('--')) i = sql.indexOf('\n', i) < 0 ? sql.length : sql.indexOf('\n', i);
    else if (rest.startsWith('/*')) i = sql.indexOf('*/', i + 2) < 0 ? sql.length : sql.indexOf('*/', i + 2) + 2;
    else if (c === "'") {
      i += 1;
      while (i < sql.length && !(sql[i] === "'" && sql[i + 1] !== "'")) i += sql[i] === "'" ? 2 : 1;
      i += 1;
    } else if (c === '$' && /^\$\w*\$/.test(rest)) {
      const tag = /^\$\w*\$/.exec(rest)![0];
      const end = sql.indexOf(tag, i + tag.length);
      i = end < 0 ? sql.length : end + tag.length;
    } else if (c === '"') {
      const end = sql.indexOf('"', i + 1);
      out.push({ kind: 'ident', text: sql.slice(i + 1, end < 0 ? sql.length : end) });
      i = end < 0 ? sql.length : end + 1;
    } else if (/[A-Za-z_]/.test(c)) {
      const word = /^[A-Za-z_][\w$]*/.exec(rest)![0];
      out.push({ kind: 'word', text: word.toLowerCase() });
      i += word.length;
    } else {
      if ('(),.;'.includes(c)) out.push({ kind: 'punct', text: c });
      i += 1;
    }
  }
  return out;
}

const isName = (t: Tok | undefined) => t !== undefined && t.kind !== 'punct';
const is = (t: Tok | undefined, text: string) => t !== undefined && t.kind !== 'ident' && t.text === text;

/** Index just past the bracket closing the one at `open`. */
function closing(toks: Tok[], open: number): number {
  let depth = 0;
  for (let i = open; i < toks.length; i += 1) {
    if (is(toks[i], '(')) depth += 1;
    else if (is(toks[i], ')') && --depth === 0) return i + 1;
  }
  return toks.length;
}

const SKIP_AFTER_FROM = new Set(['only', 'lateral']);

/** The first table read by the statement in toks[start, end). */
function subject(toks: Tok[], start: number, end: number, ctes: Map<string, [number, number]>, seen: Set<string>): string | null {
  let i = start;
  if (is(toks[i], 'with')) {
    i += 1;
    if (is(toks[i], 'recursive')) i += 1;
    while (i < end && isName(toks[i])) {
      const name = toks[i]!.text;
      i += 1;
      if (is(toks[i], '(')) i = closing(toks, i); // column list
      while (i < end && !is(toks[i], '(')) i += 1; // AS [NOT] [MATERIALIZED]
      const after = closing(toks, i);
      ctes.set(name, [i + 1, after - 1]);
      i = after;
      if (!is(toks[i], ',')) break;
      i += 1;
    }
  }
  for (; i < end; i += 1) {
    if (is(toks[i], '(')) {
      i = closing(toks, i) - 1; // nested selects are not the outer FROM
      continue;
    }
    if (!is(toks[i], 'from')) continue;
    let j = i + 1;
    while (SKIP_AFTER_FROM.has(toks[j]?.text ?? '') && toks[j]?.kind === 'word') j += 1;
    if (is(toks[j], '(')) {
      const found = subject(toks, j + 1, closing(toks, j) - 1, ctes, seen);
      if (found) return found;
      continue;
    }
    if (!isName(toks[j])) continue;
    let name = toks[j]!.text;
    while (is(toks[j + 1], '.') && isName(toks[j + 2])) {
      j += 2;
      name = toks[j]!.text;
    }
    if (is(toks[j + 1], '(')) continue; // a set-returning function, not a table
    const cte = ctes.get(name);
    if (cte && !seen.has(name)) {
      seen.add(name);
      return subject(toks, cte[0], cte[1], ctes, seen) ?? name;
    }
    return name;
  }
  return null;
}

export function mainTable(sql: string | null): string | null {
  if (!sql) return null;
  const toks = tokens(sql);
  return subject(toks, 0, toks.length, new Map(), new Set());
}
