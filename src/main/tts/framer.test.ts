import { describe, expect, it } from 'vitest';
import { Framer } from './framer';

const bytes = (n: number, from = 0) => Buffer.from(Array.from({ length: n }, (_, i) => (from + i) % 251));

describe('Framer', () => {
  it.each([
    { name: 'exact frames', parts: [320], frames: 2, pending: 0 },
    { name: 'short part is carried', parts: [100], frames: 0, pending: 100 },
    { name: 'leftover joins the next part', parts: [100, 100], frames: 1, pending: 40 },
    { name: 'fixture sizes (9600 ×5 + 3787)', parts: [9600, 9600, 9600, 9600, 9600, 3787], frames: 323, pending: 107 },
    { name: 'odd libsndfile sizes', parts: [8001, 8001, 8001], frames: 150, pending: 3 },
    { name: 'empty parts change nothing', parts: [0, 170, 0], frames: 1, pending: 10 },
  ])('$name', ({ parts, frames, pending }) => {
    const f = new Framer();
    let total = 0;
    const out: Buffer[] = [];
    for (const n of parts) {
      out.push(...f.push(bytes(n, total)));
      total += n;
    }
    expect(out.length).toBe(frames);
    expect(out.every((fr) => fr.length === 160)).toBe(true);
    expect(f.pending).toBe(pending);
    // every byte exactly once, in order
    const tail = f.flush(false) ?? Buffer.alloc(0);
    expect(Buffer.compare(Buffer.concat([...out, tail]), bytes(total))).toBe(0);
  });

  it('flush(true) pads only the final frame with 0xFF', () => {
    const f = new Framer();
    f.push(bytes(170));
    const last = f.flush(true)!;
    expect(last.length).toBe(160);
    expect(Buffer.compare(last.subarray(0, 10), bytes(10, 160))).toBe(0);
    expect(last.subarray(10).every((b) => b === 0xff)).toBe(true);
    expect(f.pending).toBe(0);
    expect(f.flush(true)).toBeNull();
  });

  it('flush(false) returns the short tail as it is', () => {
    const f = new Framer();
    f.push(bytes(5));
    expect(f.flush(false)).toEqual(bytes(5));
  });

  it('flush with nothing pending returns null', () => {
    const f = new Framer();
    f.push(bytes(320));
    expect(f.flush(true)).toBeNull();
  });

  it('carried bytes do not alias the caller’s buffer', () => {
    const f = new Framer();
    const part = bytes(170);
    f.push(part);
    part.fill(0);
    expect(f.flush(false)).toEqual(bytes(10, 160));
  });

  it('other frame sizes', () => {
    const f = new Framer(80);
    expect(f.push(bytes(170)).map((x) => x.length)).toEqual([80, 80]);
    expect(f.pending).toBe(10);
    expect(() => new Framer(0)).toThrow(RangeError);
  });
});
