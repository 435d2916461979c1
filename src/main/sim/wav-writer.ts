// Builds mu-law WAV files in the RIFF layouts real TTS writers produce (see resources/audio/greeting-parts).
// Used by the TTS stand-in and by tests that need odd shapes; byte-exact with the fixtures.

export type WavLayout = 'sox' | 'plain44' | 'ffmpeg' | 'streamed';
export const WAV_LAYOUTS: readonly WavLayout[] = ['sox', 'plain44', 'ffmpeg', 'streamed'];

export interface RiffChunk {
  id: string;
  body: Buffer;
  /** Size field to write instead of body.length (placeholders, lies). */
  size?: number;
  /** Omit the pad byte after an odd-sized body (a buggy writer). */
  noPad?: boolean;
}

export interface FmtOptions {
  audioFormat?: number;
  channels?: number;
  sampleRate?: number;
  bitsPerSample?: number;
  /** 16 (PCMWAVEFORMAT), 18 (WAVEFORMATEX, cbSize 0) or 40 (EXTENSIBLE, audioFormat goes in the SubFormat GUID). */
  size?: 16 | 18 | 40;
}

const KSDATAFORMAT_TAIL = Buffer.from('000000001000800000aa00389b71', 'hex'); // GUID bytes after the format tag

export function fmtChunk(o: FmtOptions = {}): RiffChunk {
  const { audioFormat = 7, channels = 1, sampleRate = 8000, bitsPerSample = 8, size = 18 } = o;
  const body = Buffer.alloc(size);
  const blockAlign = (channels * bitsPerSample) >> 3;
  body.writeUInt16LE(size === 40 ? 0xfffe : audioFormat, 0);
  body.writeUInt16LE(channels, 2);
  body.writeUInt32LE(sampleRate, 4);
  body.writeUInt32LE(sampleRate * blockAlign, 8);
  body.writeUInt16LE(blockAlign, 12);
  body.writeUInt16LE(bitsPerSample, 14);
  if (size >= 18) body.writeUInt16LE(size - 18, 16); // cbSize
  if (size === 40) {
    body.writeUInt16LE(bitsPerSample, 18); // wValidBitsPerSample
    body.writeUInt32LE(channels === 1 ? 4 : 3, 20); // channel mask
    body.writeUInt16LE(audioFormat, 24);
    KSDATAFORMAT_TAIL.copy(body, 26);
  }
  return { id: 'fmt ', body };
}

export function u32(n: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeUInt32LE(n >>> 0, 0);
  return b;
}

/** ffmpeg's LIST/INFO chunk with ISFT "Lavf59.27.100". */
export function ffmpegListChunk(): RiffChunk {
  const isft = Buffer.from('Lavf59.27.100\0', 'latin1');
  return { id: 'LIST', body: Buffer.concat([Buffer.from('INFO', 'latin1'), Buffer.from('ISFT', 'latin1'), u32(isft.length), isft]) };
}

/** RIFF/WAVE container around the chunks; riffSize overrides the computed size (e.g. 0xFFFFFFFF). */
export function riff(chunks: RiffChunk[], riffSize?: number): Buffer {
  const parts: Buffer[] = [];
  for (const c of chunks) {
    parts.push(Buffer.from(c.id, 'latin1'), u32(c.size ?? c.body.length), c.body);
    if (c.body.length & 1 && !c.noPad) parts.push(Buffer.alloc(1));
  }
  const body = Buffer.concat(parts);
  return Buffer.concat([Buffer.from('RIFF', 'latin1'), u32(riffSize ?? body.length + 4), Buffer.from('WAVE', 'latin1'), body]);
}

/** A mu-law 8 kHz mono WAV around `audio`, in the header layout the named writer produces. */
export function buildWav(audio: Buffer, layout: WavLayout): Buffer {
  switch (layout) {
    case 'sox':
      return riff([fmtChunk({ size: 18 }), { id: 'fact', body: u32(audio.length) }, { id: 'data', body: audio }]);
    case 'plain44':
      return riff([fmtChunk({ size: 16 }), { id: 'data', body: audio }]);
    case 'ffmpeg':
      return riff([fmtChunk({ size: 18 }), ffmpegListChunk(), { id: 'data', body: audio }]);
    case 'streamed':
      return riff([fmtChunk({ size: 18 }), { id: 'data', body: audio, size: 0xffffffff, noPad: true }], 0xffffffff);
  }
}
