// RIFF/WAVE chunk walker for TTS parts. Hand-written: it is our hot path, ~100 lines, and the one npm parser
// that handles these layouts (wavefile) plays the odd-size pad byte as audio (a click per part).
import { encodeMulaw } from './mulaw';

export type WavErrorCode = 'empty' | 'not-riff' | 'truncated' | 'corrupt' | 'unsupported';

export class WavError extends Error {
  constructor(
    message: string,
    readonly code: WavErrorCode,
  ) {
    super(message);
    this.name = 'WavError';
  }
}

export interface WavFormat {
  /** The real format tag: for WAVE_FORMAT_EXTENSIBLE (0xFFFE) the SubFormat GUID's tag. */
  audioFormat: number;
  channels: number;
  sampleRate: number;
  bitsPerSample: number;
}

export interface ParsedWav {
  format: WavFormat;
  /** The data chunk's bytes (a view into the input). */
  data: Buffer;
  dataOffset: number;
  /** The data chunk's size field, or null when it is a placeholder (0, 0xFFFFFFFF, sox's 0x7FFFF000…). */
  declaredDataBytes: number | null;
  /** 'short-data' (declared > available), 'size-placeholder', 'missing-pad', 'extensible'. */
  flags: string[];
}

export const WAVE_FORMAT = { PCM: 1, ALAW: 6, MULAW: 7, EXTENSIBLE: 0xfffe } as const;
const FORMAT_NAMES: Record<number, string> = { 1: 'PCM', 3: 'IEEE float', 6: 'A-law', 7: 'mu-law', 0x55: 'MP3' };
/** sox writes 0x7FFFF000 when it cannot seek back; ffmpeg 0xFFFFFFFF; others 0. */
const PLACEHOLDER_MIN = 0x7ffff000;

const isChunkId = (buf: Buffer, at: number): boolean => {
  if (at + 8 > buf.length) return false;
  for (let i = at; i < at + 4; i++) if (buf[i]! < 0x20 || buf[i]! > 0x7e) return false;
  return true;
};

/** A chunk header that could be real: printable id, and a size that fits (data may be a placeholder or cut short). */
const isPlausibleChunk = (buf: Buffer, at: number): boolean =>
  isChunkId(buf, at) && (buf.toString('latin1', at, at + 4) === 'data' || at + 8 + buf.readUInt32LE(at + 4) <= buf.length);

const hex = (b: Buffer) => b.toString('hex').replace(/(..)/g, '$1 ').trim();

export function parseWav(buf: Buffer): ParsedWav {
  if (buf.length === 0) throw new WavError('empty part (0 bytes)', 'empty');
  if (buf.length >= 4 && buf.toString('latin1', 0, 4) === 'RF64') throw new WavError('RF64 WAV files are not supported for TTS parts', 'unsupported');
  if (buf.length < 12) {
    const looksRiff = 'RIFF'.startsWith(buf.toString('latin1', 0, Math.min(4, buf.length)));
    if (looksRiff) throw new WavError(`RIFF header cut short (${buf.length} bytes)`, 'truncated');
    throw new WavError(`not a RIFF/WAVE file (starts with ${hex(buf.subarray(0, 4))})`, 'not-riff');
  }
  if (buf.toString('latin1', 0, 4) !== 'RIFF' || buf.toString('latin1', 8, 12) !== 'WAVE') {
    throw new WavError(`not a RIFF/WAVE file (starts with ${hex(buf.subarray(0, 4))} … ${hex(buf.subarray(8, 12))})`, 'not-riff');
  }
  const flags: string[] = [];
  let format: WavFormat | undefined;
  let offset = 12; // the RIFF size is never trusted
  while (offset + 8 <= buf.length) {
    if (!isChunkId(buf, offset)) throw new WavError(`unreadable chunk id at byte ${offset} (${hex(buf.subarray(offset, offset + 4))})`, 'corrupt');
    const id = buf.toString('latin1', offset, offset + 4);
    const size = buf.readUInt32LE(offset + 4);
    const body = offset + 8;
    if (id === 'data') {
      if (!format) throw new WavError('data chunk before fmt chunk', 'corrupt');
      const available = buf.length - body;
      if (size === 0 || size >= PLACEHOLDER_MIN) {
        flags.push('size-placeholder');
        return { format, data: buf.subarray(body), dataOffset: body, declaredDataBytes: null, flags };
      }
      if (size > available) flags.push('short-data');
      return { format, data: buf.subarray(body, body + Math.min(size, available)), dataOffset: body, declaredDataBytes: size, flags };
    }
    if (body + size > buf.length) throw new WavError(`${JSON.stringify(id)} chunk at byte ${offset} runs past the end of the part (${size} bytes declared, ${buf.length - body} there)`, 'truncated');
    if (id === 'fmt ') format = readFmt(buf.subarray(body, body + size), flags);
    let next = body + size + (size & 1); // odd chunks are followed by a pad byte the size does not count
    if (size & 1 && next < buf.length && !isPlausibleChunk(buf, next) && isPlausibleChunk(buf, next - 1)) {
      next -= 1; // a writer that forgot the pad byte
      flags.push('missing-pad');
    }
    offset = next;
  }
  if (!format) throw new WavError('no fmt chunk before the end of the part', 'truncated');
  throw new WavError('no data chunk before the end of the part', 'truncated');
}

