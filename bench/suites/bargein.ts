// Barge-in, two parts.
// 1. Offline, over the barge-in fixture set (src/main/media/fixtures/bargein/, Korean interruptions, double talk,
//    backchannels, noises, the bot's echo; each with the bot's outbound reference and its ground truth): every
//    detector replayed with time driven by sample positions (bench/lib/bargein-offline.ts). For the cascade:
//    false stops, the longest pause a non-interruption causes, speech onset -> speech-start (the session then
//    sends clear: the bot is silent at the caller once it lands) and -> speech-confirmed; then its CPU per stream
//    with N streams fed in real time (1, 100, 300; smoke: 1, 10), beside the energy detector alone.
// 2. End to end through the host (today's session path): caller speech injected into the inbound track 1.5 s into
//    the bot's reply; latency from the speech onset (offline analysis of the fixture, captured-time at the Twilio
//    side) to `clear` received. Noise and silence fixtures are played the same way: any clear there is a false trigger.
import { bargeInNumbers } from '../lib/analyze';
import { compareDetectors, comparisonTable, cpuPerStream, modelMicro, COLUMNS } from '../lib/bargein-offline';
import { rowFrom, valueRow, type Row } from '../lib/report';
import { runScenario } from '../lib/scenario';
import { summarize } from '../lib/stats';
import { loadVoices } from '../lib/voices';
import { loadSilero, SILERO_MODEL, type SileroModel } from '../../src/main/media/bargein/silero';
import { loadFixtures } from '../../test/bargein-replay';
import type { Suite, SuiteContext } from './types';

const SMOKE_FIXTURES = ['int-clean', 'double-talk-120ms-12db', 'bc-nene', 'echo-200ms-10db'];

async function offline(ctx: SuiteContext): Promise<Row[]> {
  let model: SileroModel;
  try {
    model = await loadSilero();
  } catch (err) {
    ctx.note(`bargein offline: FAILED to load Silero (${(err as Error).message}); offline rows skipped`);
    return [];
  }
  ctx.note(`bargein offline: Silero v5 from ${SILERO_MODEL.package}/${SILERO_MODEL.file} (md5 ${SILERO_MODEL.md5}, ${SILERO_MODEL.licence})`);
  const all = loadFixtures();
  const fixtures = ctx.smoke ? all.filter((f) => SMOKE_FIXTURES.includes(f.name)) : all;
  const cmp = await compareDetectors(fixtures, model);
  ctx.detail('bargeinComparison', comparisonTable(cmp));
  const base = { suite: 'bargein' };
  const of = (key: string) => fixtures.map((f) => ({ f, o: cmp.outcomes[f.name]![key]! }));
  const cascade = of('cascade');
  const not = cascade.filter(({ f }) => !f.interruption);
  const yes = cascade.filter(({ f }) => f.interruption);
  const falseStops = cascade.filter(({ o }) => o.falseStop).length;
  const longest = Math.max(0, ...not.map(({ o }) => o.longestPauseMs));
  const starts = summarize(yes.filter(({ o }) => o.startLatencyMs !== null).map(({ o }) => o.startLatencyMs!));
  const confirms = summarize(yes.filter(({ o }) => o.confirmLatencyMs !== null).map(({ o }) => o.confirmLatencyMs!));
  const detected = yes.filter(({ o }) => o.detected).length;
  const gate = !ctx.smoke;
  ctx.log(`  offline cascade: ${falseStops} false stops over ${fixtures.length} fixtures, ${detected}/${yes.length} interruptions, onset->yield p50 ${starts.p50} ms, longest other pause ${longest} ms`);
  const rows: Row[] = [
    { ...valueRow(falseStops, fixtures.length, { ...base, name: `false stops, cascade + echo guard, ${not.length} non-interruptions (echo, backchannels, noise) + ${yes.length} interruptions, offline`, unit: 'stops' }), ...(gate ? { goal: '0', pass: falseStops === 0 } : {}) },
    { ...valueRow(longest, not.length, { ...base, name: 'longest pause a non-interruption causes (speech-start -> speech-end), cascade, offline', unit: 'ms' }), ...(gate ? { goal: '<= 400 ms', pass: longest <= 400 } : {}) },
    { ...valueRow(detected, yes.length, { ...base, name: 'interruptions confirmed (double talk included), cascade, offline', unit: 'confirmed', note: `${detected}/${yes.length}` }), ...(gate ? { goal: `${yes.length}/${yes.length}`, pass: detected === yes.length } : {}) },
    {
      ...rowFrom(starts, { ...base, name: 'speech onset -> bot silent at the caller (speech-start; the session clears at once), cascade, offline', unit: 'ms', note: 'host decision on loopback timing: inbound frames arrive at the end of their 20 ms; add the one-way trip of the clear on a real line' }),
      ...(gate ? { goal: 'p50 <= 200, max <= 300 ms', pass: starts.p50 <= 200 && starts.max <= 300 } : {}),
    },
    rowFrom(confirms, { ...base, name: 'speech onset -> speech-confirmed (the reply is cancelled), cascade, offline', unit: 'ms', note: 'BARGE_IN_MIN_SPEECH_MS = 450' }),
  ];
  for (const c of COLUMNS.filter((x) => x.key !== 'cascade')) {
    const o = of(c.key);
    rows.push(valueRow(o.filter((x) => x.o.falseStop).length, fixtures.length, { ...base, name: `false stops, ${c.label}, offline (comparison)`, unit: 'stops', note: `${o.filter((x) => x.f.interruption && x.o.detected).length}/${yes.length} interruptions detected` }));
  }
  const micro = await modelMicro(model, ctx.smoke ? 20 : 200);
  rows.push(valueRow(micro.batch1Us, 1, { ...base, name: 'Silero v5 8 kHz, CPU µs per window, one window per run', unit: 'µs' }));
  rows.push(valueRow(micro.batch32Us, 32, { ...base, name: 'Silero v5 8 kHz, CPU µs per window, batches of 32 (how streams share the session)', unit: 'µs' }));
  for (const n of ctx.smoke ? [1, 10] : [1, 100, 300]) {
    const seconds = ctx.smoke ? 1 : 3.5;
    const withModel = await cpuPerStream(all, model, n, seconds);
    const energy = await cpuPerStream(all, null, n, seconds);
    const r2 = (x: number) => Math.round(x * 100) / 100;
    ctx.detail(`bargeinCpu${n}`, { withModel, energy });
    rows.push(
      valueRow(withModel.cpuMsPerAudioS, n, {
        ...base,
        name: `detector CPU per stream, ${n} streams, cascade (all fixtures looped, real time)`,
        unit: 'ms CPU / s audio',
        note: `energy only ${r2(energy.cpuMsPerAudioS)}; model runs ${r2(withModel.runsPerStreamS)}/s/stream, windows ${r2(withModel.windowsPerStreamS)}/s/stream (31.25 without the gate), longest run ${r2(withModel.maxRunMs)} ms, event-loop delay p99 ${r2(withModel.eventLoopP99Ms)} ms (energy only ${r2(energy.eventLoopP99Ms)})`,
      }),
    );
  }
  return rows;
}

