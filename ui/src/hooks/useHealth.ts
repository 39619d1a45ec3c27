import { useQuery } from '@tanstack/react-query';
import { ApiError, api, isApiError } from '../api/client';
import { type Health, parseHealth } from '../api/health';

export const healthQueryKey = ['health'] as const;

export async function fetchHealth(signal?: AbortSignal): Promise<Health> {
  let raw: unknown;
  try {
    raw = await api.get<unknown>('/api/health', { signal });
  } catch (error) {
    // A degraded server may answer 503 with a regular health body.
    const fallback = isApiError(error) ? parseHealth(error.body) : null;
    if (fallback) return fallback;
    throw error;
  }
  const health = parseHealth(raw);
  if (!health) throw new ApiError('invalid_response', 'Unexpected /api/health payload', 200, raw);
  return health;
}

/** Polls the server's health endpoint; `isError` means "unreachable". */
export function useHealth() {
  return useQuery<Health, Error>({
    queryKey: healthQueryKey,
    queryFn: ({ signal }) => fetchHealth(signal),
    refetchInterval: 30_000,
    retry: 1,
    staleTime: 10_000,
  });
}
