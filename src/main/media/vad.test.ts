import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { encodeMulaw } from '../tts/mulaw';
import { parseWav } from '../tts/wav';
import { periodicity, Vad, type VadEvent } from './vad';

const RES = join(__dirname, '../../../resources/audio');
const FIX = join(__dirname, 'fixtures');
const audio = (file: string) => parseWav(readFileSync(file)).data;
const callerSpeech = audio(join(RES, 'caller-speech.mulaw.wav'));
const silence = (ms: number) => Buffer.alloc(ms * 8, 0xff);

/** Feed audio as Twilio does: 20 ms frames with media timestamps. */
function run(buf: Buffer, vad = new Vad(), frameBytes = 160): VadEvent[] {
  const events: VadEvent[] = [];
  for (let at = 0; at < buf.length; at += frameBytes) events.push(...vad.push(buf.subarray(at, at + frameBytes), at / 8));
  return events;
}

/** First 20 ms frame louder than −45 dBFS: where the speech really starts in a clean recording. */
function trueOnsetMs(buf: Buffer, offsetMs = 0): number {
  const vad = new Vad();
  for (let at = 0; at + 160 <= buf.length; at += 160) {
    vad.push(buf.subarray(at, at + 160), 0);
    if (vad.lastDb > -45) return offsetMs + at / 8;
  }
  return -1;
}

describe('Vad on the bundled fixtures', () => {
  it('detects caller-speech within 120 ms of its onset (measured: 100 ms)', () => {
    const input = Buffer.concat([silence(1000), callerSpeech, silence(1000)]);
    const events = run(input);
    const start = events.find((e) => e.type === 'speech-start');
    expect(start).toBeDefined();
    const onset = trueOnsetMs(callerSpeech, 1000);
    expect(onset).toBeGreaterThan(1000);
    if (start?.type !== 'speech-start') return;
    expect(Math.abs(start.onsetAt - onset)).toBeLessThanOrEqual(20);
    expect(start.detectedAt - onset).toBeLessThanOrEqual(120);
    // One utterance: it ends once, ~700 ms after the last loud frame, and never restarts in between.
    expect(events.map((e) => e.type)).toEqual(['speech-start', 'speech-end']);
    const end = events[1]!;
    if (end.type === 'speech-end') {
      expect(end.detectedAt - end.endedAt).toBeGreaterThanOrEqual(700);
      expect(end.durationMs).toBeGreaterThan(2000);
    }
  });

  it('detects caller-speech at the very start of the stream (40 ms of silence before it)', () => {
    const events = run(callerSpeech);
    expect(events[0]).toMatchObject({ type: 'speech-start', onsetAt: 40 });
    expect(events[0]!.detectedAt - 40).toBeLessThanOrEqual(120);
  });

  it('detects caller-speech after room noise', () => {
    const input = Buffer.concat([audio(join(RES, 'room-noise.mulaw.wav')), callerSpeech]);
    const start = run(input).find((e) => e.type === 'speech-start');
    expect(start?.detectedAt).toBeGreaterThan(3000);
    expect(start!.detectedAt - 3040).toBeLessThanOrEqual(120);
  });

  it.each([
    ['room-noise', join(RES, 'room-noise.mulaw.wav')],
    ['silence', join(RES, 'silence.mulaw.wav')],
    ['white noise (−41 dBFS)', join(FIX, 'white-noise.wav')],
    ['loud brown noise (−25 dBFS)', join(FIX, 'brown-noise.wav')],
    ['pink noise starting abruptly after silence', join(FIX, 'noise-step.wav')],
  ])('never triggers on %s', (_name, file) => {
    expect(run(audio(file))).toEqual([]);
  });

  it.each([
    ['quiet speech (−35 dBFS)', join(FIX, 'quiet-speech.wav'), 150],
    ['speech in pink noise', join(FIX, 'speech-in-noise.wav'), 170],
  ])('detects %s', (_name, file, maxLatency) => {
    const events = run(audio(file));
    expect(events[0]?.type).toBe('speech-start');
    expect(events[0]!.detectedAt - 40).toBeLessThanOrEqual(maxLatency);
  });

  it('is independent of how the audio is chunked (timestamps, not arrival)', () => {
    const input = Buffer.concat([silence(500), callerSpeech, silence(1000)]);
    const by160 = run(input);
    expect(run(input, new Vad(), 400)).toEqual(by160);
    expect(run(input, new Vad(), 37)).toEqual(by160);
  });

  it('uses media timestamps: a gap in the stream moves the onset by the gap', () => {
    const vad = new Vad();
    run(silence(500), vad);
    const events: VadEvent[] = [];
    for (let at = 0; at < callerSpeech.length; at += 160) events.push(...vad.push(callerSpeech.subarray(at, at + 160), 10_000 + at / 8));
    expect(events[0]).toMatchObject({ type: 'speech-start', onsetAt: 10_040 });
  });

  it('a loud steady tone that starts mid-call is adopted as the floor instead of an endless utterance', () => {
    const tone = new Int16Array(8000 * 10);
    for (let i = 0; i < tone.length; i++) tone[i] = Math.round(6000 * Math.sin((2 * Math.PI * 150 * i) / 8000));
    const events = run(Buffer.concat([silence(1000), encodeMulaw(tone)]));
    expect(events.map((e) => e.type)).toEqual(['speech-start', 'speech-end']);
    expect(events[1]!.detectedAt).toBeLessThan(1000 + 5000 + 2000 + 700 + 400);
  });
});

describe('periodicity', () => {
  it('is ~1 for a periodic signal and low for noise', () => {
    const sine = Float32Array.from({ length: 320 }, (_, i) => Math.sin((2 * Math.PI * 200 * i) / 8000));
    expect(periodicity(sine)).toBeGreaterThan(0.95);
    let seed = 42;
    const noise = Float32Array.from({ length: 320 }, () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31) * 2 - 1);
    expect(periodicity(noise)).toBeLessThan(0.4);
    expect(periodicity(new Float32Array(320))).toBe(0);
  });
});
