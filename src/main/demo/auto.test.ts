import { afterEach, describe, expect, it, vi } from 'vitest';
import { DEMO_SCENARIOS, type DemoScenario } from '../../shared/model';
import { AUTO_MIX, AUTO_STAGGER_MS, AutoDemo, autoStep, initialAutoState } from './auto';
import { seededRandom } from './utterances';

describe('autoStep', () => {
  const random = () => 0.5; // target 3
  it.each([
    ['first call at once', { next: 0, lastStartAt: -Infinity, target: 2 }, 0, 0, 'gather'],
    ['enough calls going', { next: 1, lastStartAt: 0, target: 2 }, 60_000, 2, null],
    ['too soon after the last start', { next: 1, lastStartAt: 0, target: 3 }, AUTO_STAGGER_MS - 1, 1, null],
    ['staggered start', { next: 1, lastStartAt: 0, target: 3 }, AUTO_STAGGER_MS, 1, 'stream'],
    ['wraps the mix', { next: AUTO_MIX.length, lastStartAt: 0, target: 4 }, 10 * AUTO_STAGGER_MS, 0, 'gather'],
  ] as const)('%s', (_name, state, now, active, expected) => {
    const { start, state: after } = autoStep({ ...state }, now, active, random);
    expect(start).toBe(expected);
    if (start) expect(after).toEqual({ next: state.next + 1, lastStartAt: now, target: 3 });
    else expect(after).toEqual(state);
  });

  it('targets 2–4 calls and covers every scenario', () => {
    const r = seededRandom(3);
    const targets = new Set<number>();
    let state = initialAutoState();
    for (let i = 0; i < 50; i++) {
      state = autoStep(state, i * AUTO_STAGGER_MS, 0, r).state;
      targets.add(state.target);
    }
    expect([...targets].sort()).toEqual([2, 3, 4]);
    expect(new Set(AUTO_MIX)).toEqual(new Set(DEMO_SCENARIOS));
  });
});

describe('AutoDemo', () => {
  afterEach(() => vi.useRealTimers());

  it('starts calls staggered while enabled, and leaves no timer when disabled', async () => {
    vi.useFakeTimers({ now: 0 });
    const started: DemoScenario[] = [];
    let active = 0;
    const auto = new AutoDemo({
      start: async (s) => {
        started.push(s);
        active++;
      },
      active: () => active,
      random: () => 0.99, // target 4
      now: () => Date.now(),
    });
    auto.setEnabled(true);
    expect(auto.enabled).toBe(true);
    await vi.advanceTimersByTimeAsync(0);
    expect(started).toEqual(['gather']);
    await vi.advanceTimersByTimeAsync(AUTO_STAGGER_MS * 5);
    expect(started).toEqual(['gather', 'stream', 'barge-in', 'keyword-handoff']);
    active = 1;
    await vi.advanceTimersByTimeAsync(AUTO_STAGGER_MS);
    expect(started).toHaveLength(5);
    auto.setEnabled(false);
    expect(auto.enabled).toBe(false);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('a failing start is reported and the next tick tries again', async () => {
    vi.useFakeTimers({ now: 0 });
    const errors: unknown[] = [];
    const auto = new AutoDemo({ start: async () => Promise.reject(new Error('host down')), active: () => 0, random: () => 0, onError: (e) => errors.push(e) });
    auto.setEnabled(true);
    await vi.advanceTimersByTimeAsync(AUTO_STAGGER_MS * 2);
    expect(errors.length).toBe(3);
    auto.setEnabled(false);
    expect(vi.getTimerCount()).toBe(0);
  });
});
