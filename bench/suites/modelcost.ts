// Barge-in model cost at 300 streams (issue 12): the pacing run of ours with BARGE_IN_MODEL=silero (Silero v5 behind
// the energy gate and the echo guard) against BARGE_IN_MODEL=energy (the energy detector alone), interleaved
// (silero, energy, silero, energy…) on fresh processes. The pacing suite's callers are silent (0xFF frames), so the
// gate never opens and the model never runs there; here one stream in SPEAKING_EVERY gets a caller who talks over
// the bot the whole reply without interrupting it: the fixture set's backchannels (네, 음, 아, 네네) and a cough back
// to back (17.5 s), from 0.5 s after the first frame. Those streams pause and resume (clear, then the rest): their
// audio is not a continuous reply, so pacing (underruns, byte-exactness, lateness) is judged on the silent streams,
// which share the host's event loop with the model. First audio comes before any caller sound, on every stream.
// Every call is a streamed conversation (its greeting is the reply), as in production: a stream with no
// conversation ends at the first caller sound.
import { firstAudioNumbers, pacingNumbers } from '../lib/analyze';
import { type Row } from '../lib/report';
import { runScenario, type ScenarioResult } from '../lib/scenario';
import type { SpeechPlan } from '../lib/twilio-stream';
import { loadFixtures } from '../../test/bargein-replay';
import type { Suite, SuiteContext } from './types';

export const SPEAKING_EVERY = 3;
const CALLER = ['bc-ne', 'bc-eum', 'bc-a', 'bc-nene', 'cough'];
/** silero-worker: BARGE_IN_THREAD=worker (the runs in one worker thread). */
export type Arm = 'silero' | 'energy' | 'silero-worker';
const ARM_SETTINGS: Record<Arm, Record<string, string>> = {
  silero: { BARGE_IN_MODEL: 'silero', BARGE_IN_THREAD: 'main' },
  energy: { BARGE_IN_MODEL: 'energy' },
  'silero-worker': { BARGE_IN_MODEL: 'silero', BARGE_IN_THREAD: 'worker' },
};
const label = (arm: Arm) => (arm === 'silero-worker' ? 'BARGE_IN_MODEL=silero BARGE_IN_THREAD=worker' : `BARGE_IN_MODEL=${arm}`);

export interface ArmRun {
  arm: Arm;
  index: number;
  r: ScenarioResult;
}

export function callerPlan(): SpeechPlan {
  const all = loadFixtures();
  const audio = Buffer.concat(CALLER.map((name) => all.find((f) => f.name === name)?.inbound ?? Buffer.alloc(0)));
  return { name: 'backchannels+cough', audio, afterFirstMediaMs: 500, onsetSample: null };
}

/** The numbers of one run: pacing on the silent streams, first audio on all, the model's counters. */
export function armNumbers(run: ArmRun) {
  const { r } = run;
  const silent = r.streams.filter((s) => s.speechName === null);
  const speaking = r.streams.filter((s) => s.speechName !== null);
  const pacing = pacingNumbers(silent);
  const audio = firstAudioNumbers(r.streams, r.jobs);
  const seconds = r.host.wallMs / 1000;
  const m = r.taps?.model ?? null;
  return {
    pacing,
    audio,
    speaking: speaking.length,
    speakingCleared: speaking.filter((s) => s.clearAt.length > 0).length,
    bargeIn: r.taps?.bargeIn ?? {},
    hostCpuPct: r.host.cpuPct,
    eldP99: r.host.eldP99,
    model: m && { ...m, windowsPerSpeakingStreamS: m.windows / Math.max(1, speaking.length) / seconds, runMsPerS: m.runMs / seconds },
  };
}

export type ArmNumbers = ReturnType<typeof armNumbers>;

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? (s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2) : Number.NaN;
};

