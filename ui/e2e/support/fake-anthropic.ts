/**
 * A fake Anthropic Messages API for the end-to-end tests: `POST /v1/messages` answers with the
 * real streaming wire format (message_start, content_block_* with text_delta / input_json_delta,
 * message_delta, message_stop), paced so the browser sees an answer grow. Which answer depends on
 * the conversation's first question, so tests choose by asking:
 *
 * - "Which deals slipped this quarter?": runs a SQL query with a bar chart, saves it as a live
 *   artifact, then writes a Markdown answer (with a GFM table) built from the rows the server sent
 *   back in the tool result;
 * - anything containing "long": a long answer streamed slowly, for Stop and reload mid-answer.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export const SLIPPED_SQL = `SELECT r.name AS rep, count(*) AS deals, sum(d.amount) AS amount
FROM deals d JOIN reps r ON r.id = d.owner_id
WHERE NOT d.is_closed
  AND (d.custom_fields->>'original_close_date')::date >= date_trunc('quarter', current_date)
  AND (d.custom_fields->>'original_close_date')::date < date_trunc('quarter', current_date) + interval '3 months'
  AND d.close_date > (d.custom_fields->>'original_close_date')::date
GROUP BY r.name
ORDER BY amount DESC`;

interface Block {
  type: string;
  text?: string;
  content?: string;
  id?: string;
  name?: string;
  tool_use_id?: string;
}
interface Message {
  role: 'user' | 'assistant';
  content: Block[] | string;
}

type Part = { kind: 'text'; text: string } | { kind: 'tool'; id: string; name: string; input: unknown };

export interface FakeAnthropic {
  url: string;
  /** Requests received, newest last. */
  requests: Array<{ messages: Message[] }>;
  close(): Promise<void>;
}

function blocks(m: Message): Block[] {
  return typeof m.content === 'string' ? [{ type: 'text', text: m.content }] : m.content;
}

function firstQuestion(messages: Message[]): string {
  const first = messages.find((m) => m.role === 'user');
  return first ? blocks(first).map((b) => b.text ?? '').join(' ') : '';
}

type Table = { columns: string[]; rows: unknown[][] };

/** The result the server sent back for the conversation's call of `tool`, parsed; null before. */
function resultOf(messages: Message[], tool: string): Table | null {
  const call = messages.flatMap(blocks).find((b) => b.type === 'tool_use' && b.name === tool);
  const result = call && messages.flatMap(blocks).find((b) => b.type === 'tool_result' && b.tool_use_id === call.id);
  if (!result?.content) return null;
  try {
    return JSON.parse(result.content) as Table;
  } catch {
    return null;
  }
}

const money = (v: unknown) => Math.round(Number(v)).toLocaleString('en-US');

function slippedAnswer(result: Table): string {
  const total = result.rows.reduce((sum, r) => sum + Number(r[1]), 0);
  const amount = result.rows.reduce((sum, r) => sum + Number(r[2]), 0);
  const lines = [
    `**${total} open deals** slipped out of this quarter, worth **${money(amount)}** in all.`,
    '',
    '| Rep | Deals | Amount |',
    '|---|---:|---:|',
    ...result.rows.map((r) => `| ${String(r[0])} | ${String(r[1])} | ${money(r[2])} |`),
    '',
    'Their close dates moved past the end of the quarter; the biggest slips are worth a call this week.',
  ];
  return lines.join('\n');
}

const CHART = { kind: 'bar', x: 'rep', y: ['amount'], format: 'currency', title: 'Slipped pipeline by rep' };

