import { describe, expect, it } from 'vitest';
import type { SyncProgressFrame } from '../../api/protocol';
import { formatRemaining } from './format';
import { type LiveState, RATE_WINDOW_MS, applyProgress, doneIn, liveFromRun, objectProgress, rateOf, throttledFor } from './liveProgress';

const frame = (records: number, object: string, extra: Partial<SyncProgressFrame> = {}): SyncProgressFrame => ({
  type: 'sync_progress',
  run_id: 'r1',
  provider: 'hubspot',
  object,
  records,
  skipped: 0,
  status: null,
  throttled_for_secs: null,
  done_in_secs: null,
  ...extra,
});

function fold(frames: [SyncProgressFrame, number][]): LiveState {
  return frames.reduce<LiveState>((state, [f, at]) => applyProgress(state, f, at), {});
}

describe('live sync progress', () => {
  it('follows the object, the records and the rate between frames', () => {
    const state = fold([
      [frame(100, 'owners'), 0],
      [frame(300, 'companies'), 1000],
      [frame(500, 'companies'), 2000],
    ]);
    const live = state.hubspot!;
    expect(live.object).toBe('companies');
    expect(live.objectsSeen).toEqual(['owners', 'companies']);
    expect(live.records).toBe(500);
    expect(rateOf(live)).toBe(200);
    expect(objectProgress(live)).toEqual({ done: 2, total: 10 });
  });

  it('has no rate from a single frame, and measures over a recent window', () => {
    const one = fold([[frame(100, 'owners'), 0]]);
    expect(rateOf(one.hubspot!)).toBeNull();
    const slow = fold([
      [frame(0, 'owners'), 0],
      [frame(1000, 'deals'), 1000],
      [frame(1100, 'deals'), RATE_WINDOW_MS + 10_000],
    ]);
    // The first sample fell out of the window; the last two remain.
    expect(slow.hubspot!.samples).toHaveLength(2);
    expect(rateOf(slow.hubspot!)).toBeCloseTo(100 / ((RATE_WINDOW_MS + 9000) / 1000));
  });

  it('starts over for a new run and never moves counts back', () => {
    let state = fold([
      [frame(500, 'deals'), 0],
      [frame(400, 'deals'), 1000],
    ]);
    expect(state.hubspot!.records).toBe(500);
    state = applyProgress(state, frame(7, 'owners', { run_id: 'r2' }), 2000);
    expect(state.hubspot).toMatchObject({ runId: 'r2', records: 7, objectsSeen: ['owners'] });
  });

  it('keeps the last object when the run ends, and counts every object done on success', () => {
    const state = fold([
      [frame(500, 'tasks'), 0],
      [frame(520, '', { status: 'succeeded' }), 1000],
    ]);
    expect(state.hubspot).toMatchObject({ object: 'tasks', status: 'succeeded', records: 520 });
    expect(objectProgress(state.hubspot!)).toEqual({ done: 10, total: 10 });
  });

  it('uses the last run’s object count for providers it does not know', () => {
    const state = fold([
      [frame(1, 'channels', { provider: 'slack' }), 0],
      [frame(2, 'messages', { provider: 'slack' }), 1],
    ]);
    expect(objectProgress(state.slack!)).toEqual({ done: 1, total: null });
    expect(objectProgress(state.slack!, 3)).toEqual({ done: 1, total: 3 });
  });

  it('seeds a run already under way from the stored run', () => {
    const live = liveFromRun({
      id: 'r1',
      provider: 'hubspot',
      status: 'running',
      trigger: 'schedule',
      full_sync: false,
      counts: { owners: { records: 5, skipped: 0, pages: 1 }, pipelines: { records: 9, skipped: 1, pages: 1 } },
      progress: { object: 'companies', records: 14 },
      error: null,
      error_count: 1,
      attempt: 1,
      queued_at: '2026-01-01T00:00:00Z',
      started_at: '2026-01-01T00:00:00Z',
      heartbeat_at: null,
      finished_at: null,
    });
    expect(live).toMatchObject({ object: 'companies', objectsSeen: ['owners', 'pipelines', 'companies'], records: 14, skipped: 1, status: null });
    expect(objectProgress(live)).toEqual({ done: 2, total: 10 });
  });

  it('a throttled frame holds the run back for its seconds, adds no rate sample, and the next page clears it', () => {
    let state: LiveState = {};
    state = applyProgress(state, frame(100, 'contacts'), 1_000);
    state = applyProgress(state, frame(100, 'contacts', { throttled_for_secs: 10 }), 2_000);
    expect(throttledFor(state.hubspot!, 2_000)).toBe(10);
    expect(throttledFor(state.hubspot!, 7_500)).toBe(5);
    expect(throttledFor(state.hubspot!, 12_000)).toBeNull();
    expect(state.hubspot!.samples).toHaveLength(1);
    state = applyProgress(state, frame(200, 'contacts'), 5_000);
    expect(throttledFor(state.hubspot!, 5_000)).toBeNull();
  });

  it('keeps the estimate of a throttled run until a throttled frame says it has none, and counts it down', () => {
    let state: LiveState = {};
    state = applyProgress(state, frame(10, 'messages', { provider: 'slack', throttled_for_secs: 60, done_in_secs: 720 }), 0);
    expect(doneIn(state.slack!, 0)).toBe(720);
    expect(doneIn(state.slack!, 60_000)).toBe(660);
    // A page read between two waits keeps it.
    state = applyProgress(state, frame(20, 'messages', { provider: 'slack' }), 61_000);
    expect(doneIn(state.slack!, 61_000)).toBe(659);
    state = applyProgress(state, frame(20, 'messages', { provider: 'slack', throttled_for_secs: 60 }), 62_000);
    expect(doneIn(state.slack!, 62_000)).toBeNull();
    state = applyProgress(state, frame(30, 'messages', { provider: 'slack', throttled_for_secs: 60, done_in_secs: 30 }), 63_000);
    expect(doneIn(state.slack!, 200_000)).toBe(0);
    state = applyProgress(state, frame(30, '', { provider: 'slack', status: 'succeeded' }), 64_000);
    expect(state.slack!.doneBy).toBeNull();
  });
});

describe('remaining time in words', () => {
  it.each([
    [20, 'less than a minute'],
    [12 * 60, 'about 12\u00a0min'],
    [12 * 60 + 40, 'about 13\u00a0min'],
    [60 * 60, 'about 1\u00a0h'],
    [80 * 60 + 40, 'about 1\u00a0h 20\u00a0min'],
    [23 * 3600 + 58 * 60, 'about 24\u00a0h'],
    [50 * 3600, 'about 2 days'],
  ])('%i seconds: %s', (secs, words) => {
    expect(formatRemaining(secs)).toBe(words);
  });
});
