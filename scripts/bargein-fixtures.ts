// Regenerates the barge-in fixtures (src/main/media/fixtures/bargein/): what a caller's phone sends while the
// bot is talking, each with the bot's outbound reference it overlaps and its ground truth (manifest.json).
// Made only with espeak-ng -v ko and sox -R (reproducible noise, no dither), so anyone can rebuild them:
//   npx tsx scripts/bargein-fixtures.ts
// Model of a fixture: the bot's reply (bot-reply.wav, the first 3.5 s of resources/audio/greeting) plays at the
// caller from t = 0; the caller side adds line noise, maybe the echo of that reply (delay, level, band-limited,
// a little room reverb), and the event under test. Times are fixture times (ms from the first inbound byte).
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { findSpeechOnset, levelDb } from '../bench/lib/onset';

export const FIXTURE_DIR = fileURLToPath(new URL('../src/main/media/fixtures/bargein/', import.meta.url));
const GREETING = fileURLToPath(new URL('../resources/audio/greeting.mulaw.wav', import.meta.url));
const DUR = 3.5; // seconds per fixture
const RATE = ['-r', '8000', '-c', '1'];

export interface FixtureTruth {
  name: string;
  /** The inbound (caller-side) audio, 8 kHz mu-law WAV. */
  file: string;
  /** True: the bot must stop (speech-confirmed). False: it must not (at most a short pause). */
  interruption: boolean;
  kind: 'interruption' | 'double-talk' | 'backchannel' | 'noise' | 'echo';
  /** Fixture time of the caller's speech onset (offline energy rule of bench/lib/onset.ts), or null. */
  onsetMs: number | null;
  /** Length of the caller's sound (first to last 10 ms window above -40 dBFS), when there is one. */
  soundMs: number | null;
  /** The bot's reply plays at the caller from this fixture time (the outbound reference is bot-reply.wav). */
  outboundAtMs: number;
  echo: { delayMs: number; levelDb: number; measuredDb: number } | null;
  how: string;
}

let tmp = '';
const t = (name: string) => join(tmp, name);
const sox = (...args: string[]) => execFileSync('sox', ['-R', '-D', ...args], { stdio: ['ignore', 'ignore', 'pipe'] });

function pcm(file: string): Int16Array {
  const raw = execFileSync('sox', [file, '-t', 'raw', '-e', 'signed-integer', '-b', '16', '-L', '-']);
  return new Int16Array(raw.buffer, raw.byteOffset, raw.byteLength / 2);
}

/** espeak-ng -v ko → 8 kHz, telephone band, leading/trailing silence trimmed, peak-normalised to `peakDb`. */
function say(name: string, text: string, o: { speed?: number; voice?: string; pitch?: number; peakDb?: number } = {}): string {
  const raw = t(`${name}.espeak.wav`);
  const args = ['-v', o.voice ?? 'ko', '-s', String(o.speed ?? 170), '-w', raw];
  if (o.pitch !== undefined) args.push('-p', String(o.pitch));
  execFileSync('espeak-ng', [...args, text], { stdio: 'ignore' });
  const out = t(`${name}.wav`);
  sox(raw, ...RATE, '-b', '16', out, 'highpass', '300', 'lowpass', '3400', 'silence', '1', '0.005', '-40d', 'reverse', 'silence', '1', '0.005', '-40d', 'reverse', 'norm', String(o.peakDb ?? -4));
  return out;
}

/** `file` starting at `atS` seconds, padded/trimmed to the fixture length. */
function place(file: string, atS: number, name: string): string {
  const out = t(`${name}.placed.wav`);
  sox(file, out, 'pad', String(atS), String(DUR), 'trim', '0', String(DUR));
  return out;
}

function synth(name: string, ...effects: string[]): string {
  const out = t(`${name}.wav`);
  sox('-n', ...RATE, '-b', '16', out, 'synth', ...effects);
  return out;
}

const lineNoise = (name: string, vol = 0.002) => synth(name, String(DUR), 'pinknoise', 'vol', String(vol)); // ≈ -62 dBFS

