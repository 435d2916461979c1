// Korean voices for the demo: espeak-ng + sox when installed (detected once), the bundled clips otherwise.
// Output is always raw G.711 mu-law, 8 kHz, mono.
import { execFile, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { findApologyFile } from '../tts/apology';
import { parseWav, toMulawPart } from '../tts/wav';

export type ClipName = 'caller-speech' | 'room-noise' | 'greeting' | 'ask-agent' | 'silence';
export type Role = 'caller' | 'bot';

export interface Voice {
  /** What speaks: 'espeak-ng' or 'clips' (shown in logs and the Setup view). */
  readonly engine: 'espeak-ng' | 'clips';
  /** `text` spoken by the caller or the bot (cached by role and text). */
  speak(text: string, role: Role): Promise<Buffer>;
  clip(name: ClipName): Buffer;
}

/** The bundled clips live next to the TTS apology clip (resources/audio). */
export function clipsDir(): string {
  return dirname(findApologyFile());
}

const clipCache = new Map<ClipName, Buffer>();

export function loadClip(name: ClipName, dir = clipsDir()): Buffer {
  let clip = clipCache.get(name);
  if (!clip) {
    clip = toMulawPart(parseWav(readFileSync(join(dir, `${name}.mulaw.wav`)))).audio;
    clipCache.set(name, clip);
  }
  return clip;
}

/** Which clip stands in for `text` when no synthesiser is installed. */
export function fallbackClip(text: string, role: Role): ClipName {
  if (role === 'caller') return 'caller-speech';
  return text.includes('상담원') ? 'ask-agent' : 'greeting';
}

const ESPEAK_VOICE: Record<Role, string[]> = {
  // a different pitch and rate per role, so caller and bot are told apart
  caller: ['-v', 'ko', '-p', '35', '-s', '160'],
  bot: ['-v', 'ko+f3', '-p', '55', '-s', '165'],
};

function commandWorks(cmd: string, args: string[]): Promise<boolean> {
  return new Promise((resolve) => {
    execFile(cmd, args, { timeout: 5000 }, (err) => resolve(!err));
  });
}

let detected: Promise<boolean> | undefined;

/** Whether espeak-ng and sox are both installed (checked once per process). */
export function synthesiserInstalled(): Promise<boolean> {
  detected ??= Promise.all([commandWorks('espeak-ng', ['--version']), commandWorks('sox', ['--version'])]).then(([e, s]) => e && s);
  return detected;
}

/** espeak-ng's WAV piped through sox to raw mu-law 8 kHz mono. */
export function synthesise(text: string, role: Role, timeoutMs = 15_000): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const espeak = spawn('espeak-ng', [...ESPEAK_VOICE[role], '--stdout', text], { stdio: ['ignore', 'pipe', 'pipe'] });
    const sox = spawn('sox', ['-t', 'wav', '-', '-t', 'raw', '-r', '8000', '-c', '1', '-e', 'mu-law', '-b', '8', '-'], { stdio: ['pipe', 'pipe', 'pipe'] });
    const chunks: Buffer[] = [];
    let stderr = '';
    const timer = setTimeout(() => fail(new Error(`espeak-ng/sox took longer than ${timeoutMs} ms`)), timeoutMs);
    const fail = (err: Error) => {
      clearTimeout(timer);
      espeak.kill();
      sox.kill();
      reject(err);
    };
    espeak.stdout.pipe(sox.stdin);
    sox.stdin.on('error', () => undefined); // sox exiting early is reported by its exit code
    espeak.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    sox.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    sox.stdout.on('data', (d: Buffer) => chunks.push(d));
    espeak.on('error', fail);
    sox.on('error', fail);
    sox.on('close', (code) => {
      clearTimeout(timer);
      const audio = Buffer.concat(chunks);
      if (code === 0 && audio.length > 0) resolve(audio);
      else reject(new Error(`espeak-ng/sox failed (exit ${code}): ${stderr.trim().slice(0, 200)}`));
    });
  });
}

/** A voice; `useSynthesiser` overrides detection (tests, or to force the clips). */
export async function createVoice(options: { useSynthesiser?: boolean; cacheSize?: number } = {}): Promise<Voice> {
  const engine = (options.useSynthesiser ?? (await synthesiserInstalled())) ? 'espeak-ng' : 'clips';
  const cacheSize = options.cacheSize ?? 200;
  const cache = new Map<string, Promise<Buffer>>();
  return {
    engine,
    clip: (name) => loadClip(name),
    speak(text, role) {
      if (engine === 'clips') return Promise.resolve(loadClip(fallbackClip(text, role)));
      const key = `${role}\u0000${text}`;
      let audio = cache.get(key);
      if (!audio) {
        // a synthesiser failure falls back to the clip rather than leaving the call silent
        audio = synthesise(text, role).catch(() => loadClip(fallbackClip(text, role)));
        cache.set(key, audio);
        if (cache.size > cacheSize) cache.delete(cache.keys().next().value!);
      }
      return audio;
    },
  };
}
