/** A fake REST server for component tests: routes like `GET /api/auth/me` or `POST /api/x/:id`. */
import { vi } from 'vitest';

export interface Call {
  method: string;
  path: string;
  search: string;
  body: unknown;
  authorization: string | null;
}

export interface HandlerContext {
  params: Record<string, string>;
  body: unknown;
  url: URL;
  call: number;
}

export type Handler = (ctx: HandlerContext) => unknown;

export function json(body: unknown, status = 200, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify(body), {
    status,
    headers: { 'Content-Type': 'application/json; charset=utf-8', ...headers },
  });
}

export function apiError(status: number, code: string, message: string, headers: Record<string, string> = {}): Response {
  return json({ error: { code, message } }, status, headers);
}

function match(pattern: string, path: string): Record<string, string> | null {
  const want = pattern.split('/');
  const got = path.split('/');
  if (want.length !== got.length) return null;
  const params: Record<string, string> = {};
  for (let i = 0; i < want.length; i += 1) {
    const w = want[i]!;
    if (w.startsWith(':')) params[w.slice(1)] = decodeURIComponent(got[i]!);
    else if (w !== got[i]) return null;
  }
  return params;
}

/** Stubs `fetch`. A handler may return a Response, a plain value (200 JSON) or a promise of either. */
export function mockApi(routes: Record<string, Handler | unknown>) {
  const calls: Call[] = [];
  const counts = new Map<string, number>();
  const fetchMock = vi.fn(async (input: RequestInfo | URL) => {
    const request = input instanceof Request ? input : new Request(input);
    const url = new URL(request.url);
    const text = await request.text();
    const body = text ? (JSON.parse(text) as unknown) : undefined;
    calls.push({ method: request.method, path: url.pathname, search: url.search, body, authorization: request.headers.get('Authorization') });
    for (const [key, handler] of Object.entries(routes)) {
      const [method, pattern] = key.split(' ') as [string, string];
      if (method !== request.method) continue;
      const params = match(pattern, url.pathname);
      if (!params) continue;
      const call = (counts.get(key) ?? 0) + 1;
      counts.set(key, call);
      const result = typeof handler === 'function' ? await (handler as Handler)({ params, body, url, call }) : handler;
      if (result instanceof Response) return result;
      return result === undefined ? new Response(null, { status: 204 }) : json(result);
    }
    return apiError(404, 'not_found', `no fake for ${request.method} ${url.pathname}`);
  });
  vi.stubGlobal('fetch', fetchMock);
  return {
    calls,
    fetch: fetchMock,
    callsTo: (method: string, path: string) => calls.filter((c) => c.method === method && c.path === path),
  };
}
