// Pacing side by side (ours, setTimeout(20) chain, send-everything-at-once) at 1/100/300/1,000 streams,
// with time to first audio under load and the capacity verdict taken from the same runs of ours. One extra
// run of ours at 100 streams reads parts from a folder instead of S3: the A/B that isolates the S3 SDK's cost.
import type { CloudOptions } from '../procs/cloud';
import type { SenderKind } from '../procs/host';
import { firstAudioNumbers, lateParts, pacingNumbers } from '../lib/analyze';
import { CAPACITY_GOAL, capacityVerdict, highestHeld, type CapacityVerdict } from '../lib/capacity';
import { hotspots, longestStretches, readProfile } from '../lib/profile';
import { rowFrom, valueRow, type Row } from '../lib/report';
import { runScenario, type ScenarioResult } from '../lib/scenario';
import { summarize } from '../lib/stats';
import { pacingRows, type Run } from './pacing-rows';
import type { StreamStep, Suite, SuiteContext } from './types';

const KINDS: SenderKind[] = ['ours', 'timeout-chain', 'burst'];
const LEAD_MS = 100;
const FOLDER = 'ours, folder store (no S3 client)';
const FLOOR = 'wire floor (no TTS, S3 or app logic)';
const SIMPLE = 'simplest complete host (TTS + pacer + energy barge-in)';

interface Step {
  n: number;
  kind: SenderKind;
  store: CloudOptions['store'];
  /** A capacity step only (not in the side-by-side table). */
  capacityOnly?: boolean;
}

function plan(smoke: boolean, streams?: StreamStep[]): Step[] {
  const all = (n: number) => KINDS.map((kind) => ({ n, kind, store: 'memory' as const }));
  const floor = (n: number): Step => ({ n, kind: 'floor', store: 'memory' });
  const simple = (n: number): Step => ({ n, kind: 'simple', store: 'memory' });
  if (streams) return streams.map(({ n, kind }) => ({ n, kind, store: 'memory' }));
  if (smoke) return [...all(2), floor(2), simple(2)];
  const capacityOnly = (n: number): Step => ({ n, kind: 'ours', store: 'memory', capacityOnly: true });
  return [...all(1), capacityOnly(50), ...all(100), { n: 100, kind: 'ours', store: 'folder' }, capacityOnly(200), ...all(300), floor(300), simple(300), capacityOnly(500), ...all(1000), floor(1000), simple(1000)];
}

