/**
 * Minimal fetch wrapper for the Revtops API.
 *
 * Every non-2xx response is turned into an `ApiError`. The server reports
 * errors with the envelope `{"error":{"code":"snake_case","message":"..."}}`;
 * anything else (proxy pages, empty bodies, network failures) is mapped to a
 * synthetic code so callers can always rely on `code`, `message` and `status`.
 */

/** `status` is 0 when no HTTP response was received at all. */
export class ApiError extends Error {
  readonly code: string;
  readonly status: number;
  /** Parsed JSON body of the failed response, if it had one. */
  readonly body: unknown;

  constructor(code: string, message: string, status: number, body?: unknown) {
    super(message);
    this.name = 'ApiError';
    this.code = code;
    this.status = status;
    this.body = body;
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

/** Builds an `ApiError` from a failed response's status and (maybe) JSON body. */
export function errorFromResponse(status: number, statusText: string, body: unknown): ApiError {
  const envelope = isRecord(body) ? body.error : undefined;
  if (isRecord(envelope)) {
    const code = typeof envelope.code === 'string' && envelope.code ? envelope.code : `http_${status}`;
    const message =
      typeof envelope.message === 'string' && envelope.message
        ? envelope.message
        : statusText || `Request failed with status ${status}`;
    return new ApiError(code, message, status, body);
  }
  return new ApiError(`http_${status}`, statusText || `Request failed with status ${status}`, status, body);
}

export interface RequestOptions {
  method?: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  /** Serialised as JSON when present. */
  body?: unknown;
  headers?: Record<string, string>;
  signal?: AbortSignal;
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

/**
 * Performs a request against the API and resolves with the parsed JSON body.
 * The type parameter is an unchecked assertion: validate untrusted shapes.
 */
export async function apiRequest<T>(path: string, options: RequestOptions = {}): Promise<T> {
  const headers: Record<string, string> = { Accept: 'application/json', ...options.headers };
  const init: RequestInit = { method: options.method ?? 'GET', headers, credentials: 'same-origin' };
  if (options.signal) init.signal = options.signal;
  if (options.body !== undefined) {
    headers['Content-Type'] = 'application/json';
    init.body = JSON.stringify(options.body);
  }

  let response: Response;
  try {
    response = await fetch(path, init);
  } catch (cause) {
    if (cause instanceof DOMException && cause.name === 'AbortError') throw cause;
    const detail = cause instanceof Error ? cause.message : String(cause);
    throw new ApiError('network_error', `Could not reach the server: ${detail}`, 0);
  }

  const body = await readBody(response);
  if (!response.ok) throw errorFromResponse(response.status, response.statusText, body);
  if (typeof body === 'string') {
    throw new ApiError('invalid_response', 'The server returned a non-JSON response', response.status, body);
  }
  return body as T;
}

export const api = {
  get: <T>(path: string, options?: Omit<RequestOptions, 'method' | 'body'>) =>
    apiRequest<T>(path, { ...options, method: 'GET' }),
  post: <T>(path: string, body?: unknown, options?: Omit<RequestOptions, 'method' | 'body'>) =>
    apiRequest<T>(path, { ...options, method: 'POST', body }),
  put: <T>(path: string, body?: unknown, options?: Omit<RequestOptions, 'method' | 'body'>) =>
    apiRequest<T>(path, { ...options, method: 'PUT', body }),
  patch: <T>(path: string, body?: unknown, options?: Omit<RequestOptions, 'method' | 'body'>) =>
    apiRequest<T>(path, { ...options, method: 'PATCH', body }),
  delete: <T>(path: string, options?: Omit<RequestOptions, 'method' | 'body'>) =>
    apiRequest<T>(path, { ...options, method: 'DELETE' }),
};
