// The recorder with a fake clock on a temp folder: both legs aligned on one timeline, the bot as played (a clear
// cuts it), written incrementally with open-ended headers, patched on the call's end; a second stream continues it.
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { silentLogger } from '../log';
import { parseWav } from '../tts/wav';
import { Recorder } from './recorder';

const T0 = Date.UTC(2026, 11, 1, 12, 0, 0);

function setup() {
  const dir = mkdtempSync(join(tmpdir(), 'fd-rec-'));
  let t = T0;
  const clock = { now: () => t, set: (v: number) => (t = v) };
  const recorder = new Recorder({ dir, log: silentLogger(), now: clock.now, flushBytes: 800 });
  return { dir, clock, recorder, folder: join(dir, 'days', '2026-12-01', 'recordings') };
}

describe('Recorder', () => {
  it('records both legs on one timeline into the call day folder, the bot as played', async () => {
    const { clock, recorder, folder } = setup();
    const tap = recorder.tap('CA1', 'MZ1')!;
    // caller frames from 40 ms after the start; the bot's first frame plays at +100 ms, sent 60 ms ahead
    for (let i = 0; i < 20; i++) {
      clock.set(T0 + 40 + i * 20);
      tap.inbound(Buffer.alloc(160, 0x20), i * 20, clock.now());
      if (i >= 3 && i < 13) tap.outbound(Buffer.alloc(160, 0x50 + i), T0 + 100 + (i - 3) * 20);
    }
    // at +420 ms the bot was to play until +300: all of it played; then one more frame is cleared before it plays
    tap.outbound(Buffer.alloc(160, 0x70), T0 + 440);
    tap.cleared(T0 + 430);
    clock.set(T0 + 500);
    tap.close();
    // while open the files exist with "still writing" sizes
    const live = await recorder.read('CA1');
    expect(live?.complete).toBe(false);
    expect(readdirSync(folder).sort()).toEqual(['CA1.bot.wav', 'CA1.caller.wav', 'CA1.json']);
    expect(parseWav(readFileSync(join(folder, 'CA1.caller.wav'))).declaredDataBytes).toBeNull(); // 0xFFFFFFFF: to end of file
    await recorder.callEnded('CA1');
    const rec = (await recorder.read('CA1'))!;
    expect(rec.complete).toBe(true);
    expect(rec.startedAt).toBe(T0);
    const caller = Buffer.from(rec.caller, 'base64');
    const bot = Buffer.from(rec.bot, 'base64');
    expect(caller.length).toBe(320 + 20 * 160);
    expect(caller.subarray(0, 320).every((b) => b === 0xff)).toBe(true); // 40 ms of silence, then the caller
    expect(caller.subarray(320).every((b) => b === 0x20)).toBe(true);
    expect(bot.length).toBe(800 + 10 * 160); // silence until +100 ms, then exactly the ten frames
    expect(bot.subarray(0, 800).every((b) => b === 0xff)).toBe(true);
    expect([...bot.subarray(800)].filter((_, i) => i % 160 === 0)).toEqual([0x53, 0x54, 0x55, 0x56, 0x57, 0x58, 0x59, 0x5a, 0x5b, 0x5c]);
    // headers patched to the real sizes
    const file = parseWav(readFileSync(join(folder, 'CA1.bot.wav')));
    expect(file.declaredDataBytes).toBe(bot.length);
    expect(JSON.parse(readFileSync(join(folder, 'CA1.json'), 'utf8'))).toMatchObject({ callSid: 'CA1', streams: ['MZ1'], complete: true, samples: { caller: caller.length, bot: bot.length } });
    expect(recorder.open).toBe(0);
  });

  /** 30 caller frames (one 170 ms late: a padded gap) and 10 bot frames, recorded with `flushBytes`. */
  async function recordWith(flushBytes: number) {
    let t = T0;
    const recorder = new Recorder({ dir: mkdtempSync(join(tmpdir(), 'fd-rec-')), log: silentLogger(), now: () => t, flushBytes });
    const tap = recorder.tap('CA1', 'MZ1')!;
    for (let i = 0; i < 30; i++) {
      const late = i >= 12 ? 170 : 0;
      t = T0 + 30 + i * 20 + late;
      tap.inbound(Buffer.from(Array.from({ length: 160 }, (_, k) => (i * 7 + k) % 0xfe)), i * 20 + late, t);
      if (i % 3 === 0) tap.outbound(Buffer.alloc(160, 0x40 + i), T0 + 90 + i * 20);
    }
    t = T0 + 2000;
    tap.close();
    await recorder.callEnded('CA1');
    return (await recorder.read('CA1'))!;
  }

  it.each([37, 160, 333, 16_000])('writes the same bytes whatever the buffer size (%i: pads and frames split across appends)', async (flushBytes) => {
    const [rec, whole] = await Promise.all([recordWith(flushBytes), recordWith(1_000_000)]);
    expect(Buffer.from(whole.caller, 'base64').length).toBe(240 + 30 * 160 + 170 * 8); // 30 ms lead-in, the gap
    expect(Buffer.from(whole.bot, 'base64').length).toBeGreaterThan(10 * 160);
    expect(rec.caller).toBe(whole.caller);
    expect(rec.bot).toBe(whole.bot);
  });

  it('a second stream continues the timeline; the stereo export interleaves caller left, bot right', async () => {
    const { clock, recorder } = setup();
    const a = recorder.tap('CA2', 'MZa')!;
    a.inbound(Buffer.alloc(160, 1), 0, T0);
    a.close();
    clock.set(T0 + 1000);
    const b = recorder.tap('CA2', 'MZb')!;
    b.inbound(Buffer.alloc(160, 2), 0, T0 + 1000); // its media time starts at 0 again
    b.outbound(Buffer.alloc(160, 3), T0 + 1000);
    clock.set(T0 + 1100);
    b.close();
    await recorder.callEnded('CA2');
    expect(recorder.tap('CA2', 'MZc')).toBeNull(); // a stream after the end does not start it over
    await recorder.stop();
    const wav = parseWav((await recorder.exportWav('CA2', 'mulaw'))!);
    expect(wav.format).toMatchObject({ channels: 2, audioFormat: 7 });
    const frames = wav.data.length / 2;
    const left = (i: number) => wav.data[2 * i]!;
    const right = (i: number) => wav.data[2 * i + 1]!;
    expect(frames).toBeGreaterThanOrEqual(8000 + 160);
    expect(left(0)).toBe(1);
    expect(left(8000)).toBe(2);
    expect(right(8000)).toBe(3);
    expect(right(0)).toBe(0xff);
    const pcm = parseWav((await recorder.exportWav('CA2', 'pcm16'))!);
    expect(pcm.format).toMatchObject({ channels: 2, audioFormat: 1, bitsPerSample: 16 });
    expect(pcm.data.length).toBe(frames * 4);
  });

  it("files a call that started before midnight under its history's day, the day it started", async () => {
    const dir = mkdtempSync(join(tmpdir(), 'fd-rec-'));
    const recorder = new Recorder({ dir, log: silentLogger(), now: () => Date.UTC(2026, 11, 2, 0, 0, 1), callStartedAt: () => Date.UTC(2026, 11, 1, 23, 59, 59) });
    recorder.tap('CA9', 'MZ9')!.close();
    await recorder.callEnded('CA9');
    expect(readdirSync(join(dir, 'days'))).toEqual(['2026-12-01']);
    expect((await recorder.read('CA9'))?.startedAt).toBe(Date.UTC(2026, 11, 2, 0, 0, 1)); // the audio's own t0
  });

  it('refuses unsafe call SIDs and answers null for calls it never recorded', async () => {
    const { recorder } = setup();
    expect(recorder.tap('../x', 'MZ')).toBeNull();
    expect(await recorder.read('CAnone')).toBeNull();
    expect(await recorder.exportWav('../../etc', 'mulaw')).toBeNull();
  });
});
