import { afterEach, describe, expect, it, vi } from 'vitest';
import { ApiError, configureApiAuth, createApiClient, errorFromResponse, unwrap } from './client';

function json(body: unknown, status = 200, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify(body), {
    status,
    headers: { 'Content-Type': 'application/json; charset=utf-8', ...headers },
  });
}

function clientAnswering(response: Response | Error) {
  const fetch = vi.fn<(request: Request) => Promise<Response>>(() =>
    response instanceof Error ? Promise.reject(response) : Promise.resolve(response),
  );
  return { client: createApiClient({ baseUrl: 'http://revtops.test/api', fetch }), fetch };
}

afterEach(() => {
  configureApiAuth({ getToken: () => null, onSessionEnded: () => {} });
});

describe('errorFromResponse', () => {
  it('reads the server error envelope', () => {
    const err = errorFromResponse(404, 'Not Found', { error: { code: 'not_found', message: 'No such conversation' } });
    expect(err).toBeInstanceOf(ApiError);
    expect(err).toMatchObject({ code: 'not_found', message: 'No such conversation', status: 404 });
  });

  it('falls back to http_<status> for foreign bodies', () => {
    expect(errorFromResponse(502, 'Bad Gateway', '<html>oops</html>')).toMatchObject({
      code: 'http_502',
      message: 'Bad Gateway',
      status: 502,
    });
    expect(errorFromResponse(500, '', { error: { code: 42 } })).toMatchObject({
      code: 'http_500',
      message: 'Request failed with status 500',
    });
  });
});

describe('api client', () => {
  it('adds the bearer token and sends JSON bodies', async () => {
    configureApiAuth({ getToken: () => 'tok' });
    const session = { token: 't', token_type: 'Bearer', expires_at: '2030-01-01T00:00:00Z', user: {} };
    const { client, fetch } = clientAnswering(json(session));
    const data = await unwrap(client.POST('/auth/login', { body: { email: 'a@b.co', password: 'x' } }));
    expect(data.token).toBe('t');

    const request = fetch.mock.calls[0]![0];
    expect(request.url).toBe('http://revtops.test/api/auth/login');
    expect(request.method).toBe('POST');
    expect(request.headers.get('Authorization')).toBe('Bearer tok');
    expect(await request.text()).toBe('{"email":"a@b.co","password":"x"}');
  });

  it('keeps an Authorization header the caller set', async () => {
    configureApiAuth({ getToken: () => 'stored' });
    const { client, fetch } = clientAnswering(json({ user: {} }));
    await unwrap(client.POST('/auth/users/sync', { headers: { Authorization: 'Bearer fresh' } }));
    expect(fetch.mock.calls[0]![0].headers.get('Authorization')).toBe('Bearer fresh');
  });

  it('sends no Authorization header when signed out', async () => {
    const { client, fetch } = clientAnswering(json({ status: 'ok' }));
    await unwrap(client.GET('/health'));
    expect(fetch.mock.calls[0]![0].headers.has('Authorization')).toBe(false);
  });

  it('throws a typed ApiError from the error envelope, with Retry-After', async () => {
    const { client } = clientAnswering(
      json({ error: { code: 'rate_limited', message: 'too many requests; retry in 30s' } }, 429, { 'Retry-After': '30' }),
    );
    const err = await unwrap(client.POST('/auth/login', { body: { email: 'a', password: 'b' } })).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ApiError);
    expect(err).toMatchObject({ code: 'rate_limited', status: 429, retryAfterSecs: 30 });
  });

  it('ends the session on a 401 to an authenticated call only', async () => {
    const onSessionEnded = vi.fn();
    configureApiAuth({ onSessionEnded });
    const unauthorized = () => json({ error: { code: 'unauthorized', message: 'invalid email or password' } }, 401);

    // Signed out (a failed sign-in): not a session end.
    await expect(unwrap(clientAnswering(unauthorized()).client.GET('/auth/me'))).rejects.toMatchObject({
      code: 'unauthorized',
    });
    expect(onSessionEnded).not.toHaveBeenCalled();

    configureApiAuth({ getToken: () => 'expired' });
    await expect(unwrap(clientAnswering(unauthorized()).client.GET('/auth/me'))).rejects.toMatchObject({ status: 401 });
    expect(onSessionEnded).toHaveBeenCalledTimes(1);
  });

  it('maps network failures to status 0 / network_error', async () => {
    const { client } = clientAnswering(new TypeError('fetch failed'));
    const err = await unwrap(client.GET('/health')).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ApiError);
    expect(err).toMatchObject({ code: 'network_error', status: 0, isNetworkError: true });
  });

  it('rejects non-JSON success bodies', async () => {
    const { client } = clientAnswering(new Response('<!doctype html>', { status: 200, headers: { 'Content-Type': 'text/html' } }));
    await expect(unwrap(client.GET('/health'))).rejects.toMatchObject({ code: 'invalid_response' });
  });

  it('resolves undefined for 204 responses', async () => {
    const { client } = clientAnswering(new Response(null, { status: 204 }));
    await expect(unwrap(client.POST('/auth/logout'))).resolves.toBeUndefined();
  });

  it('passes path and query parameters', async () => {
    const { client, fetch } = clientAnswering(json({ domain: 'acme.com', exists: false }));
    await unwrap(client.GET('/auth/organizations/by-domain/{domain}', { params: { path: { domain: 'acme.com' } } }));
    expect(fetch.mock.calls[0]![0].url).toBe('http://revtops.test/api/auth/organizations/by-domain/acme.com');

    const list = clientAnswering(json([]));
    await unwrap(list.client.GET('/chat/conversations', { params: { query: { q: 'pipeline' } } }));
    expect(list.fetch.mock.calls[0]![0].url).toBe('http://revtops.test/api/chat/conversations?q=pipeline');
  });
});
