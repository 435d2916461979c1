// Barge-in: caller speech injected into the inbound track 1.5 s into the bot's reply; latency from the
// speech onset (offline analysis of the fixture, captured-time at the Twilio side) to `clear` received.
// Noise and silence fixtures are played the same way: any clear there is a false trigger.
import { bargeInNumbers } from '../lib/analyze';
import { rowFrom, valueRow, type Row } from '../lib/report';
import { runScenario } from '../lib/scenario';
import { summarize } from '../lib/stats';
import { loadVoices } from '../lib/voices';
import type { Suite } from './types';

export const bargeInSuite: Suite = {
  name: 'bargein',
  async run(ctx) {
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
    const rows: Row[] = [
      {
        ...rowFrom(all.latency, { suite: 'bargein', name: 'speech onset -> clear received, all speech fixtures', unit: 'ms', note: `${all.detected} detected, ${all.missed} missed` }),
        ...(ctx.smoke ? {} : { goal: 'p50 <= 120 ms', pass: all.latency.p50 <= 120 && all.missed === 0 }),
      },
    ];
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
