import { describe, expect, it } from 'vitest';
import { decodeMulawSample } from '../../tts/mulaw';
import { Framer } from './frames';
import { SILERO_CONTEXT, SILERO_INPUT } from './silero';

function collect(bytes: Uint8Array, chunk: number) {
  const frames: Array<[number, number]> = [];
  const windows: Array<[number, Float32Array]> = [];
  const f = new Framer({ frame: (_m, s, rms) => frames.push([s, Math.round(rms)]), window: (w, s) => windows.push([s, w.slice()]) });
  for (let at = 0; at < bytes.length; at += chunk) f.push(bytes.subarray(at, at + chunk), at / 8);
  return { frames, windows };
}

describe('Framer', () => {
  const bytes = Uint8Array.from({ length: 8000 }, (_, i) => (i * 31) & 0xff);
  it('cuts 20 ms frames and 32 ms windows with media times, whatever the chunking', () => {
    const a = collect(bytes, 160);
    expect(a.frames).toHaveLength(50);
    expect(a.frames[3]![0]).toBe(60);
    expect(a.windows).toHaveLength(31);
    expect(a.windows.map((w) => w[0]).slice(0, 3)).toEqual([0, 32, 64]);
    for (const chunk of [37, 400, 8000]) {
      const b = collect(bytes, chunk);
      expect(b.frames).toEqual(a.frames);
      expect(b.windows.map((w) => [w[0], [...w[1]]])).toEqual(a.windows.map((w) => [w[0], [...w[1]]]));
    }
  });

  it('prepends the previous window\'s last 32 samples as context (silence before the first)', () => {
    const { windows } = collect(bytes, 160);
    expect(windows[0]![1].length).toBe(SILERO_INPUT);
    expect([...windows[0]![1].subarray(0, SILERO_CONTEXT)].every((x) => x === 0)).toBe(true);
    expect([...windows[1]![1].subarray(0, SILERO_CONTEXT)]).toEqual([...windows[0]![1].subarray(SILERO_INPUT - SILERO_CONTEXT)]);
    expect(windows[1]![1][SILERO_CONTEXT]).toBeCloseTo(decodeMulawSample(bytes[256]!) / 32768, 6);
  });
});