export const bargeInSuite: Suite = {
  name: 'bargein',
  async run(ctx) {
    const rows = await offline(ctx);
    const voices = loadVoices(ctx.outDir, ctx.smoke, ctx.note);
    for (const v of voices) ctx.note(`barge-in fixture ${v.name}: ${(v.audio.length / 8000).toFixed(2)} s, ${v.speech ? `speech onset at ${v.onsetSample === null ? '?' : (v.onsetSample / 8).toFixed(0)} ms` : 'no speech'}`);
    const perVoice = ctx.smoke ? 1 : 8;
    const plans = voices.map((v) => ({ name: v.name, audio: v.audio, afterFirstMediaMs: 1500, onsetSample: v.onsetSample }));
    const r = await runScenario({
      kind: 'ours',
      streams: plans.length * perVoice,
      rampPerSec: ctx.smoke ? 20 : 8,
      leadMs: 100,
      cloud: { store: 'memory', long: false, firstMs: [150, 100], gapMs: [300, 200] },
      speech: plans,
      exact: false,
      warmupStreams: ctx.smoke ? 0 : 5,
      timeoutMs: ctx.smoke ? 30_000 : 90_000,
    });
    const isSpeech = new Map(voices.map((v) => [v.name, v.speech]));
    const all = bargeInNumbers(r.streams, (s) => isSpeech.get(s.speechName ?? '') ?? false);
    const noise = bargeInNumbers(r.streams.filter((s) => !isSpeech.get(s.speechName ?? '')), () => false);
    ctx.log(`  detected ${all.detected}/${all.detected + all.missed}, latency p50 ${all.latency.p50.toFixed(0)} ms, false triggers ${all.falseTriggers}`);
    rows.push({
      ...rowFrom(all.latency, { suite: 'bargein', name: 'speech onset -> clear received, all speech fixtures', unit: 'ms', note: `${all.detected} detected, ${all.missed} missed` }),
      ...(ctx.smoke ? {} : { goal: 'p50 <= 120 ms', pass: all.latency.p50 <= 120 && all.missed === 0 }),
    });
    for (const v of voices.filter((x) => x.speech)) {
      const one = bargeInNumbers(r.streams.filter((s) => s.speechName === v.name), () => true);
      rows.push(rowFrom(one.latency, { suite: 'bargein', name: `speech onset -> clear, ${v.name}`, unit: 'ms', note: `${one.detected}/${one.streams} detected` }));
    }
    rows.push({
      ...valueRow(noise.falseTriggers, noise.streams, { suite: 'bargein', name: `false triggers on ${voices.filter((v) => !v.speech).map((v) => v.name).join(' + ')}`, unit: 'clears' }),
      ...(ctx.smoke ? {} : { goal: '0', pass: noise.falseTriggers === 0 }),
    });
    if (r.taps) rows.push(rowFrom(summarize(r.taps.bargeInDetectionMs), { suite: 'bargein', name: 'host’s own detectionLatencyMs (bargein event: media-time onset -> decision)', unit: 'ms' }));
    return rows;
  },
};
