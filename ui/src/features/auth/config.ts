/** Runtime configuration from `GET /api/config`: one build serves every deployment. */
import { useQuery } from '@tanstack/react-query';
import { api, unwrap } from '../../api/client';
import type { RuntimeConfig } from '../../api/types';

export const configQueryKey = ['config'] as const;

export function fetchConfig(signal?: AbortSignal): Promise<RuntimeConfig> {
  return unwrap(api.GET('/config', { signal }));
}

export function useConfig() {
  return useQuery({
    queryKey: configQueryKey,
    queryFn: ({ signal }) => fetchConfig(signal),
    staleTime: Infinity,
    retry: 2,
  });
}
