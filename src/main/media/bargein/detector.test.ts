// The cascade on the Korean barge-in fixtures (fixtures/bargein/, made by scripts/bargein-fixtures.ts), replayed
// with time driven by sample positions and every window's inference awaited: deterministic.
import { describe, expect, it } from 'vitest';
import { loadFixtures, replay, type Outcome } from '../../../../test/bargein-replay';
import { createBargeInDetector } from './detector';
import { loadSilero, SileroLoadError, type SileroModel } from './silero';
import type { DetectorEvent } from './types';

const fixtures = loadFixtures();
const model = loadSilero();
const outcomes = new Map<string, Outcome>();
async function outcome(name: string): Promise<Outcome> {
  if (!outcomes.has(name)) outcomes.set(name, await replay(fixtures.find((f) => f.name === name)!, { minSpeechMs: 450, model }));
  return outcomes.get(name)!;
}

describe('barge-in cascade on the fixtures', () => {
  const not = fixtures.filter((f) => !f.interruption);
  const yes = fixtures.filter((f) => f.interruption);
  it('has both kinds, echo and double talk included', () => {
    expect(not.filter((f) => f.kind === 'echo').length).toBeGreaterThanOrEqual(6);
    expect(yes.filter((f) => f.kind === 'double-talk').length).toBeGreaterThanOrEqual(2);
    expect(not.filter((f) => f.kind === 'backchannel').map((f) => f.name)).toEqual(expect.arrayContaining(['bc-ne', 'bc-eum', 'bc-a', 'bc-nene']));
  });

  it.each(not.map((f) => [f.name]))('%s: never interrupts; any pause is <= 400 ms and ends', async (name) => {
    const o = await outcome(name);
    expect(o.falseStop).toBe(false);
    expect(o.events.some((e) => e.type === 'speech-confirmed')).toBe(false);
    expect(o.longestPauseMs).toBeLessThanOrEqual(400);
    const starts = o.events.filter((e) => e.type === 'speech-start').length;
    expect(o.events.filter((e) => e.type === 'speech-end' && e.verdict !== 'speech')).toHaveLength(starts);
  });

  it.each(yes.map((f) => [f.name]))('%s: yields within 200 ms of the onset and confirms', async (name) => {
    const o = await outcome(name);
    expect(o.falseStop).toBe(false);
    expect(o.detected).toBe(true);
    expect(o.startLatencyMs).not.toBeNull();
    expect(o.startLatencyMs!).toBeLessThanOrEqual(200);
    // commit slow: only after BARGE_IN_MIN_SPEECH_MS of model-confirmed speech (an episode that began < 200 ms
    // before may lend its speech time: int-background-talk's confirm comes 260 ms after the caller's onset)
    const confirmed = o.events.find((e) => e.type === 'speech-confirmed');
    expect(confirmed?.type === 'speech-confirmed' && confirmed.speechMs).toBeGreaterThanOrEqual(450);
    expect(o.confirmLatencyMs!).toBeGreaterThanOrEqual(name === 'int-background-talk' ? 200 : 450 - 60);
  });

  it('onset -> speech-start over the interruptions: p50 <= 200 ms, max <= 300 ms', async () => {
    const lat = (await Promise.all(yes.map((f) => outcome(f.name)))).map((o) => o.startLatencyMs!).sort((a, b) => a - b);
    expect(lat[Math.floor((lat.length - 1) / 2)]!).toBeLessThanOrEqual(200);
    expect(lat[lat.length - 1]!).toBeLessThanOrEqual(300);
  });

  it('backchannels are classified as such', async () => {
    for (const name of ['bc-ne', 'bc-eum', 'bc-a', 'bc-nene']) {
      const ends = (await outcome(name)).events.filter((e) => e.type === 'speech-end');
      expect(ends.map((e) => e.type === 'speech-end' && e.verdict)).toEqual(['backchannel']);
    }
  });

  it('a silent line and the bot\'s echo wake the model little or not at all', async () => {
    const f = fixtures.find((x) => x.name === 'line-noise')!;
    const o = await replay(f, { minSpeechMs: 450, model });
    expect(o.inferred).toBe(0);
    for (const e of fixtures.filter((x) => x.kind === 'echo')) expect((await replay(e, { minSpeechMs: 450, model })).inferred).toBeLessThan(20);
  });

  it('without the echo guard the bot interrupts itself on loud echo (the guard is what prevents it)', async () => {
    const f = fixtures.find((x) => x.name === 'echo-120ms-12db')!;
    const o = await replay(f, { minSpeechMs: 450, model, echoGuard: false });
    expect(o.falseStop).toBe(true);
  });
});

