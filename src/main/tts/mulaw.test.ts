import { describe, expect, it } from 'vitest';
import alawmulaw from 'alawmulaw';
import { decodeMulaw, decodeMulawSample, encodeMulaw, encodeMulawSample, MULAW_SILENCE } from './mulaw';

const { mulaw: ref } = alawmulaw;

describe('G.711 mu-law', () => {
  it.each([
    [0, 0xff],
    [-1, 0x7f],
    [32767, 0x80],
    [-32768, 0x00],
    [1000, 0xce],
  ])('encodes %i as 0x%s', (sample, byte) => {
    expect(encodeMulawSample(sample)).toBe(byte);
  });

  it.each([
    [0xff, 0],
    [0x7f, 0],
    [0x80, 32124],
    [0x00, -32124],
  ])('decodes 0x%s as %i', (byte, sample) => {
    expect(decodeMulawSample(byte)).toBe(sample);
  });

  it('matches alawmulaw on all 65,536 encode inputs', () => {
    const all = Int16Array.from({ length: 65536 }, (_, i) => i - 32768);
    const mine = encodeMulaw(all);
    const theirs = Uint8Array.from(ref.encode(all), (b) => b & 0xff);
    expect(Buffer.compare(mine, Buffer.from(theirs))).toBe(0);
  });

  it('matches alawmulaw on all 256 decode codes', () => {
    const codes = Uint8Array.from({ length: 256 }, (_, i) => i);
    expect(Array.from(decodeMulaw(codes))).toEqual(Array.from(ref.decode(codes)));
  });

  it('silence is 0xFF', () => {
    expect(decodeMulawSample(MULAW_SILENCE)).toBe(0);
  });
});
