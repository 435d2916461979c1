import { describe, expect, it } from 'vitest';
import { findSpeechOnset, levelDb } from './onset';

/** 8 kHz PCM: `quietMs` of a tiny tone, then `loudMs` of a loud one. */
function signal(quietMs: number, loudMs: number, loudAmp = 8000, quietAmp = 10): Int16Array {
  const n = (quietMs + loudMs) * 8;
  const pcm = new Int16Array(n);
  for (let i = 0; i < n; i++) pcm[i] = Math.round((i < quietMs * 8 ? quietAmp : loudAmp) * Math.sin((2 * Math.PI * 200 * i) / 8000));
  return pcm;
}

describe('levelDb', () => {
  it('digital silence is -120, a full-scale square wave 0 dBFS', () => {
    expect(levelDb(new Int16Array(80), 0, 80)).toBe(-120);
    const square = Int16Array.from({ length: 80 }, (_, i) => (i % 2 ? 32767 : -32768));
    expect(levelDb(square, 0, 80)).toBeCloseTo(0, 1);
  });
});

describe('findSpeechOnset', () => {
  it.each([
    [40, 300, 40],
    [0, 300, 0],
    [123, 300, 123],
    [1000, 50, 1000],
  ])('quiet %i ms then loud %i ms: onset at %i ms', (quiet, loud, expected) => {
    const onset = findSpeechOnset(signal(quiet, loud));
    expect(onset).not.toBeNull();
    expect(Math.abs(onset!.ms - expected)).toBeLessThanOrEqual(1);
  });

  it('a loud blip shorter than 30 ms is not speech', () => {
    expect(findSpeechOnset(signal(100, 20))).toBeNull();
  });

  it('quiet noise below -40 dBFS is not speech', () => {
    expect(findSpeechOnset(signal(0, 500, 200))).toBeNull();
    expect(findSpeechOnset(new Int16Array(8000))).toBeNull();
  });
});
