import { afterEach, describe, expect, it, vi } from 'vitest';
import { ApiError } from './client';
import { parseHealth } from './health';
import { fetchHealth } from '../hooks/useHealth';

afterEach(() => {
  vi.unstubAllGlobals();
});

const FULL = {
  status: 'ok',
  version: '0.1.0',
  git_revision: 'abc1234',
  database: { status: 'ok' },
  cache: { backend: 'redis', status: 'ok' },
};

describe('parseHealth', () => {
  it('normalises a full payload', () => {
    expect(parseHealth(FULL)).toEqual({
      status: 'ok',
      version: '0.1.0',
      gitRevision: 'abc1234',
      database: { status: 'ok' },
      cache: { status: 'ok', backend: 'redis' },
    });
  });

  it('tolerates missing or odd fields', () => {
    expect(parseHealth({ status: 'starting', version: 3, cache: 'nope' })).toEqual({
      status: 'degraded',
      version: null,
      gitRevision: null,
      database: null,
      cache: null,
    });
    expect(parseHealth(null)).toBeNull();
    expect(parseHealth({ error: { code: 'x', message: 'y' } })).toBeNull();
  });
});

describe('fetchHealth', () => {
  it('accepts a degraded body served with 503', async () => {
    const body = { ...FULL, status: 'degraded', database: { status: 'error' } };
    vi.stubGlobal('fetch', vi.fn<typeof fetch>(() => Promise.resolve(new Response(JSON.stringify(body), { status: 503 }))));
    await expect(fetchHealth()).resolves.toMatchObject({ status: 'degraded', database: { status: 'error' } });
  });

  it('propagates errors that are not health reports', async () => {
    vi.stubGlobal(
      'fetch',
      vi.fn<typeof fetch>(() =>
        Promise.resolve(new Response(JSON.stringify({ error: { code: 'boom', message: 'x' } }), { status: 500 })),
      ),
    );
    await expect(fetchHealth()).rejects.toBeInstanceOf(ApiError);
  });
});
