// The bundled Korean apology clip ("죄송합니다. 잠시 문제가 생겼습니다. 다시 말씀해 주세요."), played when a
// TTS job cannot start or fails, so the caller is not left in dead air.
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseWav, toMulawPart } from './wav';

export const APOLOGY_FILE = 'resources/audio/apology.mulaw.wav';

let cached: Buffer | undefined;

/** Where the clip is: next to the sources (dev, tests) or the bundle (out/main), or under the working directory. */
export function findApologyFile(from = dirname(fileURLToPath(import.meta.url)), cwd = process.cwd()): string {
  const candidates = [1, 2, 3, 4].map((up) => join(from, ...Array<string>(up).fill('..'), APOLOGY_FILE));
  candidates.push(join(cwd, APOLOGY_FILE));
  const found = candidates.find((p) => existsSync(p));
  if (!found) throw new Error(`apology clip not found (looked for ${APOLOGY_FILE} above ${from} and in ${cwd})`);
  return found;
}

/** The clip's data chunk: mu-law 8 kHz mono, ready for the framer. Read once, then cached. */
export function loadApologyAudio(file?: string): Buffer {
  if (!file && cached) return cached;
  const audio = toMulawPart(parseWav(readFileSync(file ?? findApologyFile()))).audio;
  if (!file) cached = audio;
  return audio;
}
