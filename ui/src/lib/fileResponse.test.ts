import { describe, expect, it, vi } from 'vitest';
import { ApiError, configureApiAuth, createApiClient } from '../api/client';
import { fileNameFrom, fileResponse } from './fileResponse';

function client(answer: (request: Request) => Response | Promise<Response>) {
  const seen: Request[] = [];
  const api = createApiClient({
    baseUrl: 'http://revtops.test/api',
    fetch: async (request) => {
      seen.push(request);
      return answer(request);
    },
  });
  return { api, seen };
}

describe('fileResponse', () => {
  it('lets a CSV answer through as a blob, with the bearer token sent', async () => {
    configureApiAuth({ getToken: () => 'tok-9' });
    const { api, seen } = client(
      () =>
        new Response('\uFEFFa,b\r\n1,2\r\n', {
          headers: { 'Content-Type': 'text/csv; charset=utf-8', 'Content-Disposition': 'attachment; filename="query.csv"', 'X-Truncated': 'false' },
        }),
    );
    const { data, response } = await api.POST('/query/csv', { body: { sql: 'SELECT 1' }, parseAs: 'blob', middleware: [fileResponse] });
    expect(seen).toHaveLength(1);
    expect(seen[0]!.headers.get('Authorization')).toBe('Bearer tok-9');
    expect(await seen[0]!.json()).toEqual({ sql: 'SELECT 1' });
    expect(data).toBeInstanceOf(Blob);
    expect(await data!.text()).toContain('a,b');
    expect(response.headers.get('Content-Disposition')).toContain('query.csv');
  });

  it('turns a refusal into the same ApiError as the other calls, Retry-After included', async () => {
    const { api } = client(
      () =>
        new Response(JSON.stringify({ error: { code: 'rate_limited', message: 'slow down' } }), {
          status: 429,
          headers: { 'Content-Type': 'application/json', 'Retry-After': '7' },
        }),
    );
    const error = await api.POST('/query/csv', { body: { sql: 'SELECT 1' }, parseAs: 'blob', middleware: [fileResponse] }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ApiError);
    expect(error).toMatchObject({ code: 'rate_limited', status: 429, retryAfterSecs: 7, message: 'slow down' });
  });

  it('ends the session on a 401 and reports network failures as network errors', async () => {
    const ended = vi.fn();
    configureApiAuth({ getToken: () => 'tok-9', onSessionEnded: ended });
    const unauthorized = client(() => new Response(JSON.stringify({ error: { code: 'unauthorized', message: 'expired' } }), { status: 401 }));
    await expect(unauthorized.api.POST('/query/csv', { body: { sql: 'SELECT 1' }, parseAs: 'blob', middleware: [fileResponse] })).rejects.toMatchObject({ code: 'unauthorized' });
    expect(ended).toHaveBeenCalledTimes(1);

    const offline = client(() => Promise.reject(new TypeError('Failed to fetch')));
    await expect(offline.api.POST('/query/csv', { body: { sql: 'SELECT 1' }, parseAs: 'blob', middleware: [fileResponse] })).rejects.toMatchObject({ code: 'network_error', status: 0 });
  });
});

describe('fileNameFrom', () => {
  it('prefers the UTF-8 name, then the quoted one, then the fallback', () => {
    expect(fileNameFrom(`attachment; filename="Pipeline _.csv"; filename*=UTF-8''Pipeline%20%C3%A9.csv`, 'x.csv')).toBe('Pipeline é.csv');
    expect(fileNameFrom('attachment; filename="deals.csv"', 'x.csv')).toBe('deals.csv');
    expect(fileNameFrom('attachment; filename=deals.csv', 'x.csv')).toBe('deals.csv');
    expect(fileNameFrom('attachment', 'x.csv')).toBe('x.csv');
    expect(fileNameFrom(null, 'x.csv')).toBe('x.csv');
    expect(fileNameFrom(`attachment; filename*=UTF-8''%E0%A4%A`, 'x.csv')).toBe('x.csv');
    expect(fileNameFrom('attachment; filename="../../etc/passwd"', 'x.csv')).toBe('..-..-etc-passwd');
  });
});
