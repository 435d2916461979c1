import { describe, expect, it } from 'vitest';
import { Marker, ReplyFrames, type QueueEntry } from './reply-frames';

/** Render a queue as a compact string: F<len>[first byte] for frames, <kind:part> for markers. */
const show = (entries: QueueEntry[]) =>
  entries.map((e) => (e instanceof Marker ? (e.kind === 'mark' ? `M${e.part}` : `S${e.part}`) : `F${e[0]}`)).join(' ');

/** Part n's audio: `bytes` bytes all equal to n+1 (so a frame's first byte tells whose audio starts it). */
const audio = (n: number, bytes: number) => Buffer.alloc(bytes, n + 1);

describe('ReplyFrames', () => {
  it.each<[string, number[], string]>([
    ['frame-aligned parts', [320, 160], 'S0 F1 F1 M0 S1 F2 M1 | M-1'],
    ['a part ending mid-frame: its mark follows the straddling frame', [240, 240], 'S0 F1 F1 M0 S1 F2 M1 | M-1'],
    ['tiny parts inside one frame (markers keep their order)', [50, 50, 100], 'S0 F1 M0 S1 M1 S2 | F M2 M-1'],
    ['an empty part sits after the previous part', [160, 0, 160], 'S0 F1 M0 S1 M1 S2 F3 M2 | M-1'],
    ['a short last part is padded by end()', [100], 'S0 | F M0 M-1'],
  ])('%s', (_name, sizes, expected) => {
    const rf = new ReplyFrames();
    const parts = sizes.map((bytes, n) => show(rf.part(n, audio(n, bytes), `r:part${n}`))).filter(Boolean);
    const end = show(rf.end('r:end')).replace(/F\d+/g, 'F');
    expect(`${parts.join(' ')} | ${end}`.trim()).toBe(expected);
  });

  it('outputs every byte once, in order, padding only the very last frame with 0xFF', () => {
    const rf = new ReplyFrames();
    const sizes = [1234, 77, 0, 5000, 13];
    const input = Buffer.concat(sizes.map((b, n) => audio(n, b)));
    const entries = sizes.flatMap((b, n) => rf.part(n, audio(n, b), `p${n}`)).concat(rf.end('end'));
    const frames = entries.filter((e): e is Buffer => Buffer.isBuffer(e));
    expect(frames.every((f) => f.length === 160)).toBe(true);
    const out = Buffer.concat(frames);
    expect(out.subarray(0, input.length).equals(input)).toBe(true);
    expect(rf.padBytes).toBe(out.length - input.length);
    expect([...out.subarray(input.length)].every((b) => b === 0xff)).toBe(true);
    expect(rf.padBytes).toBeLessThan(160);
  });

  it('no padding when the reply is a whole number of frames; an empty reply is just the end mark', () => {
    const rf = new ReplyFrames();
    rf.part(0, audio(0, 480), 'p0');
    expect(show(rf.end('end'))).toBe('M-1');
    expect(rf.padBytes).toBe(0);
    expect(show(new ReplyFrames().end('end'))).toBe('M-1');
  });

  it('refuses parts after end(), and end() twice returns nothing', () => {
    const rf = new ReplyFrames();
    rf.end('end');
    expect(rf.end('end')).toEqual([]);
    expect(() => rf.part(0, audio(0, 10), 'p0')).toThrow(/ended/);
  });
});