/** The bot's reply heard back through the caller's phone: band-limited, a little room, `levelDb`, `delayMs` late. */
function echoOf(name: string, delayMs: number, levelDb: number): { file: string; measuredDb: number } {
  const out = t(`${name}.echo.wav`);
  sox(t('bot16.wav'), out, 'highpass', '250', 'lowpass', '3000', 'reverb', '20', '50', '30', 'gain', String(levelDb), 'pad', String(delayMs / 1000), 'trim', '0', String(DUR));
  const rms = (f: string) => levelDb_(pcm(f));
  return { file: out, measuredDb: Math.round((rms(out) - rms(t('bot16.wav'))) * 10) / 10 };
}

function levelDb_(x: Int16Array): number {
  return levelDb(x, 0, x.length);
}

/** Mix the parts (already placed and at their levels) and encode as 8 kHz mu-law. */
function mix(name: string, parts: string[]): string {
  const file = `${name}.wav`;
  const args = parts.length > 1 ? ['-m', ...parts.flatMap((p) => ['-v', '1', p])] : parts;
  sox(...args, ...RATE, '-e', 'mu-law', join(FIXTURE_DIR, file), 'trim', '0', String(DUR));
  return file;
}

/** Onset and length of the caller's own sound (measured on that component alone, before mixing). */
function truthOf(component: string | null): { onsetMs: number | null; soundMs: number | null } {
  if (!component) return { onsetMs: null, soundMs: null };
  const x = pcm(component);
  const onset = findSpeechOnset(x);
  let last = -1;
  for (let w = 0; (w + 1) * 80 <= x.length; w++) if (levelDb(x, w * 80, (w + 1) * 80) > -40) last = w;
  const onsetMs = onset ? Math.round(onset.ms) : null;
  return { onsetMs, soundMs: onsetMs === null || last < 0 ? null : Math.round((last + 1) * 10 - onsetMs) };
}

