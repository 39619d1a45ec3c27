/**
 * The one REST client: openapi-fetch typed by the schema generated from the server's OpenAPI
 * document.
 *
 * The middleware adds `Authorization: Bearer <token>` and turns every failure into an `ApiError`:
 * the server's envelope `{"error":{"code","message"}}` when there is one, a synthetic code for
 * anything else (proxy pages, network failures). A 401 on a call that carried a token means the
 * session ended: the `onSessionEnded` handler runs (the app signs out and keeps drafts).
 */
import createClient, { type Middleware } from 'openapi-fetch';
import type { paths } from './schema.gen';

export type ApiPaths = paths;

/** `status` is 0 when no HTTP response was received at all. */
export class ApiError extends Error {
  readonly code: string;
  readonly status: number;
  /** Parsed JSON body of the failed response, if it had one. */
  readonly body: unknown;
  /** Seconds from the Retry-After header of a 429/503, when the server sent one. */
  readonly retryAfterSecs: number | null;

  constructor(code: string, message: string, status: number, body?: unknown, retryAfterSecs: number | null = null) {
    super(message);
    this.name = 'ApiError';
    this.code = code;
    this.status = status;
    this.body = body;
    this.retryAfterSecs = retryAfterSecs;
  }

  /** True when the server could not be reached (network error, aborted proxy, ...). */
  get isNetworkError(): boolean {
    return this.status === 0;
  }
}

export function isApiError(value: unknown): value is ApiError {
  return value instanceof ApiError;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function parseRetryAfter(header: string | null): number | null {
  if (!header) return null;
  const secs = Number(header);
  if (Number.isFinite(secs) && secs >= 0) return Math.ceil(secs);
  const date = Date.parse(header);
  if (Number.isNaN(date)) return null;
  return Math.max(0, Math.ceil((date - Date.now()) / 1000));
}

/** Builds an `ApiError` from a failed response's status and (maybe) JSON body. */
export function errorFromResponse(
  status: number,
  statusText: string,
  body: unknown,
  retryAfterSecs: number | null = null,
): ApiError {
  const envelope = isRecord(body) ? body.error : undefined;
  if (isRecord(envelope)) {
    const code = typeof envelope.code === 'string' && envelope.code ? envelope.code : `http_${status}`;
    const message =
      typeof envelope.message === 'string' && envelope.message
        ? envelope.message
        : statusText || `Request failed with status ${status}`;
    return new ApiError(code, message, status, body, retryAfterSecs);
  }
  return new ApiError(
    `http_${status}`,
    statusText || `Request failed with status ${status}`,
    status,
    body,
    retryAfterSecs,
  );
}

async function readBody(response: Response): Promise<unknown> {
  const text = await response.text();
  if (!text) return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}

export interface AuthHooks {
  /** The current session token, or null when signed out. */
  getToken: () => string | null;
  /** A call that carried a token was answered 401: the session is over. */
  onSessionEnded: () => void;
}

const authHooks: AuthHooks = { getToken: () => null, onSessionEnded: () => {} };

/** Wires the client to the session store (done once at start-up, and by tests). */
export function configureApiAuth(hooks: Partial<AuthHooks>): void {
  Object.assign(authHooks, hooks);
}

function isJson(response: Response): boolean {
  return /\bjson\b/i.test(response.headers.get('Content-Type') ?? '');
}

export const apiMiddleware: Middleware = {
  onRequest({ request }) {
    const token = authHooks.getToken();
    if (token && !request.headers.has('Authorization')) {
      request.headers.set('Authorization', `Bearer ${token}`);
    }
    return request;
  },
  async onResponse({ request, response }) {
    if (response.ok) {
      const empty = response.status === 204 || response.headers.get('Content-Length') === '0';
      if (!empty && !isJson(response)) {
        throw new ApiError('invalid_response', 'The server sent an unexpected answer', response.status);
      }
      return undefined;
    }
    const body = await readBody(response.clone());
    const error = errorFromResponse(
      response.status,
      response.statusText,
      body,
      parseRetryAfter(response.headers.get('Retry-After')),
    );
    if (response.status === 401 && request.headers.has('Authorization')) authHooks.onSessionEnded();
    throw error;
  },
  onError({ error }) {
    if (error instanceof ApiError) return error;
    if (error instanceof DOMException && error.name === 'AbortError') return error;
    const detail = error instanceof Error ? error.message : String(error);
    return new ApiError('network_error', `Could not reach the server: ${detail}`, 0);
  },
};

export function createApiClient(options: { baseUrl?: string; fetch?: (request: Request) => Promise<Response> } = {}) {
  const client = createClient<ApiPaths>({
    baseUrl: options.baseUrl ?? '/api',
    // Resolved per call so tests (and polyfills) can replace the global fetch.
    fetch: options.fetch ?? ((request) => globalThis.fetch(request)),
    credentials: 'same-origin',
  });
  client.use(apiMiddleware);
  return client;
}

/** The client every hook uses. */
export const api = createApiClient();

/**
 * Resolves with the response data of an openapi-fetch call. Failures were already thrown by the
 * middleware as `ApiError`; this only narrows the type.
 */
export async function unwrap<T>(call: Promise<{ data?: T; error?: unknown; response: Response }>): Promise<T> {
  const result = await call;
  if (result.error !== undefined) {
    throw errorFromResponse(result.response.status, result.response.statusText, result.error);
  }
  return result.data as T;
}
