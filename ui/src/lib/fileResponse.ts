/**
 * Endpoints that answer a file (CSV exports) instead of JSON, through the same client.
 *
 * The client's middleware refuses a successful answer that is not JSON (a proxy's HTML page
 * must not pass for data). For a file, add `fileResponse` to the call's own middleware and
 * `parseAs: 'blob'`: the client's middleware still adds the bearer token, then this one sends
 * the request itself, hands failures to the client's middleware (the same `ApiError`s, Retry-After
 * and session-ended handling) and lets a successful answer through whatever its type.
 *
 *   const { data, response } = await api.POST('/query/csv', { body, parseAs: 'blob', middleware: [fileResponse] });
 */
import type { Middleware } from 'openapi-fetch';
import { apiMiddleware } from '../api/client';

export const fileResponse: Middleware = {
  async onRequest(params) {
    const { request, options } = params;
    let response: Response;
    try {
      response = await options.fetch(request);
    } catch (error) {
      throw (await apiMiddleware.onError?.({ ...params, error })) ?? error;
    }
    // Throws the ApiError for a failure; a success is returned untouched.
    if (!response.ok) await apiMiddleware.onResponse?.({ ...params, response });
    return response;
  },
};

/**
 * The file name of a `Content-Disposition` header (RFC 6266): the UTF-8 `filename*` when there
 * is one, else `filename`, else `fallback`. Path separators never survive.
 */
export function fileNameFrom(header: string | null, fallback: string): string {
  if (!header) return fallback;
  let name: string | null = null;
  const extended = /filename\*\s*=\s*(?:UTF-8|utf-8)''([^;]+)/.exec(header);
  if (extended?.[1]) {
    try {
      name = decodeURIComponent(extended[1].trim());
    } catch {
      name = null;
    }
  }
  if (!name) {
    const plain = /filename\s*=\s*(?:"((?:\\.|[^"\\])*)"|([^;]+))/.exec(header);
    name = plain ? (plain[1]?.replace(/\\(.)/g, '$1') ?? plain[2]?.trim() ?? null) : null;
  }
  const safe = name?.replace(/[/\\]/g, '-').trim();
  return safe || fallback;
}