export function makeFixtures(): FixtureTruth[] {
  tmp = mkdtempSync(join(tmpdir(), 'bargein-fx-'));
  mkdirSync(FIXTURE_DIR, { recursive: true });
  const list: FixtureTruth[] = [];
  try {
    sox(GREETING, ...RATE, '-b', '16', t('bot16.wav'), 'trim', '0', String(DUR));
    sox(t('bot16.wav'), ...RATE, '-e', 'mu-law', join(FIXTURE_DIR, 'bot-reply.wav'));
    const add = (f: Omit<FixtureTruth, 'onsetMs' | 'soundMs' | 'outboundAtMs' | 'echo' | 'file'> & { parts: string[]; caller: string | null; echo?: FixtureTruth['echo'] }) => {
      const { parts, caller, ...rest } = f;
      list.push({ ...rest, file: mix(f.name, parts), ...truthOf(caller), outboundAtMs: 0, echo: f.echo ?? null });
    };
    const phrase = {
      wait: say('wait', '잠깐만요, 제 말 좀 들어 보세요.'),
      agent: say('agent', '상담원 연결해 주세요.'),
      no: say('no', '아니요, 그게 아니고요.'),
      cancel: say('cancel', '취소할게요.'),
    };
    // --- interruptions
    const c1 = place(phrase.wait, 1.2, 'int-clean');
    add({ name: 'int-clean', kind: 'interruption', interruption: true, caller: c1, parts: [c1, lineNoise('ln1')], how: '"잠깐만요, 제 말 좀 들어 보세요." (espeak-ng -v ko -s 170, 300-3400 Hz, peak -4 dB) at 1.2 s, line noise (pink, ≈ -62 dBFS)' });
    const c2 = place(phrase.agent, 1.6, 'int-agent');
    add({ name: 'int-agent', kind: 'interruption', interruption: true, caller: c2, parts: [c2, lineNoise('ln2')], how: '"상담원 연결해 주세요." at 1.6 s over line noise' });
    const quiet = t('no-quiet.wav');
    sox(phrase.no, quiet, 'norm', '-22');
    const c3 = place(quiet, 1.4, 'int-quiet');
    add({ name: 'int-quiet-hiss', kind: 'interruption', interruption: true, caller: c3, parts: [c3, synth('hiss', String(DUR), 'whitenoise', 'vol', '0.008')], how: '"아니요, 그게 아니고요." peak -22 dB (≈ -38 dBFS RMS) at 1.4 s, white hiss ≈ -48 dBFS' });
    const bg1 = say('bg1', '오늘 날씨가 정말 좋네요. 어디 가세요?', { voice: 'ko+f2', pitch: 70, peakDb: -24, speed: 150 });
    const bg2 = say('bg2', '저는 시장에 가요. 같이 갈래요?', { voice: 'ko+m3', pitch: 30, peakDb: -26, speed: 160 });
    const bgA = place(bg1, 0.1, 'bg1');
    const bgB = place(bg2, 1.9, 'bg2');
    const c4 = place(phrase.cancel, 1.5, 'int-bg');
    add({ name: 'int-background-talk', kind: 'interruption', interruption: true, caller: c4, parts: [c4, bgA, bgB, lineNoise('ln4')], how: '"취소할게요." at 1.5 s over two other voices (espeak ko+f2 / ko+m3, peak -24 / -26 dB) talking from 0.1 s and 1.9 s' });
    for (const [delayMs, lvl] of [[200, -18], [120, -12], [80, -10]] as const) {
      const e = echoOf(`dt${delayMs}`, delayMs, lvl);
      const c = place(phrase.no, 1.5, `dt${delayMs}`);
      add({ name: `double-talk-${delayMs}ms-${-lvl}db`, kind: 'double-talk', interruption: true, caller: c, parts: [c, e.file, lineNoise(`lndt${delayMs}`)], echo: { delayMs, levelDb: lvl, measuredDb: e.measuredDb }, how: `"아니요, 그게 아니고요." at 1.5 s over the bot's echo (${delayMs} ms, ${lvl} dB) and line noise` });
    }
    // --- backchannels (must not interrupt)
    const bcs: Array<[string, string, number]> = [['bc-ne', '네', 170], ['bc-eum', '음', 170], ['bc-a', '아', 170], ['bc-nene', '네 네', 180]];
    for (const [name, text, speed] of bcs) {
      const c = place(say(name, text, { speed }), 1.5, name);
      add({ name, kind: 'backchannel', interruption: false, caller: c, parts: [c, lineNoise(`ln-${name}`)], how: `"${text}" (espeak-ng -s ${speed}) at 1.5 s over line noise` });
    }
    {
      const e = echoOf('bc-echo', 150, -12);
      const c = place(say('bc-ne-echo', '네'), 1.5, 'bc-ne-echo');
      add({ name: 'bc-ne-over-echo', kind: 'backchannel', interruption: false, caller: c, parts: [c, e.file, lineNoise('ln-bce')], echo: { delayMs: 150, levelDb: -12, measuredDb: e.measuredDb }, how: '"네" at 1.5 s over the bot\'s echo (150 ms, -12 dB)' });
    }
    // --- noises (must not interrupt)
    {
      // a cough: two broadband bursts, 10 ms attack and ~200 ms decay, 1-3 kHz emphasis
      const burst = synth('cough1', '0.28', 'pinknoise', 'fade', 'q', '0.01', '0.28', '0.22', 'bandpass', '1500', '1.2q', 'norm', '-3');
      const burst2 = t('cough2.wav');
      sox(burst, burst2, 'gain', '-4');
      const a = place(burst, 1.5, 'cough-a');
      const b = place(burst2, 1.9, 'cough-b');
      add({ name: 'cough', kind: 'noise', interruption: false, caller: a, parts: [a, b, lineNoise('ln-cough')], how: 'two pink-noise bursts (280 ms, 10 ms attack, exponential-ish decay, bandpass 1.5 kHz, peak -3 / -7 dB) at 1.5 and 1.9 s' });
    }
    {
      const gust = synth('gust', '0.7', 'brownnoise', 'lowpass', '180', 'fade', 'h', '0.15', '0.7', '0.3', 'norm', '-2');
      const a = place(gust, 1.2, 'wind-a');
      const b = place(gust, 2.3, 'wind-b');
      add({ name: 'wind', kind: 'noise', interruption: false, caller: a, parts: [a, b, lineNoise('ln-wind')], how: 'two 700 ms gusts of brown noise low-passed at 180 Hz (peak -2 dB) at 1.2 and 2.3 s' });
      const thump = synth('thump', '0.12', 'brownnoise', 'lowpass', '300', 'fade', 'q', '0.005', '0.12', '0.1', 'norm', '-1');
      const parts = [1.3, 1.7, 2.0, 2.6].map((s, i) => place(thump, s, `thump${i}`));
      add({ name: 'handling', kind: 'noise', interruption: false, caller: parts[0]!, parts: [...parts, lineNoise('ln-hand')], how: 'four 120 ms handling thumps (brown noise, low-pass 300 Hz, peak -1 dB) at 1.3, 1.7, 2.0, 2.6 s' });
    }
    {
      const chords = [['C4', 'E4', 'G4'], ['A3', 'C4', 'E4'], ['F3', 'A3', 'C4'], ['G3', 'B3', 'D4']].map((notes, i) => {
        const f = synth(`chord${i}`, '0.75', ...notes.flatMap((n) => ['pluck', n]), 'remix', '-', 'norm', '-10');
        return f;
      });
      const song = t('song.wav');
      sox(...chords, song);
      const m = place(song, 0.8, 'music');
      add({ name: 'music', kind: 'noise', interruption: false, caller: m, parts: [m, lineNoise('ln-music')], how: 'sox synth pluck chords C-Am-F-G (750 ms each, peak -10 dB) from 0.8 s' });
    }
    add({ name: 'line-noise', kind: 'noise', interruption: false, caller: null, parts: [synth('line', String(DUR), 'pinknoise', 'vol', '0.01'), synth('hum', String(DUR), 'sine', '60', 'vol', '0.01')], how: 'pink noise ≈ -48 dBFS plus a 60 Hz hum for the whole fixture' });
    // --- the bot's own echo (must not interrupt)
    const grid: Array<[number, number]> = [[80, -10], [80, -18], [120, -12], [200, -18], [200, -10], [250, -12], [300, -24], [300, -10]];
    for (const [delayMs, lvl] of grid) {
      const e = echoOf(`echo${delayMs}${lvl}`, delayMs, lvl);
      add({ name: `echo-${delayMs}ms-${-lvl}db`, kind: 'echo', interruption: false, caller: null, parts: [e.file, lineNoise(`ln-e${delayMs}${lvl}`)], echo: { delayMs, levelDb: lvl, measuredDb: e.measuredDb }, how: `the bot's reply, 250-3000 Hz, sox reverb 20, ${lvl} dB, ${delayMs} ms late, over line noise` });
    }
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
  writeFileSync(join(FIXTURE_DIR, 'manifest.json'), JSON.stringify({ durationMs: DUR * 1000, outbound: 'bot-reply.wav', fixtures: list }, null, 2) + '\n');
  writeFileSync(join(FIXTURE_DIR, 'README.md'), readme(list));
  return list;
}

function readme(list: FixtureTruth[]): string {
  const rows = list.map((f) => `| \`${f.file}\` | ${f.interruption ? '**yes**' : 'no'} | ${f.onsetMs ?? '—'} | ${f.soundMs ?? '—'} | ${f.echo ? `${f.echo.delayMs} ms, ${f.echo.levelDb} dB (measured ${f.echo.measuredDb})` : '—'} | ${f.how} |`);
  return [
    '# Barge-in fixtures (8 kHz mu-law, 3.5 s each)',
    '',
    'Generated by `npx tsx scripts/bargein-fixtures.ts` (espeak-ng -v ko, sox -R -D: reproducible). Ground truth is in',
    '`manifest.json`. Every fixture is what the caller\'s phone sends while the bot\'s reply `bot-reply.wav` (the first',
    '3.5 s of `resources/audio/greeting.mulaw.wav`) plays at the caller from t = 0: it is the outbound reference the',
    'detector gets. Onset = the offline energy rule of `bench/lib/onset.ts` on the caller\'s component alone; sound =',
    'first to last 10 ms window above -40 dBFS. Echo level: the gain applied, and the measured RMS of the echo',
    'relative to the reply (reverb and band-limiting change it).',
    '',
    '| file | interruption | onset ms | sound ms | echo | how |',
    '|---|---|---|---|---|---|',
    ...rows,
    '',
  ].join('\n');
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const list = makeFixtures();
  for (const f of list) console.log(`${f.name.padEnd(24)} ${f.interruption ? 'interruption' : 'no'} onset ${f.onsetMs} sound ${f.soundMs} ${f.echo ? JSON.stringify(f.echo) : ''}`);
}
