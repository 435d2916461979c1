import { describe, expect, it } from 'vitest';
import type { JobRecord } from '../procs/cloud';
import { bargeInNumbers, firstAudioNumbers, lateParts, pacingNumbers } from './analyze';
import { StreamPlayout } from './playout';
import type { StreamResult } from './twilio-stream';

function stream(over: Partial<StreamResult> & { arrivals?: number[]; lead?: number } = {}): StreamResult {
  const p = new StreamPlayout(over.lead ?? 0);
  for (const t of over.arrivals ?? []) p.received(160, t);
  const { arrivals: _a, lead: _l, ...rest } = over;
  return {
    callSid: 'CA1', streamSid: 'MZ1', openedAt: 0, firstMediaAt: over.arrivals?.[0] ?? null, playout: p.result(), exact: true, exactNote: 'exact',
    marksReceived: 0, marksPlayed: 0, marksCleared: 0, clearAt: [], speechOnsetAt: null, speechSentFrom: null, speechName: null, protocolErrors: [], closeCode: 1000, ...rest,
  };
}

describe('pacingNumbers', () => {
  it('pools frames across streams and counts underruns, exactness and silent streams', () => {
    const n = pacingNumbers([
      stream({ arrivals: [0, 20, 40] }),
      stream({ streamSid: 'MZ2', arrivals: [0, 30, 50], exact: false, exactNote: 'short' }),
      stream({ streamSid: 'MZ3', exact: null }),
    ]);
    expect(n.streams).toBe(3);
    expect(n.silent).toBe(1);
    expect(n.beyondLead.n).toBe(6);
    expect(n.beyondLead.max).toBe(10);
    expect(n.underrunsTotal).toBe(1);
    expect(n.streamsWithUnderrun).toBe(1);
    expect(n.exact).toBe(1);
    expect(n.checked).toBe(2);
    expect(n.notExact[0]).toContain('short');
  });
});

describe('firstAudioNumbers', () => {
  const job = (sid: string, postedAt: number, landed: number | undefined, misses: number): JobRecord => ({
    partBytes: [8000], jobId: `j-${sid}`, callSid: 'CA', streamSid: sid, postedAt, landedAt: landed === undefined ? [] : [landed], part0MissesBeforeLanding: misses, getsTotal: misses + 1,
  });

  it('measures part 0 landing -> first frame, and GETs per waiting second', () => {
    const n = firstAudioNumbers(
      [stream({ streamSid: 'A', arrivals: [1030] }), stream({ streamSid: 'B', arrivals: [2050] }), stream({ streamSid: 'C', arrivals: [10] })],
      [job('A', 500, 1000, 5), job('B', 1500, 2000, 10), job('C', 0, undefined, 3)],
    );
    expect(n.matched).toBe(2);
    expect(n.unmatched).toBe(1);
    expect(n.ttfa.p50).toBe(30);
    expect(n.ttfa.max).toBe(50);
    expect(n.s3PerWaitingSecond.max).toBe(20);
    expect(n.postToAudio.p50).toBe(530);
    expect(n.discovery.n).toBe(0); // no found-at recorded: no split
  });

  it('splits it at the GET that found part 0: polling wait, then host overhead', () => {
    const n = firstAudioNumbers(
      [stream({ streamSid: 'A', arrivals: [1030] }), stream({ streamSid: 'B', arrivals: [2050] })],
      [{ ...job('A', 500, 1000, 5), part0FoundAt: 1020 }, { ...job('B', 1500, 2000, 10), part0FoundAt: 2010 }],
    );
    expect([n.discovery.p50, n.discovery.max]).toEqual([10, 20]);
    expect([n.overhead.p50, n.overhead.max]).toEqual([10, 40]);
  });
});

describe('bargeInNumbers', () => {
  it('latency from onset to the first clear after the speech; clears without speech are false triggers', () => {
    const n = bargeInNumbers(
      [
        stream({ streamSid: 'S1', speechSentFrom: 1000, speechOnsetAt: 1040, clearAt: [1150] }),
        stream({ streamSid: 'S2', speechSentFrom: 1000, speechOnsetAt: 1040, clearAt: [] }),
        stream({ streamSid: 'N1', speechSentFrom: 1000, clearAt: [1500] }),
        stream({ streamSid: 'S3', speechSentFrom: 1000, speechOnsetAt: 1040, clearAt: [900, 1100] }),
      ],
      (s) => s.streamSid.startsWith('S'),
    );
    expect(n.detected).toBe(2);
    expect(n.missed).toBe(1);
    expect(n.falseTriggers).toBe(2);
    expect(n.latency.p50).toBe(60);
    expect(n.latency.max).toBe(110);
  });
});

describe('lateParts', () => {
  it('counts parts that landed after the playout reached them (part 0 never counts)', () => {
    const job = { partBytes: [800, 800, 800], jobId: 'j', callSid: 'CA', streamSid: 'MZ1', postedAt: 0, landedAt: [50, 120, 500], part0MissesBeforeLanding: 0, getsTotal: 0 };
    // first frame at 100: part 1 needed at 100 + 100 = 200 (landed 120, fine), part 2 at 300 (landed 500: late)
    expect(lateParts([stream({ streamSid: 'MZ1', arrivals: [100] })], [job])).toEqual({ late: 1, parts: 3, streams: 1 });
  });
});
