import { useQuery } from '@tanstack/react-query';
import { api, unwrap } from '../../api/client';

export function useAvailableIntegrations() {
  return useQuery({
    queryKey: ['available-integrations'],
    queryFn: ({ signal }) => unwrap(api.GET('/auth/available-integrations', { signal })),
    staleTime: 60_000,
  });
}
