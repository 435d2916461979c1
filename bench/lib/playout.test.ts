import { describe, expect, it } from 'vitest';
import { ExactCheck, StreamPlayout } from './playout';

const frames = (p: StreamPlayout, times: number[], bytes = 160) => times.forEach((t) => p.received(bytes, t));

describe('StreamPlayout', () => {
  it('a perfectly paced sender with no lead: zero lateness, no underrun, lead one frame', () => {
    const p = new StreamPlayout(0);
    frames(p, [1000, 1020, 1040, 1060]);
    const r = p.result();
    expect(Array.from(r.lateness)).toEqual([0, 0, 0, 0]);
    expect(Array.from(r.beyondLead)).toEqual([0, 0, 0, 0]);
    expect(r.underruns).toBe(0);
    expect(r.maxLeadMs).toBe(20);
    expect(r.frames).toBe(4);
  });

  it('a drifting setTimeout chain underruns at every late frame', () => {
    const p = new StreamPlayout(0);
    frames(p, [0, 20.5, 41, 61.5]);
    const r = p.result();
    expect(Array.from(r.lateness)).toEqual([0, 0.5, 1, 1.5]);
    expect(r.underruns).toBe(3);
    expect(r.gapMs).toBeCloseTo(1.5);
  });

  it('a 100 ms lead: the first 6 frames at once, then one per 20 ms; late-beyond-lead is 0', () => {
    const p = new StreamPlayout(100);
    frames(p, [0, 0, 0, 0, 0, 0, 20, 40, 60]);
    const r = p.result();
    expect(Array.from(r.lateness)).toEqual([0, -20, -40, -60, -80, -100, -100, -100, -100]);
    expect(Array.from(r.beyondLead)).toEqual([0, 0, 0, 0, 0, 0, 0, 0, 0]);
    expect(r.maxLeadMs).toBe(120);
    expect(r.underruns).toBe(0);
  });

  it('a stall longer than the lead is one underrun and shows as lateness', () => {
    const p = new StreamPlayout(40);
    frames(p, [0, 0, 0, 20, 200, 200]);
    const r = p.result();
    expect(r.underruns).toBe(1);
    expect(r.gapMs).toBe(200 - 80);
    expect(r.beyondLead[4]).toBe(200 - (80 - 40));
  });

  it('send-everything-at-once: all ahead of the grid, the lead is the whole reply', () => {
    const p = new StreamPlayout(Infinity);
    p.received(160 * 50, 5);
    const r = p.result();
    expect(r.frames).toBe(50);
    expect(r.lateness[49]).toBe(-980);
    expect(r.beyondLead[49]).toBe(0);
    expect(r.maxLeadMs).toBe(1000);
  });

  it('frames split across messages arrive with the message carrying their last byte; a partial tail counts', () => {
    const p = new StreamPlayout(0);
    p.received(100, 0);
    p.received(100, 10); // completes frame 0 at 10
    p.received(50, 30); // 250 bytes: frame 1 is partial until the end
    const r = p.result();
    expect(r.frames).toBe(2);
    expect(Array.from(r.lateness)).toEqual([10, 10]);
    // 200 bytes play until 25; the third message at 30 found the buffer empty
    expect(r.underruns).toBe(1);
    expect(p.playoutEnd).toBeCloseTo(36.25);
  });
});

describe('ExactCheck', () => {
  const expected = Buffer.from([1, 2, 3, 4, 5]);

  it('accepts the exact bytes in any message sizes', () => {
    const c = new ExactCheck(expected);
    c.push(Buffer.from([1, 2]));
    c.push(Buffer.from([3, 4, 5]));
    expect(c.exact).toBe(true);
  });

  it('accepts 0xFF padding of the last frame, but nothing else after the end', () => {
    const ok = new ExactCheck(expected);
    ok.push(Buffer.from([1, 2, 3, 4, 5, 0xff, 0xff]));
    expect(ok.exact).toBe(true);
    const bad = new ExactCheck(expected);
    bad.push(Buffer.from([1, 2, 3, 4, 5, 0x00]));
    expect(bad.exact).toBe(false);
    expect(bad.describe()).toBe('first differing byte at 5');
  });

  it('reports a changed byte and a short stream', () => {
    const changed = new ExactCheck(expected);
    changed.push(Buffer.from([1, 2, 9, 4, 5]));
    expect(changed.exact).toBe(false);
    expect(changed.describe()).toBe('first differing byte at 2');
    const short = new ExactCheck(expected);
    short.push(Buffer.from([1, 2, 3]));
    expect(short.exact).toBe(false);
    expect(short.describe()).toBe('short: 3 of 5 bytes');
  });
});
