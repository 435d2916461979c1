// Mu-law decoding against the host codec, levels, and the stereo WAV's bytes (parsed back by the host's WAV reader).
import { describe, expect, it } from 'vitest';
import { decodeMulawSample, encodeMulaw } from '../tts/mulaw';
import { parseWav } from '../tts/wav';
import { MULAW_TO_PCM16, mulawLevelDb, mulawToFloat, stereoWav, wavDataOffset, wavHeader } from '../../shared/recording';

describe('mu-law decoding', () => {
  it('matches the host codec for all 256 bytes', () => {
    for (let b = 0; b < 256; b++) expect(MULAW_TO_PCM16[b]).toBe(decodeMulawSample(b));
  });
  it('gives floats in [-1, 1)', () => {
    const f = mulawToFloat(Uint8Array.from([0x00, 0x80, 0xff, 0x7f]));
    expect(f[0]).toBeCloseTo(-32124 / 32768, 5);
    expect(f[1]).toBeCloseTo(32124 / 32768, 5);
    expect(f[2]).toBe(0);
  });
});

describe('mulawLevelDb', () => {
  it.each([
    ['silence', new Uint8Array(160).fill(0xff), -90],
    ['nothing', new Uint8Array(0), -90],
    ['full scale square', new Uint8Array(160).fill(0x80), 20 * Math.log10(32124 / 32768)],
  ])('%s', (_n, audio, db) => expect(mulawLevelDb(audio)).toBeCloseTo(db, 3));
  it('a -20 dBFS sine reads about -23 dBFS RMS', () => {
    const pcm = Int16Array.from({ length: 800 }, (_, i) => Math.round(3277 * Math.sin((2 * Math.PI * 440 * i) / 8000)));
    expect(mulawLevelDb(encodeMulaw(pcm))).toBeCloseTo(-23, 0);
  });
});

describe('stereoWav', () => {
  const caller = Uint8Array.from([1, 2, 3]);
  const bot = Uint8Array.from([9, 8]);
  it('mu-law: caller left, bot right, the shorter leg padded with silence', () => {
    const wav = stereoWav(caller, bot, 'mulaw');
    const parsed = parseWav(Buffer.from(wav));
    expect(parsed.format).toMatchObject({ audioFormat: 7, channels: 2, sampleRate: 8000, bitsPerSample: 8 });
    expect([...parsed.data]).toEqual([1, 9, 2, 8, 3, 0xff]);
    expect(wav.length).toBe(wavDataOffset('mulaw') + 6);
  });
  it('PCM16: decoded samples, little-endian, zero where a leg ended', () => {
    const wav = stereoWav(caller, bot, 'pcm16');
    const parsed = parseWav(Buffer.from(wav));
    expect(parsed.format).toMatchObject({ audioFormat: 1, channels: 2, bitsPerSample: 16 });
    const s = new Int16Array(parsed.data.buffer.slice(parsed.data.byteOffset, parsed.data.byteOffset + parsed.data.length));
    expect([...s]).toEqual([MULAW_TO_PCM16[1], MULAW_TO_PCM16[9], MULAW_TO_PCM16[2], MULAW_TO_PCM16[8], MULAW_TO_PCM16[3], 0]);
  });
  it('a header still being written says 0xFFFFFFFF', () => {
    const h = new DataView(wavHeader('mulaw', 1, null).buffer);
    expect(h.getUint32(4, true)).toBe(0xffffffff);
    expect(h.getUint32(54, true)).toBe(0xffffffff);
  });
});
