import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ffmpegListChunk, fmtChunk, riff, u32 } from '../sim/wav-writer';
import { decodeMulaw, encodeMulaw } from './mulaw';
import { parseWav, toMulawPart, WavError, type WavErrorCode } from './wav';

const PARTS_DIR = join(__dirname, '../../../resources/audio/greeting-parts');
const manifest = JSON.parse(readFileSync(join(PARTS_DIR, 'manifest.json'), 'utf8')) as {
  audioBytes: number;
  parts: Array<{ part: number; layout: string; bytes: number }>;
};
const greeting = readFileSync(join(PARTS_DIR, '../greeting.mulaw.wav'));
const audio = (n: number, seed = 1) => Buffer.from(Array.from({ length: n }, (_, i) => (i * 37 + seed) & 0xff));

describe('parseWav on the fixture parts (real-world layouts)', () => {
  it.each(manifest.parts)('part$part ($layout): data chunk only, $bytes bytes', ({ part, layout, bytes }) => {
    const file = readFileSync(join(PARTS_DIR, `part${part}.wav`));
    const parsed = parseWav(file);
    expect(parsed.data.length).toBe(bytes);
    expect(parsed.format).toEqual({ audioFormat: 7, channels: 1, sampleRate: 8000, bitsPerSample: 8 });
    const offsets: Record<string, number> = { sox: 58, plain44: 44, ffmpeg: 80, streamed: 46 };
    expect(parsed.dataOffset).toBe(offsets[layout]);
    expect(parsed.declaredDataBytes).toBe(layout === 'streamed' ? null : bytes);
    expect(parsed.flags).toEqual(layout === 'streamed' ? ['size-placeholder'] : []);
    expect(toMulawPart(parsed).audio).toBe(parsed.data);
  });

  it('the concatenated parts equal greeting.mulaw.wav’s data, byte for byte', () => {
    const all = Buffer.concat(manifest.parts.map((p) => parseWav(readFileSync(join(PARTS_DIR, `part${p.part}.wav`))).data));
    expect(all.length).toBe(manifest.audioBytes);
    expect(Buffer.compare(all, parseWav(greeting).data)).toBe(0);
  });
});

