// The bot's reply as the bench's TTS stand-in uploads it: the greeting parts (four real RIFF layouts) and
// the ask-agent prompt cut into 1.2 s parts, ~12 s of audio. The expected bytes on the wire are the
// concatenated data chunks, which the load generator checks byte for byte.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseWav } from '../../src/main/tts/wav';
import { buildWav, WAV_LAYOUTS } from '../../src/main/sim/wav-writer';

export const AUDIO_DIR = new URL('../../resources/audio/', import.meta.url).pathname;
const PART_BYTES = 9600; // 1.2 s

export interface ReplyParts {
  /** The WAV files to upload, in order. */
  files: Buffer[];
  /** Their data chunks concatenated: what Twilio must receive. */
  expected: Buffer;
  audioMs: number;
}

export function loadWavData(file: string): Buffer {
  return Buffer.from(parseWav(readFileSync(file)).data);
}

/** `long`: greeting + ask-agent (~12 s, 11 parts); otherwise the greeting only (6.5 s, 6 parts). */
export function replyParts(long: boolean): ReplyParts {
  const dir = join(AUDIO_DIR, 'greeting-parts');
  const names = readdirSync(dir).filter((f) => /^part\d+\.wav$/.test(f)).sort((a, b) => parseInt(a.slice(4)) - parseInt(b.slice(4)));
  const files: Buffer[] = names.map((f) => readFileSync(join(dir, f)));
  if (long) {
    const ask = loadWavData(join(AUDIO_DIR, 'ask-agent.mulaw.wav'));
    for (let at = 0, i = 0; at < ask.length; at += PART_BYTES, i++) files.push(buildWav(ask.subarray(at, at + PART_BYTES), WAV_LAYOUTS[i % WAV_LAYOUTS.length]));
  }
  const expected = Buffer.concat(files.map((f) => parseWav(f).data));
  return { files, expected, audioMs: expected.length / 8 };
}