describe('model loading and the energy fallback', () => {
  it('a model that cannot load is a clear error naming the file', async () => {
    const err = await loadSilero('/nonexistent/silero.onnx').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SileroLoadError);
    expect((err as Error).message).toMatch(/could not load the model \/nonexistent\/silero\.onnx/);
  });

  it('falls back to the energy detector, reports the error once, and still detects an interruption', async () => {
    const errors: Error[] = [];
    const o = await replay(fixtures.find((f) => f.name === 'int-clean')!, { minSpeechMs: 450, model: Promise.reject(new SileroLoadError('silero: boom')), onError: (e) => errors.push(e) });
    expect(errors.map((e) => e.message)).toEqual(['silero: boom']);
    expect(o.detected).toBe(true);
  });

  it('a model that fails mid-utterance ends the open episode (the bot is not left paused) and falls back', async () => {
    const real = await model;
    let calls = 0;
    const flaky = { stats: real.stats, infer: (st: Parameters<typeof real.infer>[0], w: Float32Array) => (++calls > 30 ? Promise.reject(new Error('onnx run failed')) : real.infer(st, w)) };
    const errors: Error[] = [];
    const o = await replay(fixtures.find((f) => f.name === 'int-clean')!, { minSpeechMs: 2000, model: flaky, onError: (e) => errors.push(e) });
    expect(errors.map((e) => e.message)).toEqual(['onnx run failed']);
    const types = o.events.map((e) => e.type);
    expect(types[0]).toBe('speech-start');
    expect(o.events[1]).toMatchObject({ type: 'speech-end', verdict: 'noise' });
  });

  it('the model in a worker thread gives the same decisions', async () => {
    const worker = await loadSilero({ thread: 'worker' });
    try {
      for (const name of ['int-clean', 'bc-nene', 'echo-200ms-10db']) {
        const f = fixtures.find((x) => x.name === name)!;
        const o = await replay(f, { minSpeechMs: 450, model: worker });
        const types = (x: Outcome) => x.events.map((e) => e.type);
        expect(types(o)).toEqual(types(await outcome(name)));
      }
    } finally {
      await worker.close?.();
    }
  });

  it('close() stops all events', async () => {
    const events: DetectorEvent[] = [];
    const det = createBargeInDetector({ minSpeechMs: 450, model, onEvent: (e) => events.push(e) });
    const f = fixtures.find((x) => x.name === 'int-clean')!;
    det.close();
    det.inbound(f.inbound, 0, 1000);
    await det.idle();
    expect(events).toEqual([]);
  });
});

describe('bargeInDetectorFactory', () => {
  it('one detector per stream on the shared model; a load failure is logged once and streams still detect', async () => {
    const { bargeInDetectorFactory } = await import('./factory');
    const warnings: string[] = [];
    const make = bargeInDetectorFactory({ minSpeechMs: 450, model: Promise.reject(new Error('no model')), log: { warn: (_o, msg) => warnings.push(msg) } });
    const f = fixtures.find((x) => x.name === 'int-clean')!;
    const runs = await Promise.all(
      [0, 1].map(async () => {
        const events: DetectorEvent[] = [];
        const det = make((e) => events.push(e));
        for (let at = 0; at < f.inbound.length; at += 160) {
          det.inbound(f.inbound.subarray(at, at + 160), at / 8, 1000 + at / 8 + 20);
          await det.idle();
        }
        det.close();
        return { events, mode: det.mode };
      }),
    );
    expect(warnings).toHaveLength(1);
    for (const r of runs) {
      expect(r.mode).toBe('energy');
      expect(r.events.map((e) => e.type)).toContain('speech-confirmed');
    }
  });

  it('ready() settles when the model has loaded, and also when it failed (never rejects)', async () => {
    const { bargeInDetectorFactory } = await import('./factory');
    let load!: (m: SileroModel) => void;
    const loading = new Promise<SileroModel>((r) => (load = r));
    const make = bargeInDetectorFactory({ minSpeechMs: 450, model: loading });
    let settled = false;
    const ready = make.ready().then(() => (settled = true));
    await new Promise((r) => setImmediate(r));
    expect(settled).toBe(false);
    load({ close: async () => undefined } as unknown as SileroModel);
    await ready;
    expect(settled).toBe(true);
    const failing = bargeInDetectorFactory({ minSpeechMs: 450, model: Promise.reject(new Error('no model')), log: { warn: () => undefined } });
    await expect(failing.ready()).resolves.toBeUndefined();
  });
});
