/** Server state of the sources page: providers, connections, sync runs and the calls that change them. */
import { type QueryClient, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api, unwrap } from '../../api/client';
import type { components } from '../../api/schema.gen';
import type { Provider } from './providers';
import { type IntegrationView, type SyncRunView, isActive } from './runs';

export const sourcesKeys = {
  available: ['available-integrations'] as const,
  integrations: ['integrations'] as const,
  runs: ['sync-runs'] as const,
  runsOf: (provider: string | null) => ['sync-runs', provider ?? 'all'] as const,
  status: ['sync-status'] as const,
  statusOf: (provider: string) => ['sync-status', provider] as const,
  members: ['organization-members'] as const,
};

/** While a run is queued or running, lists are refreshed this often (frames do the rest). */
const ACTIVE_POLL_MS = 10_000;

export function useAvailableIntegrations() {
  return useQuery({
    queryKey: sourcesKeys.available,
    queryFn: ({ signal }) => unwrap(api.GET('/auth/available-integrations', { signal })),
    staleTime: 60_000,
  });
}

export function useIntegrations() {
  return useQuery({
    queryKey: sourcesKeys.integrations,
    queryFn: ({ signal }) => unwrap(api.GET('/auth/integrations', { signal })),
  });
}

/** Recent runs, newest first: of one provider, or of all (`null`). */
export function useSyncRuns(provider: string | null = null) {
  return useQuery({
    queryKey: sourcesKeys.runsOf(provider),
    queryFn: ({ signal }) =>
      unwrap(api.GET('/sync/runs', { signal, params: { query: provider ? { provider, limit: 50 } : { limit: 50 } } })),
    refetchInterval: (query) => (query.state.data?.some(isActive) ? ACTIVE_POLL_MS : false),
  });
}

export function useSyncStatus(orgId: string | undefined, provider: string, enabled: boolean) {
  return useQuery({
    queryKey: sourcesKeys.statusOf(provider),
    queryFn: ({ signal }) =>
      unwrap(api.GET('/sync/{org_id}/{provider}/status', { signal, params: { path: { org_id: orgId ?? '', provider } } })),
    enabled: enabled && Boolean(orgId),
    refetchInterval: (query) => (query.state.data?.current ? ACTIVE_POLL_MS : false),
  });
}

export function useMembers(enabled: boolean) {
  return useQuery({
    queryKey: sourcesKeys.members,
    queryFn: ({ signal }) => unwrap(api.GET('/auth/organizations/current/members', { signal })),
    enabled,
    staleTime: 60_000,
  });
}

/** Everything that shows a provider's connection or sync state. */
export function refreshSources(queryClient: QueryClient, provider?: string) {
  void queryClient.invalidateQueries({ queryKey: sourcesKeys.available });
  void queryClient.invalidateQueries({ queryKey: sourcesKeys.integrations });
  void refreshRuns(queryClient, provider);
}

export function refreshRuns(queryClient: QueryClient, provider?: string) {
  void queryClient.invalidateQueries({ queryKey: sourcesKeys.runs });
  return queryClient.invalidateQueries({ queryKey: provider ? sourcesKeys.statusOf(provider) : sourcesKeys.status });
}

export function useTriggerSync(orgId: string | undefined) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: ({ provider, full }: { provider: Provider; full: boolean }) =>
      unwrap(
        api.POST('/sync/{org_id}/{provider}', {
          params: { path: { org_id: orgId ?? '', provider }, query: full ? { full: true } : {} },
        }),
      ),
    onSuccess: (_data, { provider }) => refreshRuns(queryClient, provider),
  });
}

export function useDisconnect() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (provider: Provider) =>
      unwrap(api.DELETE('/auth/integrations/{provider}', { params: { path: { provider } } })),
    onSuccess: (_data, provider) => refreshSources(queryClient, provider),
  });
}

export function useRecordConnection() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (body: { provider: Provider; connection_id: string }) => unwrap(api.POST('/auth/callback', { body })),
    onSuccess: (_data, { provider }) => refreshSources(queryClient, provider),
  });
}

/** What an admin enters instead of a Nango connection (`token`, or Salesforce's connected app). */
export type TokenBody = components['schemas']['TokenRequest'];

/**
 * Saves a provider credential an admin entered (the server encrypts it and queues a full sync).
 * The secret lives in the mutation's variables only while the call runs: the caller resets the
 * mutation on success, and `gcTime: 0` drops it from the cache at once.
 */
export function useSetToken() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: ({ provider, body }: { provider: Provider; body: TokenBody }) =>
      unwrap(api.PUT('/auth/integrations/{provider}/token', { params: { path: { provider } }, body })),
    gcTime: 0,
    onSuccess: (_data, { provider }) => refreshSources(queryClient, provider),
  });
}

/** Shares my calendar with the organization, or stops; the integrations list takes the server's answer. */
export function useSetSharing() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: ({ provider, shared }: { provider: Provider; shared: boolean }) =>
      unwrap(api.PUT('/auth/integrations/{provider}/sharing', { params: { path: { provider } }, body: { shared } })),
    onSuccess: (saved) => {
      queryClient.setQueryData<IntegrationView[]>(sourcesKeys.integrations, (rows) =>
        rows?.map((row) => (row.id === saved.id ? saved : row)),
      );
      void queryClient.invalidateQueries({ queryKey: sourcesKeys.integrations });
    },
  });
}

export function fetchConnectSession(provider: Provider) {
  return unwrap(api.GET('/auth/connect/{provider}/session', { params: { path: { provider } } }));
}

/** The newest succeeded run of `provider` in a newest-first list. */
export function lastSucceeded(runs: readonly SyncRunView[] | undefined, provider: string): SyncRunView | undefined {
  return runs?.find((r) => r.provider === provider && r.status === 'succeeded');
}