/** Rows per arm over its runs (each value listed run by run in the note; p50 = the median run). */
export function abRows(n: number, runs: Array<{ arm: Arm; x: ArmNumbers }>): Row[] {
  const rows: Row[] = [];
  const base = { suite: 'modelcost' };
  const energyCpu = median(runs.filter((r) => r.arm === 'energy').map((r) => r.x.hostCpuPct));
  for (const arm of ['silero', 'silero-worker', 'energy'] as const) {
    const xs = runs.filter((r) => r.arm === arm).map((r) => r.x);
    if (!xs.length) continue;
    const tag = `${n} streams, ${label(arm)}, ${xs.length} run${xs.length === 1 ? '' : 's'}`;
    const list = (f: (x: ArmNumbers) => number, d = 0) => xs.map((x) => f(x).toFixed(d)).join(' / ');
    const row = (name: string, unit: string, f: (x: ArmNumbers) => number, d = 0, note = ''): Row => {
      const v = xs.map(f);
      return { ...base, name: `${name}, ${tag}`, unit, p50: median(v), p99: null, max: Math.max(...v), n: xs.length, note: `runs: ${list(f, d)}${note}` };
    };
    rows.push(row('audible underruns on the silent streams (total per run)', 'count', (x) => x.pacing.underrunsTotal, 0, `; byte-exact ${list((x) => x.pacing.exact)} of ${list((x) => x.pacing.checked)}`));
    rows.push(row('first audio p99 (part 0 landed -> first frame), all streams', 'ms', (x) => x.audio.ttfa.p99, 1));
    rows.push(row('lateness beyond lead p99, silent streams', 'ms', (x) => x.pacing.beyondLead.p99, 1));
    rows.push(row('host CPU', '% of a core', (x) => x.hostCpuPct, 1));
    rows.push(row('host event-loop delay p99', 'ms', (x) => x.eldP99, 1));
    rows.push(row('speaking streams the detector paused (clear sent)', 'streams', (x) => x.speakingCleared, 0, `; of ${list((x) => x.speaking)}; decisions ${xs.map((x) => JSON.stringify(x.bargeIn)).join(' / ')}`));
    if (arm !== 'energy') {
      if (xs.some((x) => x.model)) rows.push(row('Silero windows per speaking stream per second', 'windows/s', (x) => x.model?.windowsPerSpeakingStreamS ?? Number.NaN, 1, ' (31.25/s if the model ran on every window)'));
      if (xs.some((x) => x.model)) rows.push(row('Silero ONNX run time per second of the run, all streams', 'ms/s', (x) => x.model?.runMsPerS ?? Number.NaN, 1));
      rows.push(row('model CPU per stream (host CPU minus the energy arm median, / streams)', '% of a core', (x) => (x.hostCpuPct - energyCpu) / n, 3));
    }
  }
  const med = (arm: Arm, f: (x: ArmNumbers) => number) => median(runs.filter((r) => r.arm === arm).map((r) => f(r.x)));
  for (const arm of ['silero', 'silero-worker'] as const) {
    const ratio = med(arm, (x) => x.audio.ttfa.p99) / med('energy', (x) => x.audio.ttfa.p99);
    const mine = runs.filter((r) => r.arm === arm);
    const under = mine.reduce((a, r) => a + r.x.pacing.underrunsTotal, 0);
    const how = arm === 'silero' ? 'with the model' : 'with the model in a worker thread';
    if (!Number.isFinite(ratio)) continue;
    rows.push({ ...base, name: `first audio p99 ${how} / without (medians of the runs), ${n} streams`, unit: '×', p50: ratio, p99: null, max: null, n: runs.length, goal: '<= 1.10', pass: ratio <= 1.1 });
    rows.push({ ...base, name: `audible underruns ${how}, all runs, ${n} streams`, unit: 'count', p50: under, p99: null, max: null, n: mine.length, goal: '0', pass: under === 0 });
  }
  return rows.map((r) => ({ ...r, p50: r.p50 === null || !Number.isFinite(r.p50) ? null : Math.round(r.p50 * 1000) / 1000, max: r.max === null || !Number.isFinite(r.max) ? null : Math.round(r.max * 1000) / 1000 }));
}

