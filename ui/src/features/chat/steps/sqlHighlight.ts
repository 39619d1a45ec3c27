/**
 * A small PostgreSQL tokenizer for highlighting the SQL of a tool step. Loaded with `import()`
 * when a step is first expanded, so its word lists stay out of the chat route. The tokens always
 * join back to the exact input: highlighting never changes what is shown or copied.
 */

export type SqlTokenKind = 'keyword' | 'function' | 'type' | 'string' | 'number' | 'comment' | 'identifier' | 'operator' | 'plain';

export interface SqlToken {
  kind: SqlTokenKind;
  text: string;
}

const KEYWORDS = new Set(
  `select from where and or not in is null as on join left right full inner outer cross lateral natural using group by order
  having limit offset fetch first next rows row only with recursive materialized union all intersect except distinct case when
  then else end between like ilike similar exists any some asc desc nulls last true false interval over partition window
  filter within range preceding following current unbounded values into insert update delete set returning create table drop
  alter grant revoke explain analyze cast collate at time zone escape tablesample`.split(/\s+/),
);

const TYPES = new Set(
  `int int2 int4 int8 integer bigint smallint numeric decimal real float float4 float8 double precision text varchar char
  character boolean bool date timestamp timestamptz uuid json jsonb money`.split(/\s+/),
);

const PATTERNS: [SqlTokenKind, RegExp][] = [
  ['comment', /^--[^\n]*/],
  ['comment', /^\/\*[\s\S]*?(\*\/|$)/],
  ['string', /^[eE]?'(?:[^']|'')*(?:'|$)/],
  ['string', /^(\$\w*\$)[\s\S]*?(\1|$)/],
  ['identifier', /^"(?:[^"]|"")*(?:"|$)/],
  ['number', /^\d+(?:\.\d*)?(?:[eE][+-]?\d+)?|^\.\d+(?:[eE][+-]?\d+)?/],
  ['plain', /^\s+/],
  ['identifier', /^[A-Za-z_][\w$]*/],
  ['operator', /^(?:::|<>|!=|<=|>=|\|\||[-+*/%<>=~!@#^&|])/],
  ['plain', /^[\s\S]/],
];

export function tokenizeSql(sql: string): SqlToken[] {
  const out: SqlToken[] = [];
  let rest = sql;
  while (rest.length > 0) {
    for (const [kind, pattern] of PATTERNS) {
      const match = pattern.exec(rest);
      if (!match || match[0].length === 0) continue;
      const text = match[0];
      let final = kind;
      if (kind === 'identifier' && !text.startsWith('"')) {
        const word = text.toLowerCase();
        const next = rest.slice(text.length).trimStart();
        if (KEYWORDS.has(word)) final = 'keyword';
        else if (TYPES.has(word)) final = 'type';
        else if (next.startsWith('(')) final = 'function';
      }
      const last = out.at(-1);
      if (last && last.kind === final && (final === 'plain' || final === 'operator')) last.text += text;
      else out.push({ kind: final, text });
      rest = rest.slice(text.length);
      break;
    }
  }
  return out;
}