describe('parseWav on synthetic shapes', () => {
  const a = audio(101); // odd: a pad byte follows
  const cases: Array<{ name: string; file: Buffer; data: Buffer; flags?: string[]; declared?: number | null }> = [
    {
      name: 'chunk after data is never played',
      file: riff([fmtChunk(), { id: 'data', body: a }, { id: 'LIST', body: Buffer.from('INFOjunk') }, { id: 'id3 ', body: audio(33) }]),
      data: a,
    },
    {
      name: 'odd fact-like chunk + pad byte before data',
      file: riff([fmtChunk({ size: 16 }), { id: 'junk', body: audio(7) }, { id: 'data', body: a }]),
      data: a,
    },
    {
      name: 'odd chunk whose writer forgot the pad byte',
      file: riff([fmtChunk(), { id: 'junk', body: audio(7), noPad: true }, { id: 'data', body: a }]),
      data: a,
      flags: ['missing-pad'],
    },
    { name: 'fmt 40 (WAVE_FORMAT_EXTENSIBLE, mu-law subformat)', file: riff([fmtChunk({ size: 40 }), { id: 'data', body: a }]), data: a, flags: ['extensible'] },
    { name: 'LIST before data (ffmpeg file)', file: riff([fmtChunk(), { id: 'fact', body: u32(101) }, ffmpegListChunk(), { id: 'data', body: a }]), data: a },
    {
      name: 'sox pipe placeholder 0x7FFFF000 → data to end of file',
      file: riff([fmtChunk(), { id: 'fact', body: u32(0x7ffff000) }, { id: 'data', body: a, size: 0x7ffff000, noPad: true }], 0x7ffff032),
      data: a,
      flags: ['size-placeholder'],
      declared: null,
    },
    { name: 'data size 0 placeholder → data to end of file', file: riff([fmtChunk(), { id: 'data', body: a, size: 0, noPad: true }]), data: a, flags: ['size-placeholder'], declared: null },
    { name: 'empty data chunk', file: riff([fmtChunk(), { id: 'data', body: Buffer.alloc(0) }]), data: Buffer.alloc(0), flags: ['size-placeholder'], declared: null },
    { name: 'wrong RIFF size is ignored', file: riff([fmtChunk(), { id: 'data', body: a }], 12), data: a },
  ];
  it.each(cases)('$name', ({ file, data, flags = [], declared }) => {
    const parsed = parseWav(file);
    expect(Buffer.compare(parsed.data, data)).toBe(0);
    expect(parsed.flags).toEqual(flags);
    if (declared !== undefined) expect(parsed.declaredDataBytes).toBe(declared);
  });

  it('truncated data: returns what is there and flags short-data', () => {
    const full = riff([fmtChunk(), { id: 'fact', body: u32(4000) }, { id: 'data', body: audio(4000) }]);
    const cut = full.subarray(0, 58 + 1234);
    const parsed = parseWav(cut);
    expect(parsed.declaredDataBytes).toBe(4000);
    expect(parsed.flags).toEqual(['short-data']);
    expect(Buffer.compare(parsed.data, audio(4000).subarray(0, 1234))).toBe(0);
  });

  const bad: Array<{ name: string; file: Buffer; code: WavErrorCode; message: RegExp }> = [
    { name: 'zero-length file', file: Buffer.alloc(0), code: 'empty', message: /empty part/ },
    { name: 'not RIFF (an XML error body)', file: Buffer.from('<?xml version="1.0"?><Error>'), code: 'not-riff', message: /not a RIFF\/WAVE file \(starts with 3c 3f 78 6d/ },
    { name: 'RIFF but not WAVE', file: Buffer.from('RIFF\x10\x00\x00\x00AVI LIST', 'latin1'), code: 'not-riff', message: /not a RIFF\/WAVE/ },
    { name: 'RF64', file: Buffer.from('RF64\xff\xff\xff\xffWAVEds64', 'latin1'), code: 'unsupported', message: /RF64/ },
    { name: 'header cut inside RIFF', file: Buffer.from('RIFF\x10\x00', 'latin1'), code: 'truncated', message: /cut short/ },
    { name: 'header cut inside fmt', file: riff([fmtChunk(), { id: 'data', body: audio(10) }]).subarray(0, 30), code: 'truncated', message: /"fmt " chunk at byte 12 runs past the end/ },
    { name: 'no data chunk', file: riff([fmtChunk(), { id: 'fact', body: u32(1) }]), code: 'truncated', message: /no data chunk/ },
    { name: 'no fmt chunk', file: riff([{ id: 'fact', body: u32(1) }]), code: 'truncated', message: /no fmt chunk/ },
    { name: 'data before fmt', file: riff([{ id: 'data', body: audio(10) }, fmtChunk()]), code: 'corrupt', message: /data chunk before fmt/ },
    { name: 'garbage chunk id', file: Buffer.concat([riff([fmtChunk()]), Buffer.from([0, 1, 2, 3, 4, 0, 0, 0])]), code: 'corrupt', message: /unreadable chunk id at byte 38/ },
    { name: 'fmt too small', file: riff([{ id: 'fmt ', body: Buffer.alloc(14) }, { id: 'data', body: audio(4) }]), code: 'corrupt', message: /fmt chunk of 14 bytes/ },
    { name: 'EXTENSIBLE tag in an 18-byte fmt', file: riff([{ ...fmtChunk(), body: Buffer.from(fmtChunk({ size: 18 }).body).fill(0xfe, 0, 1).fill(0xff, 1, 2) }, { id: 'data', body: audio(4) }]), code: 'corrupt', message: /EXTENSIBLE fmt chunk of 18 bytes/ },
  ];
  it.each(bad)('$name → WavError($code)', ({ file, code, message }) => {
    let error: unknown;
    try {
      parseWav(file);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(WavError);
    expect((error as WavError).code).toBe(code);
    expect((error as WavError).message).toMatch(message);
  });
});

describe('toMulawPart', () => {
  it('converts PCM16 8 kHz mono with the G.711 encoder and flags it', () => {
    const pcm = Int16Array.from({ length: 400 }, (_, i) => Math.round(8000 * Math.sin(i / 5)));
    const data = Buffer.from(pcm.buffer);
    const parsed = parseWav(riff([fmtChunk({ audioFormat: 1, bitsPerSample: 16, size: 16 }), { id: 'data', body: data }]));
    const out = toMulawPart(parsed);
    expect(out.flags).toEqual(['pcm16-converted']);
    expect(Buffer.compare(out.audio, encodeMulaw(pcm))).toBe(0);
    expect(Math.abs(decodeMulaw(out.audio)[10]! - pcm[10]!)).toBeLessThan(300);
  });

  it('converts PCM16 in an EXTENSIBLE fmt', () => {
    const parsed = parseWav(riff([fmtChunk({ audioFormat: 1, bitsPerSample: 16, size: 40 }), { id: 'data', body: Buffer.alloc(8) }]));
    expect(toMulawPart(parsed)).toEqual({ audio: Buffer.alloc(4, 0xff), flags: ['extensible', 'pcm16-converted'] });
  });

  it.each([
    [{ audioFormat: 6 }, /A-law 8000 Hz mono 8-bit/],
    [{ sampleRate: 16000 }, /mu-law 16000 Hz mono 8-bit/],
    [{ channels: 2 }, /mu-law 8000 Hz 2 channels 8-bit/],
    [{ audioFormat: 1, bitsPerSample: 16, sampleRate: 24000 }, /PCM 24000 Hz mono 16-bit/],
    [{ audioFormat: 1, bitsPerSample: 8 }, /PCM 8000 Hz mono 8-bit.*Python/],
    [{ audioFormat: 3, bitsPerSample: 32 }, /IEEE float/],
  ])('refuses %o naming the format', (fmt, message) => {
    const parsed = parseWav(riff([fmtChunk({ ...fmt, size: 18 }), { id: 'data', body: audio(16) }]));
    expect(() => toMulawPart(parsed)).toThrow(message);
    expect(() => toMulawPart(parsed)).toThrow(WavError);
  });
});
