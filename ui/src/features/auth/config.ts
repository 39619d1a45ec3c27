/** Runtime configuration from `GET /api/config`: one build serves every deployment. */
import { useQuery } from '@tanstack/react-query';
import { api, isApiError, unwrap } from '../../api/client';
import type { RuntimeConfig } from '../../api/types';

export const configQueryKey = ['config'] as const;

/** Used only while a server does not publish /api/config yet (404): local accounts. */
export const FALLBACK_CONFIG: RuntimeConfig = {
  auth_mode: 'local',
  supabase: null,
  signup_open: true,
  features: { chat: true, integrations: true, demo_data: true },
  version: '',
};

export async function fetchConfig(signal?: AbortSignal): Promise<RuntimeConfig> {
  try {
    return await unwrap(api.GET('/config', { signal }));
  } catch (error) {
    if (isApiError(error) && error.status === 404) return FALLBACK_CONFIG;
    throw error;
  }
}

export function useConfig() {
  return useQuery({
    queryKey: configQueryKey,
    queryFn: ({ signal }) => fetchConfig(signal),
    staleTime: Infinity,
    retry: 2,
  });
}