async function runOne(ctx: SuiteContext, step: Step): Promise<Run | null> {
  const { kind, n } = step;
  const label = step.store === 'folder' ? FOLDER : kind === 'floor' ? FLOOR : kind === 'simple' ? SIMPLE : kind;
  let r: ScenarioResult;
  try {
    r = await runScenario({
      kind,
      streams: n,
      rampPerSec: Number(process.env.BENCH_RAMP_PER_SEC) || (n <= 2 ? 5 : Math.min(250, n * 2)),
      leadMs: LEAD_MS,
      cloud: { store: step.store, long: !ctx.smoke, firstMs: [250, 250], gapMs: [300, 200], maxParts: ctx.smoke ? 2 : undefined },
      warmupStreams: ctx.smoke ? 0 : 20,
      // the ~12 s reply plus a margin; a stream not done by then is hung up and counts as incomplete
      timeoutMs: ctx.smoke ? 30_000 : 45_000,
      cpuProfDir: (kind === 'ours' || kind === 'simple') && step.store === 'memory' && (ctx.streams || n === 100 || n >= 1000) ? ctx.profileDir : undefined,
    });
  } catch (err) {
    const why = err instanceof Error ? err.message.split('\n')[0] : String(err);
    ctx.log(`  ${label.padEnd(13)} n=${String(n).padStart(4)}  FAILED: ${why}`);
    ctx.note(`pacing ${label} ${n}: the run failed — ${why}`);
    return null;
  }
  const run: Run = { kind, label, n, r, pacing: pacingNumbers(r.streams), audio: firstAudioNumbers(r.streams, r.jobs), late: lateParts(r.streams, r.jobs) };
  const p = run.pacing;
  ctx.log(
    `  ${label.padEnd(13)} n=${String(n).padStart(4)}  beyond-lead p99 ${p.beyondLead.p99.toFixed(1)} ms, underruns ${p.underrunsTotal}, exact ${p.exact}/${p.checked}, ` +
      `ttfa p99 ${run.audio.ttfa.p99.toFixed(0)} ms, host cpu ${r.host.cpuPct.toFixed(0)}% eld p99 ${r.host.eldP99.toFixed(1)} ms; ` +
      `${r.mediaLoop.length ? `media workers eld p99 ${r.mediaLoop.map((l) => l.p99.toFixed(1)).join('/')} ms; ` : ''}` +
      `load gen ${r.loadGen.cpuPct.toFixed(0)}% eld p99 ${r.loadGen.eldP99.toFixed(1)} ms; cloud ${r.cloud.cpuPct.toFixed(0)}%; machine ${r.machineBusyPct.toFixed(0)}% (${(r.wallMs / 1000).toFixed(0)} s)${r.pin === 'off' ? '' : `, BENCH_PIN=${r.pin}`}`,
  );
  const others = r.machineBusyPct - r.host.cpuPct - r.loadGen.cpuPct - r.cloud.cpuPct;
  ctx.note(
    `pacing ${label} ${n}${r.pin === 'off' ? '' : ` (BENCH_PIN=${r.pin})`}: machine ${r.machineBusyPct.toFixed(0)}% of a core busy (host ${r.host.cpuPct.toFixed(0)}, load generator ${r.loadGen.cpuPct.toFixed(0)}, cloud ${r.cloud.cpuPct.toFixed(0)}, everything else ${Math.max(0, others).toFixed(0)}); ` +
      `load generator event-loop delay p99 ${r.loadGen.eldP99.toFixed(1)} ms (arrival stamps can be that late); parts landing after Twilio needed them: ${run.late.late}/${run.late.parts}`,
  );
  if (r.open.failed) ctx.note(`pacing ${label} ${n}: ${r.open.failed} streams failed to connect (${r.open.errors.join('; ')})`);
  if (p.notExact.length) ctx.note(`pacing ${label} ${n}: not byte-exact: ${p.notExact.join('; ')}`);
  if (r.taps?.errors.length) ctx.note(`pacing ${label} ${n}: host errors: ${[...new Set(r.taps.errors)].slice(0, 3).join('; ')}`);
  if (r.host.profile) profileNotes(ctx, r.host.profile, `${label} ${n}`);
  return run;
}

function profileNotes(ctx: SuiteContext, file: string, label: string): void {
  const prof = readProfile(file);
  const h = hotspots(prof, 8);
  const busy = h.totalMs - h.idleMs;
  ctx.note(`host profile (${label}, ${file.split('/').slice(-1)[0]}): not idle ${(busy / 1000).toFixed(1)} s of ${(h.totalMs / 1000).toFixed(1)} s; self time: ${h.byBucket.map((b) => `${b.what} ${b.pct}%`).join(', ')}`);
  const stalls = longestStretches(prof, 3, 3);
  ctx.note(`host longest busy stretches (${label}): ${stalls.map((s) => `${s.durMs} ms [${s.top.map((t) => t.what).join(', ')}]`).join('; ')}`);
  ctx.detail(`profile ${label}`, { file, byBucket: h.byBucket, byFunction: h.byFunction, stalls });
}

function verdictOf(run: Run): CapacityVerdict {
  const v = capacityVerdict({ requested: run.n, opened: run.r.open.opened, pacing: run.pacing, firstAudio: run.audio });
  if (!v.holds && run.late.late) v.failures.push(`(${run.late.late} parts landed after Twilio needed them: some gaps are the TTS stand-in's)`);
  return v;
}

