// A streamed call's recording as the console receives it, and the pure audio helpers both sides use: G.711 mu-law
// decoding (a 256-entry table), a level in dBFS, and the stereo WAV the History view exports (caller left, bot
// right, 8 kHz, mu-law or PCM16). Plain data and typed arrays only: no Node, no DOM (the host and the page share it).

/** Both legs on one timeline: sample i of either leg is at `startedAt + i / 8` ms (host clock, epoch ms). */
export interface Recording {
  callSid: string;
  startedAt: number;
  sampleRate: 8000;
  /** Base64 mu-law, one byte per sample; the shorter leg ends in silence. */
  caller: string;
  bot: string;
  /** False while the call is still being recorded. */
  complete: boolean;
}

export type WavEncoding = 'mulaw' | 'pcm16';

export const SAMPLE_RATE = 8000;
/** Mu-law digital silence. */
export const MULAW_SILENCE_BYTE = 0xff;

/** G.711 mu-law byte -> 16-bit linear sample. */
function expand(byte: number): number {
  const u = ~byte & 0xff;
  const magnitude = ((((u & 0x0f) << 3) | 0x84) << ((u >> 4) & 0x07)) - 0x84;
  return u & 0x80 ? -magnitude : magnitude;
}

export const MULAW_TO_PCM16: Int16Array = Int16Array.from({ length: 256 }, (_, b) => expand(b));

/** Mu-law bytes -> floats in [-1, 1) (Web Audio's sample format). */
export function mulawToFloat(mulaw: Uint8Array, out = new Float32Array(mulaw.length)): Float32Array {
  for (let i = 0; i < mulaw.length; i++) out[i] = MULAW_TO_PCM16[mulaw[i]!]! / 32768;
  return out;
}

/** RMS level of mu-law audio in dBFS (floor: -90 for silence or nothing). */
export function mulawLevelDb(mulaw: Uint8Array): number {
  if (mulaw.length === 0) return -90;
  let sum = 0;
  for (let i = 0; i < mulaw.length; i++) {
    const v = MULAW_TO_PCM16[mulaw[i]!]! / 32768;
    sum += v * v;
  }
  const rms = Math.sqrt(sum / mulaw.length);
  return rms > 0 ? Math.max(-90, 20 * Math.log10(rms)) : -90;
}

function ascii(view: DataView, at: number, text: string): void {
  for (let i = 0; i < text.length; i++) view.setUint8(at + i, text.charCodeAt(i));
}

/**
 * A WAV header for `frames` sample frames of `channels` channels: PCM16 (format 1, 16-byte fmt, 44 bytes) or
 * mu-law (format 7, WAVEFORMATEX with cbSize 0 and a fact chunk, 58 bytes). `frames` null: sizes 0xFFFFFFFF
 * (a file still being written; readers take the data to end of file).
 */
export function wavHeader(encoding: WavEncoding, channels: number, frames: number | null): Uint8Array {
  const pcm = encoding === 'pcm16';
  const bytesPerSample = pcm ? 2 : 1;
  const data = frames === null ? 0xffffffff : frames * channels * bytesPerSample;
  const size = pcm ? 44 : 58;
  const view = new DataView(new ArrayBuffer(size));
  ascii(view, 0, 'RIFF');
  view.setUint32(4, frames === null ? 0xffffffff : size - 8 + data + (data & 1), true);
  ascii(view, 8, 'WAVE');
  ascii(view, 12, 'fmt ');
  view.setUint32(16, pcm ? 16 : 18, true);
  view.setUint16(20, pcm ? 1 : 7, true);
  view.setUint16(22, channels, true);
  view.setUint32(24, SAMPLE_RATE, true);
  view.setUint32(28, SAMPLE_RATE * channels * bytesPerSample, true);
  view.setUint16(32, channels * bytesPerSample, true);
  view.setUint16(34, bytesPerSample * 8, true);
  let at = 36;
  if (!pcm) {
    view.setUint16(36, 0, true); // cbSize
    ascii(view, 38, 'fact');
    view.setUint32(42, 4, true);
    view.setUint32(46, frames === null ? 0xffffffff : frames, true);
    at = 50;
  }
  ascii(view, at, 'data');
  view.setUint32(at + 4, data, true);
  return new Uint8Array(view.buffer);
}

/** Where a WAV written by wavHeader() starts its samples. */
export const wavDataOffset = (encoding: WavEncoding): number => (encoding === 'pcm16' ? 44 : 58);

/** Stereo WAV: caller left, bot right; the shorter leg is padded with silence. */
export function stereoWav(caller: Uint8Array, bot: Uint8Array, encoding: WavEncoding): Uint8Array {
  const frames = Math.max(caller.length, bot.length);
  const header = wavHeader(encoding, 2, frames);
  const bytesPerSample = encoding === 'pcm16' ? 2 : 1;
  const dataBytes = frames * 2 * bytesPerSample;
  const out = new Uint8Array(header.length + dataBytes + (dataBytes & 1));
  out.set(header, 0);
  const at = header.length;
  if (encoding === 'mulaw') {
    for (let i = 0; i < frames; i++) {
      out[at + 2 * i] = i < caller.length ? caller[i]! : MULAW_SILENCE_BYTE;
      out[at + 2 * i + 1] = i < bot.length ? bot[i]! : MULAW_SILENCE_BYTE;
    }
  } else {
    const view = new DataView(out.buffer, at, dataBytes);
    for (let i = 0; i < frames; i++) {
      view.setInt16(4 * i, i < caller.length ? MULAW_TO_PCM16[caller[i]!]! : 0, true);
      view.setInt16(4 * i + 2, i < bot.length ? MULAW_TO_PCM16[bot[i]!]! : 0, true);
    }
  }
  return out;
}
