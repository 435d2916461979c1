// The bot's audio as Twilio plays it: released once played, cut to the sample by a clear, the rest dropped at the end.
import { describe, expect, it } from 'vitest';
import { PlayedAudio } from './played';

const frame = (byte: number) => Buffer.alloc(160, byte);

function collect(p: PlayedAudio, now: number, end = false) {
  const out: Array<[number, number, number]> = [];
  const take = (a: Buffer, at: number) => out.push([at, a.length, a[0]!]);
  if (end) p.end(now, take);
  else p.release(now, take);
  return out;
}

describe('PlayedAudio', () => {
  it('holds frames until they finished playing, oldest first, and copies them', () => {
    const p = new PlayedAudio();
    const reused = frame(1);
    p.sent(reused, 1000);
    reused.fill(9);
    p.sent(frame(2), 1020);
    expect(collect(p, 1019)).toEqual([]);
    expect(collect(p, 1020)).toEqual([[1000, 160, 1]]);
    expect(collect(p, 1100)).toEqual([[1020, 160, 2]]);
    expect(p.pendingBytes).toBe(0);
  });

  it.each([
    ['before a frame', 1000, []],
    ['inside the first frame (10 ms = 80 bytes)', 1010, [[1000, 80, 1]]],
    ['at the second frame', 1020, [[1000, 160, 1]]],
    ['after both', 1040, [[1000, 160, 1], [1020, 160, 2]]],
  ])('a clear %s drops everything due from then on', (_name, at, expected) => {
    const p = new PlayedAudio();
    p.sent(frame(1), 1000);
    p.sent(frame(2), 1020);
    p.cleared(at);
    expect(collect(p, 5000)).toEqual(expected);
  });

  it('at the end hands over what had started playing, cut at now', () => {
    const p = new PlayedAudio();
    p.sent(frame(1), 1000);
    p.sent(frame(2), 1020);
    p.sent(frame(3), 1040);
    expect(collect(p, 1025, true)).toEqual([
      [1000, 160, 1],
      [1020, 40, 2],
    ]);
    expect(p.pendingBytes).toBe(0);
  });
});
