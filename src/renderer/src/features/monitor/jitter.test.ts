// The listen-in jitter buffer with injected times: a steady cushion, order kept through jitter, late batches dropped
// or trimmed, never more than maxBehindMs behind the freshest batch.
import { describe, expect, it } from 'vitest';
import { JitterClock, LevelTrack, meterFill } from './jitter';

describe('JitterClock', () => {
  it('plays batches targetMs after the freshest lag, back to back through arrival jitter', () => {
    const j = new JitterClock({ targetMs: 160, maxBehindMs: 300 });
    // host stamps every 100 ms; the page's clock is 5,000 ms ahead; arrivals jitter by up to 80 ms
    const arrivals = [20, 100, 30, 0, 80, 60];
    const slots = arrivals.map((jitter, i) => j.schedule(1000 + i * 100, 100, 6000 + i * 100 + jitter));
    expect(slots.map((s) => s?.startMs)).toEqual([6180, 6280, 6380, 6480, 6580, 6680].map((x) => x));
    expect(slots.every((s) => s?.skipMs === 0)).toBe(true);
    expect(j.behindMs).toBe(180); // the first batch was 20 ms late: 160 + 20 behind the freshest
  });

  it('drops a batch that ends before now and trims one that started', () => {
    const j = new JitterClock({ targetMs: 100, maxBehindMs: 300 });
    expect(j.schedule(0, 100, 0)).toEqual({ startMs: 100, skipMs: 0 });
    expect(j.schedule(100, 100, 250)).toEqual({ startMs: 250, skipMs: 50 }); // due at 200, arrived at 250
    expect(j.schedule(200, 100, 420)).toBeNull(); // due 300..400, arrived at 420
    expect(j.late).toBe(1);
  });

  it('re-anchors to live when the cushion exceeds maxBehindMs', () => {
    const j = new JitterClock({ targetMs: 160, maxBehindMs: 300 });
    j.schedule(0, 100, 250); // a stale first batch: offset 410
    expect(j.behindMs).toBe(160);
    const s = j.schedule(100, 100, 200); // a fresh one: lag 100 -> 310 behind, too far
    expect(j.resyncs).toBe(1);
    expect(j.behindMs).toBe(160);
    expect(s).toEqual({ startMs: 360, skipMs: 0 });
  });
});

describe('LevelTrack / meterFill', () => {
  it('reports the level of the batch playing now', () => {
    const l = new LevelTrack();
    l.add(0, 100, -20);
    l.add(100, 200, -40);
    expect([l.at(50), l.at(150), l.at(250)]).toEqual([-20, -40, -90]);
    expect([meterFill(-90), meterFill(-30), meterFill(0), meterFill(6)]).toEqual([0, 0.5, 1, 1]);
  });
});
