import { describe, expect, it } from 'vitest';
import { CallerCapture } from './capture';

const frame = (byte: number, n = 4) => Buffer.alloc(n, byte);

describe('CallerCapture', () => {
  it.each([
    ['fewer frames than the pre-roll', [1, 2], [1, 2]],
    ['exactly the pre-roll', [1, 2, 3], [1, 2, 3]],
    ['the ring wrapped: the last three, in order', [1, 2, 3, 4, 5], [3, 4, 5]],
    ['wrapped several times', [1, 2, 3, 4, 5, 6, 7, 8], [6, 7, 8]],
  ])('pre-roll: %s', (_name, pushed, kept) => {
    const c = new CallerCapture(3, 1000, 4);
    for (const b of pushed) c.push(frame(b));
    c.begin();
    expect([...c.end()]).toEqual(kept.flatMap((b) => [...frame(b)]));
  });

  it('copies what it keeps: the caller may reuse its buffer at once', () => {
    const c = new CallerCapture(2, 1000, 4);
    const scratch = frame(7);
    c.push(scratch);
    scratch.fill(9);
    c.begin();
    const again = frame(5);
    c.push(again);
    again.fill(0);
    expect([...c.end()]).toEqual([7, 7, 7, 7, 5, 5, 5, 5]);
  });

  it('keeps everything after begin() up to maxBytes, then says it truncated', () => {
    const c = new CallerCapture(1, 10, 4);
    c.push(frame(1));
    c.begin();
    c.push(frame(2));
    c.push(frame(3)); // 4 + 4 + 4 > 10
    expect(c.truncated).toBe(true);
    expect([...c.end()]).toEqual([1, 1, 1, 1, 2, 2, 2, 2]);
    expect(c.capturing).toBe(false);
  });

  it('a frame larger than the ring keeps its last ring-full of bytes', () => {
    const c = new CallerCapture(1, 100, 4);
    c.push(Buffer.from([1, 2, 3, 4, 5, 6]));
    c.begin();
    expect([...c.end()]).toEqual([3, 4, 5, 6]);
  });

  it('begin() with nothing heard starts empty', () => {
    const c = new CallerCapture();
    c.begin();
    expect(c.end().length).toBe(0);
  });
});
