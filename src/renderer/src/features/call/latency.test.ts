import { describe, expect, it } from 'vitest';
import { waterfallOf, type LatencyStep } from './latency';

const base = { callerStoppedAt: 1000, finalAt: 1640, decidedAt: 1652, ttsJobAt: 1655, firstFrameAt: 1965, heardAt: 2145 };
const deltas = (l: Partial<Record<LatencyStep, number>>) => waterfallOf(l).steps.map((s) => (s.at === undefined ? '—' : (s.deltaMs ?? 'start')));

describe('waterfallOf', () => {
  it.each([
    ['all six steps', base, ['start', 640, 12, 3, 310, 180], 1145],
    ['caller stop unknown: timed from the final', { ...base, callerStoppedAt: undefined }, ['—', 'start', 12, 3, 310, 180], 505],
    ['a missing middle step: the next is timed from the last known one', { ...base, decidedAt: undefined }, ['start', 640, '—', 15, 310, 180], 1145],
    ['not heard yet', { ...base, heardAt: undefined }, ['start', 640, 12, 3, 310, '—'], 965],
    ['only the final', { finalAt: 5000 }, ['—', 'start', '—', '—', '—', '—'], undefined],
    ['skewed clocks never give a negative step', { finalAt: 2000, decidedAt: 1990, ttsJobAt: 2005 }, ['—', 'start', 0, 5, '—', '—'], 5],
  ] as Array<[string, Partial<Record<LatencyStep, number>>, Array<number | string>, number | undefined]>)('%s', (_name, latency, expected, total) => {
    expect(deltas(latency)).toEqual(expected);
    expect(waterfallOf(latency).totalMs).toBe(total);
  });

  it('bar segments tile the total from the first known step', () => {
    const w = waterfallOf(base);
    const segs = w.steps.filter((s) => s.width !== undefined);
    expect(segs).toHaveLength(5);
    expect(segs[0].from).toBe(0);
    const sum = segs.reduce((n, s) => n + (s.width ?? 0), 0);
    expect(sum).toBeCloseTo(1, 6);
    expect(segs[4].from! + segs[4].width!).toBeCloseTo(1, 6);
    expect(w.known).toBe(6);
  });
});