function script(messages: Message[]): Part[] {
  const question = firstQuestion(messages).toLowerCase();
  if (question.includes('slipped')) {
    const rows = resultOf(messages, 'run_sql_query');
    if (!rows) {
      return [
        { kind: 'text', text: 'I will look for open deals whose close date moved out of this quarter.' },
        { kind: 'tool', id: `toolu_q${Date.now()}`, name: 'run_sql_query', input: { sql: SLIPPED_SQL, chart: CHART } },
      ];
    }
    if (!resultOf(messages, 'create_artifact')) {
      return [
        {
          kind: 'tool',
          id: `toolu_a${Date.now()}`,
          name: 'create_artifact',
          input: {
            title: 'Slipped deals this quarter',
            type: 'report',
            queries: [{ name: 'slipped', sql: SLIPPED_SQL }],
            chart: { ...CHART, query: 'slipped' },
            is_live: true,
          },
        },
      ];
    }
    return [{ kind: 'text', text: slippedAnswer(rows) }];
  }
  if (question.includes('long')) {
    const paragraph = (i: number) =>
      `Paragraph ${i + 1}: the pipeline review goes on, account by account, with the deals that matter most.`;
    return [{ kind: 'text', text: Array.from({ length: 40 }, (_, i) => paragraph(i)).join('\n\n') }];
  }
  return [{ kind: 'text', text: 'I can answer questions about your deals, accounts and activities.' }];
}

function event(name: string, data: unknown): string {
  return `event: ${name}\ndata: ${JSON.stringify(data)}\n\n`;
}

/** The SSE events of one turn, text cut into deltas of `chunk` characters. */
function events(parts: Part[], chunk: number): string[] {
  const out = [
    event('message_start', {
      type: 'message_start',
      message: { id: 'msg_e2e', type: 'message', role: 'assistant', model: 'fake', content: [], stop_reason: null, usage: { input_tokens: 120, output_tokens: 1 } },
    }),
  ];
  parts.forEach((part, index) => {
    if (part.kind === 'text') {
      out.push(event('content_block_start', { type: 'content_block_start', index, content_block: { type: 'text', text: '' } }));
      for (let i = 0; i < part.text.length; i += chunk) {
        out.push(event('content_block_delta', { type: 'content_block_delta', index, delta: { type: 'text_delta', text: part.text.slice(i, i + chunk) } }));
      }
    } else {
      out.push(event('content_block_start', { type: 'content_block_start', index, content_block: { type: 'tool_use', id: part.id, name: part.name, input: {} } }));
      const json = JSON.stringify(part.input);
      for (let i = 0; i < json.length; i += 40) {
        out.push(event('content_block_delta', { type: 'content_block_delta', index, delta: { type: 'input_json_delta', partial_json: json.slice(i, i + 40) } }));
      }
    }
    out.push(event('content_block_stop', { type: 'content_block_stop', index }));
  });
  const stop = parts.some((p) => p.kind === 'tool') ? 'tool_use' : 'end_turn';
  out.push(event('message_delta', { type: 'message_delta', delta: { stop_reason: stop, stop_sequence: null }, usage: { output_tokens: 64 } }));
  out.push(event('message_stop', { type: 'message_stop' }));
  return out;
}

/** Starts the fake on 127.0.0.1 (a free port); `delayMs` paces the events. */
export async function startFakeAnthropic(delayMs = 60): Promise<FakeAnthropic> {
  const requests: FakeAnthropic['requests'] = [];
  const server = http.createServer((req, res) => {
    if (req.method !== 'POST' || req.url !== '/v1/messages') {
      res.writeHead(404, { 'content-type': 'application/json' }).end('{"type":"error","error":{"type":"not_found_error","message":"no such route"}}');
      return;
    }
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString('utf8')));
    req.on('end', () => {
      const parsed = JSON.parse(body) as { messages: Message[] };
      requests.push(parsed);
      const queue = events(script(parsed.messages), 12);
      res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
      let closed = false;
      res.on('close', () => (closed = true));
      const next = () => {
        if (closed) return;
        const item = queue.shift();
        if (item === undefined) {
          res.end();
          return;
        }
        res.write(item);
        setTimeout(next, item.includes('text_delta') ? delayMs : 0);
      };
      next();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