function readFmt(fmt: Buffer, flags: string[]): WavFormat {
  if (fmt.length < 16) throw new WavError(`fmt chunk of ${fmt.length} bytes (need 16, 18 or 40)`, 'corrupt');
  let audioFormat = fmt.readUInt16LE(0);
  if (audioFormat === WAVE_FORMAT.EXTENSIBLE) {
    if (fmt.length < 40) throw new WavError(`WAVE_FORMAT_EXTENSIBLE fmt chunk of ${fmt.length} bytes (need 40)`, 'corrupt');
    audioFormat = fmt.readUInt16LE(24); // SubFormat GUID: its first two bytes are the real format tag
    flags.push('extensible');
  }
  return { audioFormat, channels: fmt.readUInt16LE(2), sampleRate: fmt.readUInt32LE(4), bitsPerSample: fmt.readUInt16LE(14) };
}

export function describeFormat(f: WavFormat): string {
  const name = FORMAT_NAMES[f.audioFormat] ?? `format 0x${f.audioFormat.toString(16)}`;
  return `${name} ${f.sampleRate} Hz ${f.channels === 1 ? 'mono' : `${f.channels} channels`} ${f.bitsPerSample}-bit`;
}

/** The part's audio as mu-law 8 kHz mono: passed through, or converted from PCM16 8 kHz mono; else a WavError. */
export function toMulawPart(parsed: ParsedWav): { audio: Buffer; flags: string[] } {
  const { format: f, data } = parsed;
  const flags = [...parsed.flags];
  if (f.sampleRate === 8000 && f.channels === 1) {
    if (f.audioFormat === WAVE_FORMAT.MULAW && f.bitsPerSample === 8) return { audio: data, flags };
    if (f.audioFormat === WAVE_FORMAT.PCM && f.bitsPerSample === 16) {
      const samples = new Int16Array(data.length >> 1);
      for (let i = 0; i < samples.length; i++) samples[i] = data.readInt16LE(i * 2);
      flags.push('pcm16-converted');
      if (data.length & 1) flags.push('odd-pcm-byte-dropped');
      return { audio: encodeMulaw(samples), flags };
    }
  }
  const hint =
    f.audioFormat === WAVE_FORMAT.PCM && f.bitsPerSample === 8
      ? ' (if these are mu-law bytes, the writer labelled them PCM — Python’s wave module does this)'
      : '';
  throw new WavError(`unsupported audio: ${describeFormat(f)}; need mu-law 8 kHz mono (or PCM16 8 kHz mono)${hint}`, 'unsupported');
}