async function runArm(ctx: SuiteContext, arm: Arm, index: number, n: number, plan: SpeechPlan): Promise<ArmRun> {
  const speech: Array<SpeechPlan | null> = Array.from({ length: SPEAKING_EVERY }, (_, i) => (i === 0 ? plan : null));
  const r = await runScenario({
    kind: 'ours',
    streams: n,
    rampPerSec: Number(process.env.BENCH_RAMP_PER_SEC) || (n <= 2 ? 5 : Math.min(250, n * 2)),
    leadMs: 100,
    cloud: { store: 'memory', long: !ctx.smoke, firstMs: [250, 250], gapMs: [300, 200], maxParts: ctx.smoke ? 2 : undefined },
    // streamed conversations (a stream with none ends at the first caller sound), no reprompt within the run;
    // every stream hangs up once its ~12.3 s reply has had time to play (speaking streams' pauses may cut their tail)
    settings: { ...ARM_SETTINGS[arm], GATHER_TIMEOUT_S: '60' },
    conversations: true,
    hangUpAfterFirstMediaMs: ctx.smoke ? 4000 : 14_000,
    speech,
    warmupStreams: ctx.smoke ? 0 : 20,
    timeoutMs: ctx.smoke ? 30_000 : 45_000,
  });
  return { arm, index, r };
}

export const modelCostSuite: Suite = {
  name: 'modelcost',
  async run(ctx) {
    const n = ctx.smoke ? 6 : Number(process.env.BENCH_AB_STREAMS) || 300;
    const perArm = ctx.smoke ? 1 : Number(process.env.BENCH_AB_RUNS) || 2;
    const plan = callerPlan();
    const done: Array<{ arm: Arm; x: ArmNumbers }> = [];
    // BENCH_AB_ARMS=silero,energy,silero-worker adds the worker-thread arm (default: silero,energy)
    const arms = (process.env.BENCH_AB_ARMS ?? 'silero,energy').split(',').map((a) => a.trim()).filter((a): a is Arm => a in ARM_SETTINGS);
    for (let i = 0; i < perArm; i++) {
      for (const arm of arms) {
        const run = await runArm(ctx, arm, i, n, plan);
        const x = armNumbers(run);
        done.push({ arm, x });
        ctx.log(
          `  ${arm.padEnd(13)} #${i + 1} n=${n}: underruns ${x.pacing.underrunsTotal} (silent streams), exact ${x.pacing.exact}/${x.pacing.checked}, first audio p99 ${x.audio.ttfa.p99.toFixed(0)} ms, ` +
            `beyond-lead p99 ${x.pacing.beyondLead.p99.toFixed(1)} ms, host cpu ${x.hostCpuPct.toFixed(0)}% eld p99 ${x.eldP99.toFixed(1)} ms, paused ${x.speakingCleared}/${x.speaking} ${JSON.stringify(x.bargeIn)}` +
            (x.model ? `, model ${x.model.windows} windows ${x.model.runs} runs ${x.model.runMs.toFixed(0)} ms` : ''),
        );
        ctx.note(`modelcost ${arm} #${i + 1} ${n}: machine ${run.r.machineBusyPct.toFixed(0)}% of a core busy (host ${run.r.host.cpuPct.toFixed(0)}, load generator ${run.r.loadGen.cpuPct.toFixed(0)}, cloud ${run.r.cloud.cpuPct.toFixed(0)}); load generator event-loop delay p99 ${run.r.loadGen.eldP99.toFixed(1)} ms`);
        ctx.detail(`${arm} #${i + 1}`, { ...x, host: run.r.host, loadGen: run.r.loadGen, machineBusyPct: run.r.machineBusyPct, open: run.r.open });
      }
    }
    return abRows(n, done);
  },
};
