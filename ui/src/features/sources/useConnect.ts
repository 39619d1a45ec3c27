/**
 * Connecting a provider through Nango's Connect UI: a connect session from the server, Nango's
 * SDK loaded on demand (it is not part of the entry chunk), its iframe opened where the server's
 * configuration says Nango is (`nango` in `GET /api/config`: the Nango cloud, or a self-hosted
 * Nango's own addresses); when Nango reports the connection, the server records it
 * (`POST /api/auth/callback`, which confirms it with Nango and queues the first sync).
 */
import { type QueryClient, useQueryClient } from '@tanstack/react-query';
import { useCallback, useEffect, useRef, useState } from 'react';
import { toast } from 'sonner';
import type { AvailableIntegrationView } from '../../api/types';
import { type ErrorText, describeError } from '../../lib/errors';
import { configQueryKey, fetchConfig } from '../auth/config';
import { fetchConnectSession, useRecordConnection } from './hooks';
import { type Provider, providerName } from './providers';

export type ConnectPhase = 'idle' | 'starting' | 'open' | 'recording';

export interface ConnectState {
  provider: Provider | null;
  phase: ConnectPhase;
  error: ErrorText | null;
}

const IDLE: ConnectState = { provider: null, phase: 'idle', error: null };

/**
 * Where Nango's Connect UI and API are. The configuration is read once per page load, so a server
 * that gained Nango since says `null`: a session was just handed out, so ask again. Without an
 * answer the SDK's own defaults (the Nango cloud) apply.
 */
async function nangoUrls(queryClient: QueryClient) {
  const queryFn = ({ signal }: { signal: AbortSignal }) => fetchConfig(signal);
  let config = await queryClient.ensureQueryData({ queryKey: configQueryKey, queryFn });
  if (!config.nango) config = await queryClient.fetchQuery({ queryKey: configQueryKey, queryFn, staleTime: 0 });
  return config.nango ? { baseURL: config.nango.connect_url, apiURL: config.nango.api_url } : {};
}

/** The session first (it says whether connecting is allowed), then where Nango is, and the SDK, loaded only now. */
async function openSession(provider: Provider, queryClient: QueryClient) {
  const session = await fetchConnectSession(provider);
  const [urls, { default: Nango }] = await Promise.all([nangoUrls(queryClient), import('@nangohq/frontend')]);
  return { session, urls, Nango };
}

export function useConnect() {
  const queryClient = useQueryClient();
  const record = useRecordConnection();
  const [state, setState] = useState<ConnectState>(IDLE);
  const ui = useRef<{ close: () => void } | null>(null);
  const alive = useRef(true);
  const recordAsync = record.mutateAsync;

  useEffect(() => {
    alive.current = true;
    return () => {
      alive.current = false;
      ui.current?.close();
      ui.current = null;
    };
  }, []);

  const update = useCallback((next: ConnectState) => {
    if (alive.current) setState(next);
  }, []);

  const start = useCallback(
    async ({ provider, syncable }: Pick<AvailableIntegrationView, 'provider' | 'syncable'>) => {
      const name = providerName(provider);
      const failed = (error: unknown, overrides: Partial<Record<string, string>> = {}) =>
        update({ provider, phase: 'idle', error: describeError(error, overrides) });
      update({ provider, phase: 'starting', error: null });
      let opened: Awaited<ReturnType<typeof openSession>>;
      try {
        opened = await openSession(provider, queryClient);
      } catch (error) {
        failed(error, { forbidden: `Only administrators can connect ${name}.` });
        return;
      }
      if (!alive.current) return;
      const { session, urls, Nango } = opened;
      let connected = false;
      let lastError: ErrorText | null = null;
      const nango = new Nango({ connectSessionToken: session.token });
      ui.current = nango.openConnectUI({
        ...urls,
        onEvent: async (event) => {
          if (event.type === 'connect') {
            if (connected) return;
            connected = true;
            update({ provider, phase: 'recording', error: null });
            try {
              await recordAsync({ provider, connection_id: event.payload.connectionId });
              toast.success(syncable ? `${name} is connected. The first sync has started.` : `${name} is connected.`);
              update(IDLE);
            } catch (error) {
              failed(error, {
                forbidden: `Nango could not confirm that this ${name} connection belongs to you, so it was not saved.`,
              });
            }
          } else if (event.type === 'close') {
            ui.current = null;
            if (!connected) update(lastError ? { provider, phase: 'idle', error: lastError } : IDLE);
          } else if (event.type === 'error') {
            // A closed sign-in window is the person changing their mind, not a failure.
            if (event.payload.errorType === 'window_closed') return;
            lastError = { title: `${name} could not be connected.`, detail: event.payload.errorMessage || null };
            update({ provider, phase: 'open', error: lastError });
          }
        },
      });
      update({ provider, phase: 'open', error: null });
    },
    [queryClient, recordAsync, update],
  );

  const dismiss = useCallback(() => update(IDLE), [update]);

  return { state, start, dismiss };
}
