// The soak's "flat" rule (scripts/soak/run.ts): end − start and end − middle within max(pct × start, abs).
import { describe, expect, it } from 'vitest';
import { TOLERANCE, verdict } from '../scripts/soak/run';
import type { SoakSample } from '../scripts/soak/host';

const sample = (over: Partial<SoakSample> = {}): SoakSample => ({
  at: 0, rssMb: 200, heapUsedMb: 50, heapTotalMb: 80, externalMb: 5, fds: 400, handles: 100, handleTypes: {}, loopP50Ms: 10, loopP99Ms: 30,
  loopMaxMs: 60, activeCalls: 200, registryCalls: 300, streams: 200, ...over,
});

describe('soak verdict', () => {
  it.each([
    ['steady', {}, {}, true, []],
    ['heap within 20 % of start', { heapUsedMb: 55 }, { heapUsedMb: 60 }, true, []],
    ['heap leaking past it', { heapUsedMb: 58 }, { heapUsedMb: 66 }, false, ['heapUsedMb']],
    ['a late climb only (end − middle)', { rssMb: 150 }, { rssMb: 215 }, false, ['rssMb']],
    ['handles not given back', { handles: 104 }, { handles: 130 }, false, ['handles']],
    ['file descriptors held (invisible to handles)', { fds: 430 }, { fds: 520 }, false, ['fds']],
    ['loop p99 noise under the 50 ms floor', { loopP99Ms: 70 }, { loopP99Ms: 75 }, true, []],
  ] as const)('%s', (_name, mid, end, flat, failing) => {
    const v = verdict(sample(), sample(mid), sample(end));
    expect(v.flat).toBe(flat);
    expect(v.rows.filter((r) => !r.flat).map((r) => r.metric)).toEqual(failing);
    expect(v.rows.map((r) => r.metric)).toEqual(Object.keys(TOLERANCE));
  });
});
