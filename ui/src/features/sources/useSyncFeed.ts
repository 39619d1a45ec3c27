/**
 * Follows the organization's syncs over the app's one socket (the chat socket, shared with the
 * chat screen: connecting it here is a no-op when chat already did). Each `sync_progress` frame
 * moves the live progress; a run seen for the first time, or one that ended, refreshes the runs
 * and status queries. After a reconnect (frames may have been missed) they are refreshed too.
 */
import { useQueryClient } from '@tanstack/react-query';
import { useEffect, useReducer, useRef } from 'react';
import { toast } from 'sonner';
import type { SyncProgressFrame } from '../../api/protocol';
import { chatSocket } from '../chat/chatSocket';
import { plural } from './format';
import { refreshRuns, refreshSources } from './hooks';
import { type LiveState, applyProgress } from './liveProgress';
import { providerName } from './providers';

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