export const pacingSuite: Suite = {
  name: 'pacing',
  async run(ctx) {
    const runs: Run[] = [];
    const verdicts: CapacityVerdict[] = [];
    const steps = plan(ctx.smoke, ctx.streams);
    const capacityOnlyN = new Set(steps.filter((x) => x.capacityOnly).map((x) => x.n));
    for (const step of steps) {
      const capacityStep = step.kind === 'ours' && step.store === 'memory';
      if (step.capacityOnly && verdicts.some((v) => !v.holds)) {
        ctx.note(`capacity ${step.n} streams: not run (a smaller step already failed)`);
        continue;
      }
      const run = await runOne(ctx, step);
      if (run) runs.push(run);
      if (capacityStep) verdicts.push(run ? verdictOf(run) : { streams: step.n, holds: false, failures: ['the run failed'] });
    }
    const rows: Row[] = [];
    const find = (label: string, n: number) => runs.find((x) => x.label === label && x.n === n);
    const goals = !ctx.smoke;
    for (const run of runs) if (!capacityOnlyN.has(run.n)) rows.push(...pacingRows(run, find('timeout-chain', run.n), find('burst', run.n), goals && run.label === 'ours'));
    // time to first audio under load, and the S3 request rate while streams wait
    for (const run of runs.filter((x) => x.kind === 'ours' || x.kind === 'timeout-chain' || x.kind === 'simple')) {
      const t = rowFrom(run.audio.ttfa, { suite: 'ttfa', name: `part 0 landed -> first frame, ${run.n} concurrent streams (${run.label})`, unit: 'ms' });
      if (run.label === 'ours' && run.n >= 100 && goals) Object.assign(t, { goal: `p99 <= ${CAPACITY_GOAL.ttfaP99Ms} ms`, pass: run.audio.ttfa.p99 <= CAPACITY_GOAL.ttfaP99Ms });
      rows.push(t);
      if (run.label === 'ours') {
        rows.push(rowFrom(run.audio.discovery, { suite: 'ttfa', name: `  of which: landed -> found by a poll GET, ${run.n} concurrent (ours)`, unit: 'ms' }));
        rows.push(rowFrom(run.audio.overhead, { suite: 'ttfa', name: `  of which: found -> first frame on the wire, ${run.n} concurrent (ours)`, unit: 'ms' }));
        rows.push({
          ...rowFrom(run.audio.s3PerWaitingSecond, { suite: 'ttfa', name: `S3 GETs per second per waiting stream, ${run.n} concurrent (ours)`, unit: 'req/s' }),
          ...(goals ? { goal: '<= 20 (max)', pass: run.audio.s3PerWaitingSecond.max <= 20 } : {}),
        });
      }
    }
    for (const v of verdicts) ctx.note(`capacity ${v.streams} streams: ${v.holds ? 'holds' : `fails — ${v.failures.join('; ')}`}`);
    for (const run of runs.filter((x) => x.kind === 'floor')) {
      const v = capacityVerdict({ requested: run.n, opened: run.r.open.opened, pacing: run.pacing, firstAudio: null });
      ctx.note(`wire floor ${run.n} streams: ${v.holds ? 'holds the wire criteria (byte-exact, 0 underruns, beyond-lead p99 <= 5 ms)' : `fails the wire criteria — ${v.failures.join('; ')}`}`);
    }
    for (const run of runs.filter((x) => x.kind === 'simple')) {
      const v = capacityVerdict({ requested: run.n, opened: run.r.open.opened, pacing: run.pacing, firstAudio: run.audio });
      ctx.note(`simplest complete host ${run.n} streams: ${v.holds ? 'holds every capacity criterion' : `fails — ${v.failures.join('; ')}`}`);
    }
    const best = highestHeld(verdicts);
    rows.push({
      ...valueRow(best, verdicts.length, { suite: 'capacity', name: 'highest concurrent bidirectional streams held (byte-exact, 0 underruns, beyond-lead p99 <= 5 ms, TTFA p99 <= 100 ms)', unit: 'streams' }),
      ...(goals ? { goal: '>= 1000', pass: best >= 1000 } : {}),
      note: `steps: ${verdicts.map((v) => `${v.streams} ${v.holds ? 'held' : 'failed'}`).join(', ')}`,
    });
    ctx.detail(
      'runs',
      runs.map((x) => ({ label: x.label, n: x.n, host: x.r.host, loadGen: x.r.loadGen, cloud: x.r.cloud, machineBusyPct: x.r.machineBusyPct, loadAvg: x.r.loadAvg, open: x.r.open, late: x.late, taps: x.r.taps && { ...x.r.taps, firstAudioMs: summarize(x.r.taps.firstAudioMs) }, s3Gets: x.r.s3Gets })),
    );
    return rows;
  },
};
