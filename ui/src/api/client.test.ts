import { afterEach, describe, expect, it, vi } from 'vitest';
import { ApiError, api, errorFromResponse } from './client';

function mockFetch(response: Response | Error) {
  const fn = vi.fn<typeof fetch>(() =>
    response instanceof Error ? Promise.reject(response) : Promise.resolve(response),
  );
  vi.stubGlobal('fetch', fn);
  return fn;
}

function json(body: unknown, status = 200, statusText = ''): Response {
  return new Response(JSON.stringify(body), {
    status,
    statusText,
    headers: { 'Content-Type': 'application/json' },
  });
}

afterEach(() => {
  vi.unstubAllGlobals();
});

describe('errorFromResponse', () => {
  it('reads the server error envelope', () => {
    const err = errorFromResponse(404, 'Not Found', {
      error: { code: 'conversation_not_found', message: 'No such conversation' },
    });
    expect(err).toBeInstanceOf(ApiError);
    expect(err).toMatchObject({ code: 'conversation_not_found', message: 'No such conversation', status: 404 });
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
  it('returns parsed JSON on success and sends JSON bodies', async () => {
    const fetchMock = mockFetch(json({ id: 'c1' }, 201));
    await expect(api.post<{ id: string }>('/api/conversations', { title: 'Q3' })).resolves.toEqual({ id: 'c1' });

    const [url, init] = fetchMock.mock.calls[0] ?? [];
    expect(url).toBe('/api/conversations');
    expect(init?.method).toBe('POST');
    expect(init?.body).toBe('{"title":"Q3"}');
    expect((init?.headers as Record<string, string>)['Content-Type']).toBe('application/json');
  });

  it('throws a typed ApiError from the error envelope', async () => {
    mockFetch(json({ error: { code: 'validation_failed', message: 'title is required' } }, 422));
    const err = await api.get('/api/x').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ApiError);
    expect(err).toMatchObject({ code: 'validation_failed', message: 'title is required', status: 422 });
  });

  it('maps network failures to status 0 / network_error', async () => {
    mockFetch(new TypeError('fetch failed'));
    const err = await api.get('/api/health').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ApiError);
    expect(err).toMatchObject({ code: 'network_error', status: 0, isNetworkError: true });
  });

  it('rejects non-JSON success bodies', async () => {
    mockFetch(new Response('<!doctype html>', { status: 200 }));
    await expect(api.get('/api/health')).rejects.toMatchObject({ code: 'invalid_response' });
  });

  it('resolves undefined for empty responses', async () => {
    mockFetch(new Response(null, { status: 204 }));
    await expect(api.delete('/api/things/1')).resolves.toBeUndefined();
  });
});
