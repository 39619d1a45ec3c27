/** What clicking a table or column in the schema puts into the query, and where. */

const PLAIN = /^[a-z_][a-z0-9_]*$/;
// Names that would be read as keywords where a table or column belongs.
const RESERVED = new Set([
  'all', 'and', 'any', 'as', 'asc', 'case', 'check', 'column', 'constraint', 'create', 'default', 'desc', 'distinct',
  'do', 'else', 'end', 'false', 'for', 'from', 'grant', 'group', 'having', 'in', 'into', 'is', 'join', 'limit', 'not',
  'null', 'offset', 'on', 'or', 'order', 'select', 'table', 'then', 'to', 'true', 'union', 'user', 'using', 'when',
  'where', 'window', 'with',
]);

/** A PostgreSQL identifier as it must be typed: plain when it can be, double-quoted otherwise. */
export function quoteIdent(name: string): string {
  return PLAIN.test(name) && !RESERVED.has(name) ? name : `"${name.replaceAll('"', '""')}"`;
}

// After these (or at the start) no space is needed before a name; before these none after it.
const OPENS = /[\s(.,]$/;
const CLOSES = /^[\s).,;]/;

/**
 * The text to insert between `before` and `after` (the document around the cursor): the name,
 * with a space on either side when it would otherwise run into a neighbouring word.
 */
export function spacedInsert(name: string, before: string, after: string): string {
  const lead = before === '' || OPENS.test(before) ? '' : ' ';
  const trail = after === '' || CLOSES.test(after) ? '' : ' ';
  return `${lead}${name}${trail}`;
}
