import { describe, expect, it } from 'vitest';
import type { FirstAudioNumbers, PacingNumbers } from './analyze';
import { capacityVerdict, highestHeld } from './capacity';
import { summarize } from './stats';

const pacing = (over: Partial<PacingNumbers> = {}): PacingNumbers => ({
  streams: 10, beyondLead: summarize([0, 1, 2]), grid: summarize([0]), maxLead: summarize([120]), underrunsPerStream: summarize([0]),
  underrunsTotal: 0, streamsWithUnderrun: 0, exact: 10, checked: 10, notExact: [], protocolErrors: [], silent: 0, ...over,
});
const audio = (p99: number): FirstAudioNumbers => ({ ttfa: summarize([p99]), discovery: summarize([p99 / 2]), overhead: summarize([p99 / 2]), s3PerWaitingSecond: summarize([5]), postToAudio: summarize([400]), matched: 10, unmatched: 0 });

describe('capacityVerdict', () => {
  it('holds when every criterion is met', () => {
    expect(capacityVerdict({ requested: 10, opened: 10, pacing: pacing(), firstAudio: audio(80) })).toEqual({ streams: 10, holds: true, failures: [] });
  });

  it.each([
    [{ opened: 9 }, {}, 80, 'could not connect'],
    [{}, { exact: 9 }, 80, 'not byte-exact'],
    [{}, { underrunsTotal: 2, streamsWithUnderrun: 1 }, 80, '2 underruns on 1 streams'],
    [{}, { beyondLead: summarize([6]) }, 80, 'beyond lead p99 6.0 ms'],
    [{}, {}, 150, 'first audio p99 150 ms'],
    [{}, { silent: 1 }, 80, 'got no audio'],
    [{}, { beyondLead: summarize([]) }, 80, 'beyond lead'],
  ])('fails on %j %j ttfa %i: %s', (top, p, ttfa, reason) => {
    const v = capacityVerdict({ requested: 10, opened: 10, pacing: pacing(p), firstAudio: audio(ttfa), ...top });
    expect(v.holds).toBe(false);
    expect(v.failures.join('|')).toContain(reason);
  });
});

describe('highestHeld', () => {
  it('stops at the first failing step', () => {
    const v = (streams: number, holds: boolean) => ({ streams, holds, failures: [] });
    expect(highestHeld([v(100, true), v(300, true), v(500, false), v(1000, true)])).toBe(300);
    expect(highestHeld([v(100, false)])).toBe(0);
    expect(highestHeld([v(1000, true), v(100, true)])).toBe(1000);
  });
});

describe('capacityVerdict without TTS (the wire floor)', () => {
  it('is judged on the wire criteria only', () => {
    expect(capacityVerdict({ requested: 10, opened: 10, pacing: pacing(), firstAudio: null })).toEqual({ streams: 10, holds: true, failures: [] });
    expect(capacityVerdict({ requested: 10, opened: 10, pacing: pacing({ underrunsTotal: 3, streamsWithUnderrun: 2 }), firstAudio: null }).failures).toEqual(['3 underruns on 2 streams']);
  });
});
