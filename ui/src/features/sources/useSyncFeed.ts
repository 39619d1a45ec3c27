/**
 * Follows the organization's syncs over the app's one socket (the chat socket, shared with the
 * chat screen: connecting it here is a no-op when chat already did). Each `sync_progress` frame
 * moves the live progress; a run seen for the first time, or one that ended, refreshes the runs
 * and status queries. After a reconnect (frames may have been missed) they are refreshed too.
 *
 * The server sends the frames of every run in the organization, colleagues' personal calendar
 * runs included. Those are not mine to follow: a run of a personal provider counts only once the
 * lists (which show me my own calendar runs only) know it; until then its frames refresh them.
 */
import { type QueryClient, useQueryClient } from '@tanstack/react-query';
import { useEffect, useReducer, useRef } from 'react';
import { toast } from 'sonner';
import type { SyncProgressFrame } from '../../api/protocol';
import type { AvailableIntegrationView } from '../../api/types';
import { chatSocket } from '../chat/chatSocket';
import { plural } from './format';
import { refreshRuns, refreshSources, sourcesKeys } from './hooks';
import { type LiveState, applyProgress } from './liveProgress';
import { providerName } from './providers';
import type { SyncRunView, SyncStatusView } from './runs';

function isPersonal(queryClient: QueryClient, provider: string): boolean {
  const available = queryClient.getQueryData<AvailableIntegrationView[]>(sourcesKeys.available);
  return available?.some((i) => i.provider === provider && i.scope === 'user') ?? provider === 'google_calendar';
}

/** The runs and status lists (mine only, for personal providers) know this run. */
function isKnownRun(queryClient: QueryClient, provider: string, runId: string): boolean {
  const inRuns = queryClient
    .getQueriesData<SyncRunView[]>({ queryKey: sourcesKeys.runs })
    .some(([, rows]) => rows?.some((r) => r.id === runId));
  const status = queryClient.getQueryData<SyncStatusView>(sourcesKeys.statusOf(provider));
  return inRuns || status?.current?.id === runId || status?.last?.id === runId;
}

type Action = { frame: SyncProgressFrame; now: number };

const reducer = (state: LiveState, action: Action): LiveState => applyProgress(state, action.frame, action.now);

export function useSyncFeed(): LiveState {
  const socket = chatSocket();
  const queryClient = useQueryClient();
  const [live, dispatch] = useReducer(reducer, {});
  const seen = useRef(new Set<string>());

  useEffect(() => {
    socket.connect();
    let wasOpen = socket.state === 'open';
    const stopState = socket.onState((state) => {
      if (state !== 'open') return;
      if (wasOpen) refreshRuns(queryClient);
      wasOpen = true;
    });
    const stopFrames = socket.onFrame((frame) => {
      if (frame.type !== 'sync_progress') return;
      if (isPersonal(queryClient, frame.provider) && !isKnownRun(queryClient, frame.provider, frame.run_id)) {
        // Mine but not listed yet, or a colleague's: the refreshed lists tell.
        if (!seen.current.has(frame.run_id)) {
          seen.current.add(frame.run_id);
          void refreshRuns(queryClient, frame.provider);
        }
        return;
      }
      dispatch({ frame, now: Date.now() });
      const name = providerName(frame.provider);
      if (frame.status !== null) {
        seen.current.delete(frame.run_id);
        refreshSources(queryClient, frame.provider);
        if (frame.status === 'succeeded') toast.success(`${name} is up to date: ${plural(frame.records, 'record', 'records')} written.`);
        else if (frame.status === 'failed') toast.error(`The ${name} sync failed.`);
        return;
      }
      if (!seen.current.has(frame.run_id)) {
        // A run we had not heard of (scheduled, or started elsewhere): show it in the lists.
        seen.current.add(frame.run_id);
        void refreshRuns(queryClient, frame.provider);
      }
    });
    return () => {
      stopState();
      stopFrames();
    };
  }, [socket, queryClient]);

  return live;
}
