// The soak's "flat" rule (scripts/soak/run.ts): end − start and end − middle within max(pct × start, abs).
import { describe, expect, it } from 'vitest';
import { settled, startCheckpointMs, TOLERANCE, trendPer10Min, verdict } from '../scripts/soak/run';
import type { SoakSample } from '../scripts/soak/host';
import { readStatus, rssSplit } from '../scripts/soak/proc';

const sample = (over: Partial<SoakSample> = {}): SoakSample => ({
  at: 0, rssMb: 200, rssAnonMb: 150, rssFileMb: 50, heapUsedMb: 50, heapTotalMb: 80, externalMb: 5, fds: 400, handles: 100, handleTypes: {}, loopP50Ms: 10, loopP99Ms: 30,
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

describe('soak checkpoints and trend', () => {
  it.each([
    [2, 18_000, 18_000],
    [10, 30_000, 180_000],
    [30, 30_000, 540_000],
    [32, 30_000, 960_000],
    [40, 30_000, 960_000],
    [120, 30_000, 2_160_000],
    [5, 30_000, 90_000],
  ])('a %i min run with a %i ms ramp takes its start at %i ms', (minutes, rampMs, at) => expect(startCheckpointMs(minutes * 60_000, rampMs)).toBe(at));

  const series = (f: (t: number) => number) => Array.from({ length: 11 }, (_, i) => ({ ...sample(), t: i * 60, rssMb: f(i * 60) }));

  it('reads a steady climb as its slope per 10 minutes', () => expect(trendPer10Min(series((t) => 400 + t / 60), 'rssMb', 0)).toBe(10));
  it('reads a plateau that swings as ~0', () => expect(Math.abs(trendPer10Min(series((t) => 500 + ((t / 60) % 2 ? 12 : -12)), 'rssMb', 0)!)).toBeLessThan(3));
  it('only counts samples from the given time on', () => expect(trendPer10Min(series((t) => (t < 300 ? 300 + t : 600)), 'rssMb', 300)).toBe(0));
  it('says nothing from fewer than 3 samples', () => expect(trendPer10Min(series(() => 1), 'rssMb', 540)).toBeNull());
});

describe('rssSplit', () => {
  it('reads anonymous and file-backed RSS from /proc status', () => {
    const status = 'Name:\tnode\nVmRSS:\t  512000 kB\nRssAnon:\t  440320 kB\nRssFile:\t   73420 kB\nRssShmem:\t       0 kB\n';
    expect(rssSplit(status)).toEqual({ rssAnonMb: 430, rssFileMb: 71.7 });
  });
  it('gives -1 where the lines are missing (not Linux)', () => expect(rssSplit('')).toEqual({ rssAnonMb: -1, rssFileMb: -1 }));
  it('reads this process', () => expect(rssSplit(readStatus()).rssAnonMb).toBeGreaterThan(0));
});

describe('settled checkpoints', () => {
  const run = (handles: number[]) => handles.map((h, i) => ({ ...sample(), t: i * 30, handles: h }));

  it('a spike at the checkpoint does not decide: the median of its neighbourhood does', () => {
    const samples = run([400, 410, 730, 395, 405]);
    expect(settled(samples, 2).handles).toBe(405);
    expect(samples[2]!.handles).toBe(730); // the sample itself is left alone
  });

  it('a real climb moves the median, so the verdict still catches a leak', () => {
    const flat = run([400, 420, 390, 410, 405, 395, 415, 400, 410]);
    const leak = run([400, 420, 440, 460, 480, 500, 520, 540, 560]);
    const judge = (s: ReturnType<typeof run>) => verdict(settled(s.slice(0, 5), 0, 4), settled(s, 4), settled(s.slice(-5), 4, 4));
    expect(judge(flat).rows.find((r) => r.metric === 'handles')!.flat).toBe(true);
    expect(judge(leak).rows.find((r) => r.metric === 'handles')!.flat).toBe(false);
  });

  it('at the edges it uses what there is', () => expect(settled(run([10, 20, 30]), 0).handles).toBe(20));
});
