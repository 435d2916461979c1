// Barge-in fixtures: the bundled caller speech, room noise and silence, plus Korean utterances made at
// bench time with espeak-ng + sox (cached under bench/out/voices), each with its speech onset found once
// by the offline energy analysis (onset.ts).
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { decodeMulaw } from '../../src/main/tts/mulaw';
import { findSpeechOnset } from './onset';
import { AUDIO_DIR, loadWavData } from './speech-parts';

export interface Voice {
  name: string;
  audio: Buffer;
  /** True when the fixture contains speech (a clear is expected). */
  speech: boolean;
  onsetSample: number | null;
}

const KOREAN: Array<[string, string]> = [
  ['ko-wait', '잠깐만요, 제 말 좀 들어 보세요.'],
  ['ko-agent', '상담원 연결해 주세요.'],
  ['ko-no', '아니요, 그게 아니고요.'],
];

function has(tool: string): boolean {
  try {
    execFileSync(tool, ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/** espeak-ng -v ko -> 8 kHz mono mu-law (no dither), 300 ms of silence before the voice. */
function makeKorean(dir: string, name: string, text: string): string {
  const out = join(dir, `${name}.mulaw.wav`);
  if (existsSync(out)) return out;
  const raw = join(dir, `${name}.raw.wav`);
  execFileSync('espeak-ng', ['-v', 'ko', '-s', '160', '-w', raw, text], { stdio: 'ignore' });
  execFileSync('sox', [raw, '-D', '-r', '8000', '-c', '1', '-e', 'mu-law', out, 'pad', '0.3', '0.2'], { stdio: 'ignore' });
  rmSync(raw, { force: true });
  return out;
}

function voice(name: string, file: string, speech: boolean): Voice {
  const audio = loadWavData(file);
  const onset = findSpeechOnset(decodeMulaw(audio));
  return { name, audio, speech, onsetSample: onset ? onset.sample : null };
}

export function loadVoices(outDir: string, smoke: boolean, note: (s: string) => void): Voice[] {
  const voices = [
    voice('caller-speech', join(AUDIO_DIR, 'caller-speech.mulaw.wav'), true),
    voice('room-noise', join(AUDIO_DIR, 'room-noise.mulaw.wav'), false),
    voice('silence', join(AUDIO_DIR, 'silence.mulaw.wav'), false),
  ];
  if (smoke) return voices.slice(0, 2);
  if (has('espeak-ng') && has('sox')) {
    const dir = join(outDir, 'voices');
    mkdirSync(dir, { recursive: true });
    for (const [name, text] of KOREAN) {
      try {
        voices.push(voice(name, makeKorean(dir, name, text), true));
      } catch (err) {
        note(`barge-in: could not make ${name} with espeak-ng/sox: ${(err as Error).message.split('\n')[0]}`);
      }
    }
  } else note('barge-in: espeak-ng or sox missing: only the bundled caller-speech fixture was used');
  for (const v of voices) {
    if (v.speech && v.onsetSample === null) note(`barge-in: no speech onset found in ${v.name} (offline analysis)`);
    if (!v.speech && v.onsetSample !== null) note(`barge-in: the offline analysis finds "speech" in ${v.name} at ${v.onsetSample / 8} ms`);
  }
  return voices;
}
