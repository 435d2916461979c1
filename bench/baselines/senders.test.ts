import { describe, expect, it } from 'vitest';
import { FakeTimers } from '../../test/helpers/fake-timers';
import { createSender } from './senders';

const frames = (n: number) => Array.from({ length: n }, (_, i) => Buffer.from([i]));

function harness(kind: 'timeout-chain' | 'burst') {
  const timers = new FakeTimers(0);
  const sent: Array<[number, number]> = [];
  const sender = createSender(kind, { frame: (f) => sent.push([timers.t, f[0]]) }, timers);
  return { timers, sent, sender };
}

describe('timeout-chain sender', () => {
  it('sends one frame per 20 ms relative to the previous send', () => {
    const { timers, sent, sender } = harness('timeout-chain');
    sender.push(frames(3));
    timers.advance(100);
    expect(sent).toEqual([
      [0, 0],
      [20, 1],
      [40, 2],
    ]);
    expect(timers.size).toBe(0);
  });

  it('restarts at once when frames come after it went idle, and reports drained after the last frame', () => {
    const { timers, sent, sender } = harness('timeout-chain');
    sender.push(frames(1));
    timers.advance(50);
    sender.push([Buffer.from([9])]);
    let drainedAt = -1;
    sender.end(() => (drainedAt = timers.t));
    timers.advance(100);
    expect(sent.map(([t]) => t)).toEqual([0, 50]);
    expect(drainedAt).toBe(70);
  });

  it('stop leaves no timer and sends nothing more', () => {
    const { timers, sent, sender } = harness('timeout-chain');
    sender.push(frames(5));
    sender.stop();
    timers.advance(200);
    expect(sent).toHaveLength(1);
    expect(timers.size).toBe(0);
    expect(sender.queued).toBe(0);
  });
});

describe('burst sender', () => {
  it('sends everything at once and is drained at once', () => {
    const { timers, sent, sender } = harness('burst');
    sender.push(frames(50));
    let drained = false;
    sender.end(() => (drained = true));
    expect(sent).toHaveLength(50);
    expect(sent.every(([t]) => t === 0)).toBe(true);
    expect(drained).toBe(true);
    expect(timers.size).toBe(0);
  });
});
