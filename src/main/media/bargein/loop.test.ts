// The detector in a closed loop (test/bargein-loop.ts): the bot pauses on speech-start, its echo on the caller's
// speakerphone stops and comes back when it resumes, as on a real line. Sample-driven, inference awaited.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runLoop } from '../../../../test/bargein-loop';
import { loadFixtures } from '../../../../test/bargein-replay';
import { parseWav } from '../../tts/wav';
import { loadSilero } from './silero';

const reply = Buffer.from(parseWav(readFileSync(join(__dirname, '../../../../resources/audio/greeting.mulaw.wav'))).data);
const fixtures = loadFixtures();
const caller = (name: string, totalMs = 6000) => {
  const f = fixtures.find((x) => x.name === name)!.inbound;
  return Buffer.concat([f, Buffer.alloc(totalMs * 8 - f.length, 0xff)]);
};
const model = loadSilero();
const detector = { minSpeechMs: 450, model };

describe('barge-in in a closed loop with the bot\'s own echo', () => {
  it.each([
    [80, -10],
    [200, -12],
    [300, -18],
  ])('echo alone (%i ms, %i dB): the whole reply is heard, in order, never paused', async (delayMs, gainDb) => {
    const r = await runLoop({ reply, caller: caller('line-noise', 7000), echo: { delayMs, gainDb }, detector });
    expect(r.interruptedAt).toBeNull();
    expect(r.events.filter((e) => e.type === 'speech-confirmed')).toEqual([]);
    expect(r.pauses.every((p) => p.ms <= 400)).toBe(true);
    expect(r.heard.equals(reply)).toBe(true);
  });

  it('a 네 over the echo pauses the bot briefly; the rest of the reply follows exactly, nothing lost or repeated', async () => {
    const r = await runLoop({ reply, caller: caller('bc-ne', 7500), echo: { delayMs: 150, gainDb: -12 }, detector });
    expect(r.interruptedAt).toBeNull();
    expect(r.pauses.length).toBeGreaterThanOrEqual(1);
    expect(Math.max(...r.pauses.map((p) => p.ms))).toBeLessThanOrEqual(400);
    expect(r.heard.equals(reply)).toBe(true);
  });

  it('a caller who talks over the echo (double talk) interrupts the bot', async () => {
    const r = await runLoop({ reply, caller: caller('int-clean'), echo: { delayMs: 120, gainDb: -10 }, detector });
    expect(r.interruptedAt).not.toBeNull();
    expect(r.interruptedAt!).toBeGreaterThan(1200);
    expect(r.interruptedAt!).toBeLessThan(1200 + 700);
    // the bot went silent at the caller at the yield, ~100 ms after the onset
    const start = r.events.find((e) => e.type === 'speech-start')!;
    expect(start.type === 'speech-start' && start.detectedAt - 1200).toBeLessThanOrEqual(200);
  });
});
