/**
 * Connecting a provider through Nango's Connect UI: a connect session from the server, Nango's
 * SDK loaded on demand (it is not part of the entry chunk), its iframe opened; when Nango reports
 * the connection, the server records it (`POST /api/auth/callback`, which confirms it with Nango
 * and queues the first sync).
 */
import { useCallback, useEffect, useRef, useState } from 'react';
import { toast } from 'sonner';
import { type ErrorText, describeError } from '../../lib/errors';
import { fetchConnectSession, useRecordConnection } from './hooks';
import { type Provider, isSyncable, providerName } from './providers';

export type ConnectPhase = 'idle' | 'starting' | 'open' | 'recording';

export interface ConnectState {
  provider: Provider | null;
  phase: ConnectPhase;
  error: ErrorText | null;
}

const IDLE: ConnectState = { provider: null, phase: 'idle', error: null };

/** Nango's Connect UI is served from the origin of the session's connect link (self-hosted Nango too). */
function connectBaseUrl(link: string | null | undefined): string | undefined {
  if (!link) return undefined;
  try {
    return new URL(link).origin;
  } catch {
    return undefined;
  }
}

/** The session first (it says whether connecting is allowed), then the SDK, loaded only now. */
async function openSession(provider: Provider) {
  const session = await fetchConnectSession(provider);
  const { default: Nango } = await import('@nangohq/frontend');
  return { session, Nango };
}

export function useConnect() {
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
    async (provider: Provider) => {
      const name = providerName(provider);
      const failed = (error: unknown, overrides: Partial<Record<string, string>> = {}) =>
        update({ provider, phase: 'idle', error: describeError(error, overrides) });
      update({ provider, phase: 'starting', error: null });
      let opened: Awaited<ReturnType<typeof openSession>>;
      try {
        opened = await openSession(provider);
      } catch (error) {
        failed(error, { forbidden: `Only administrators can connect ${name}.` });
        return;
      }
      if (!alive.current) return;
      const { session, Nango } = opened;
      let connected = false;
      let lastError: ErrorText | null = null;
      const nango = new Nango({ connectSessionToken: session.token });
      const baseURL = connectBaseUrl(session.connect_link);
      ui.current = nango.openConnectUI({
        ...(baseURL ? { baseURL } : {}),
        onEvent: async (event) => {
          if (event.type === 'connect') {
            if (connected) return;
            connected = true;
            update({ provider, phase: 'recording', error: null });
            try {
              await recordAsync({ provider, connection_id: event.payload.connectionId });
              toast.success(isSyncable(provider) ? `${name} is connected. The first sync has started.` : `${name} is connected.`);
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
    [recordAsync, update],
  );

  const dismiss = useCallback(() => update(IDLE), [update]);

  return { state, start, dismiss };
}
