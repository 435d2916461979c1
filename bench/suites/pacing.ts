// Pacing side by side (ours, setTimeout(20) chain, send-everything-at-once) at 1/100/300/1,000 streams,
// with time to first audio under load and the capacity verdict taken from the same runs of ours.
import type { SenderKind } from '../procs/host';
import { firstAudioNumbers, pacingNumbers, type FirstAudioNumbers, type PacingNumbers } from '../lib/analyze';
import { CAPACITY_GOAL, capacityVerdict, highestHeld, type CapacityVerdict } from '../lib/capacity';
import { hotspots, longestStretches, readProfile } from '../lib/profile';
import { ratio, rowFrom, valueRow, type Row } from '../lib/report';
import { runScenario, type ScenarioResult } from '../lib/scenario';
import { round, summarize } from '../lib/stats';
import type { Suite, SuiteContext } from './types';

const KINDS: SenderKind[] = ['ours', 'timeout-chain', 'burst'];
const LEAD_MS = 100;

interface Run {
  kind: SenderKind;
  n: number;
  r: ScenarioResult;
  pacing: PacingNumbers;
  audio: FirstAudioNumbers;
}

function plan(smoke: boolean): Array<{ n: number; kinds: SenderKind[] }> {
  if (smoke) return [{ n: 2, kinds: KINDS }];
  return [
    { n: 1, kinds: KINDS },
    { n: 100, kinds: KINDS },
    { n: 300, kinds: KINDS },
    { n: 500, kinds: ['ours'] }, // capacity step only
    { n: 1000, kinds: KINDS },
  ];
}

async function runOne(ctx: SuiteContext, kind: SenderKind, n: number): Promise<Run> {
  const r = await runScenario({
    kind,
    streams: n,
    rampPerSec: n <= 2 ? 5 : Math.min(250, n * 2),
    leadMs: LEAD_MS,
    cloud: { long: !ctx.smoke, firstMs: [250, 250], gapMs: [300, 200], maxParts: ctx.smoke ? 2 : undefined },
    warmupStreams: ctx.smoke ? 0 : 20,
    timeoutMs: ctx.smoke ? 30_000 : 90_000,
    cpuProfDir: kind === 'ours' && n >= 1000 ? ctx.profileDir : undefined,
  });
  const run = { kind, n, r, pacing: pacingNumbers(r.streams), audio: firstAudioNumbers(r.streams, r.jobs) };
  const p = run.pacing;
  ctx.log(
    `  ${kind.padEnd(13)} n=${String(n).padStart(4)}  beyond-lead p99 ${p.beyondLead.p99.toFixed(1)} ms, underruns ${p.underrunsTotal}, exact ${p.exact}/${p.checked}, ` +
      `ttfa p99 ${run.audio.ttfa.p99.toFixed(0)} ms, host cpu ${r.host.cpuPct.toFixed(0)}%, eld p99 ${r.host.eldP99.toFixed(1)} ms (${(r.wallMs / 1000).toFixed(0)} s)`,
  );
  if (r.open.failed) ctx.note(`pacing ${kind} ${n}: ${r.open.failed} streams failed to connect (${r.open.errors.join('; ')})`);
  if (p.notExact.length) ctx.note(`pacing ${kind} ${n}: not byte-exact: ${p.notExact.join('; ')}`);
  if (r.taps?.errors.length) ctx.note(`pacing ${kind} ${n}: host errors: ${[...new Set(r.taps.errors)].slice(0, 3).join('; ')}`);
  if (r.host.profile) profileNotes(ctx, r.host.profile, `${kind} ${n}`);
  return run;
}

function profileNotes(ctx: SuiteContext, file: string, label: string): void {
  const prof = readProfile(file);
  const h = hotspots(prof, 8);
  const busy = h.totalMs - h.idleMs;
  ctx.note(`host profile (${label}, ${file.split('/').slice(-1)[0]}): busy ${(busy / 1000).toFixed(1)} s of ${(h.totalMs / 1000).toFixed(1)} s; top: ${h.byBucket.map((b) => `${b.what} ${b.pct}%`).join(', ')}`);
  const stalls = longestStretches(prof, 3, 3);
  ctx.note(`host longest busy stretches (${label}): ${stalls.map((s) => `${s.durMs} ms [${s.top.map((t) => t.what).join(', ')}]`).join('; ')}`);
  ctx.detail(`profile ${label}`, { file, byBucket: h.byBucket, byFunction: h.byFunction, stalls });
}

function rowsFor(run: Run, base: Run | undefined, burst: Run | undefined, smoke: boolean): Row[] {
  const { kind, n, pacing: p, r } = run;
  const tag = `${n} stream${n === 1 ? '' : 's'}, ${kind}`;
  const ours = kind === 'ours';
  const vs = (mine: number | null, other: Run | undefined, pick: (x: Run) => number | null, label: string) =>
    ours && other ? { ratio: ratio(mine, pick(other)), baseline: label } : {};
  const beyond = rowFrom(p.beyondLead, { suite: 'pacing', name: `lateness beyond lead, ${tag}`, unit: 'ms' });
  Object.assign(beyond, vs(beyond.p99, base, (x) => round(x.pacing.beyondLead.p99), 'timeout-chain p99'));
  if (ours && !smoke) Object.assign(beyond, { goal: n === 1 ? 'p99 <= 2 ms' : `p99 <= ${CAPACITY_GOAL.beyondLeadP99Ms} ms`, pass: p.beyondLead.p99 <= (n === 1 ? 2 : CAPACITY_GOAL.beyondLeadP99Ms) });
  const grid = rowFrom(p.grid, { suite: 'pacing', name: `lateness vs 20 ms grid (negative = ahead), ${tag}`, unit: 'ms' });
  const lead = rowFrom(p.maxLead, { suite: 'pacing', name: `max lead queued at Twilio per stream, ${tag}`, unit: 'ms' });
  Object.assign(lead, vs(lead.p99, burst, (x) => round(x.pacing.maxLead.p99), 'burst p99'));
  const under = rowFrom(p.underrunsPerStream, {
    suite: 'pacing',
    name: `underruns per stream, ${tag}`,
    unit: 'count',
    note: `${p.underrunsTotal} in total on ${p.streamsWithUnderrun} streams; byte-exact ${p.exact}/${p.checked}`,
  });
  Object.assign(under, vs(p.underrunsTotal, base, (x) => x.pacing.underrunsTotal, 'timeout-chain total'));
  const cpu = valueRow(r.host.cpuPct, 1, { suite: 'pacing', name: `host CPU, ${tag}`, unit: '% of a core', note: `load generator ${r.loadGen.cpuPct.toFixed(0)}%, cloud ${r.cloud.cpuPct.toFixed(0)}%` });
  const eld = { suite: 'pacing', name: `host event-loop delay, ${tag}`, unit: 'ms', p50: round(r.host.eldP50), p99: round(r.host.eldP99), max: round(r.host.eldMax), n: 1 };
  const memPerStream = ((r.host.rssMiB - r.host.rssStartMiB) * 1024) / Math.max(1, n);
  const mem = valueRow(memPerStream, n, { suite: 'pacing', name: `host memory per stream (peak RSS growth), ${tag}`, unit: 'KiB', note: `peak RSS ${r.host.rssMiB.toFixed(0)} MiB` });
  return [beyond, grid, lead, under, cpu, eld, mem];
}

export const pacingSuite: Suite = {
  name: 'pacing',
  async run(ctx) {
    const runs: Run[] = [];
    for (const step of plan(ctx.smoke)) for (const kind of step.kinds) runs.push(await runOne(ctx, kind, step.n));
    const rows: Row[] = [];
    const find = (kind: SenderKind, n: number) => runs.find((x) => x.kind === kind && x.n === n);
    for (const run of runs) {
      if (run.n === 500) continue; // capacity step only
      rows.push(...rowsFor(run, find('timeout-chain', run.n), find('burst', run.n), ctx.smoke));
    }
    // time to first audio under load (ours), and the S3 request rate while streams wait
    for (const run of runs.filter((x) => x.kind === 'ours')) {
      const t = rowFrom(run.audio.ttfa, { suite: 'ttfa', name: `part 0 landed -> first frame, ${run.n} concurrent streams (ours)`, unit: 'ms' });
      if (run.n >= 300 && !ctx.smoke) Object.assign(t, { goal: `p99 <= ${CAPACITY_GOAL.ttfaP99Ms} ms`, pass: run.audio.ttfa.p99 <= CAPACITY_GOAL.ttfaP99Ms });
      rows.push(t);
      const base = find('timeout-chain', run.n);
      if (base) rows.push({ ...rowFrom(base.audio.ttfa, { suite: 'ttfa', name: `part 0 landed -> first frame, ${run.n} concurrent streams (timeout-chain)`, unit: 'ms' }) });
      rows.push(rowFrom(run.audio.s3PerWaitingSecond, { suite: 'ttfa', name: `S3 GETs per second per waiting stream, ${run.n} concurrent (ours)`, unit: 'req/s', goal: ctx.smoke ? undefined : '<= 20', pass: ctx.smoke ? undefined : run.audio.s3PerWaitingSecond.max <= 20 }));
    }
    const verdicts: CapacityVerdict[] = runs
      .filter((x) => x.kind === 'ours')
      .map((x) => capacityVerdict({ requested: x.n, opened: x.r.open.opened, pacing: x.pacing, firstAudio: x.audio }));
    for (const v of verdicts) ctx.note(`capacity ${v.streams} streams: ${v.holds ? 'holds' : `fails — ${v.failures.join('; ')}`}`);
    const best = highestHeld(verdicts);
    const maxTried = Math.max(...verdicts.map((v) => v.streams));
    rows.push({
      ...valueRow(best, verdicts.length, { suite: 'capacity', name: 'highest concurrent bidirectional streams held (exact, 0 underruns, beyond-lead p99 <= 5 ms, TTFA p99 <= 100 ms)', unit: 'streams' }),
      goal: ctx.smoke ? undefined : '>= 1000',
      pass: ctx.smoke ? undefined : best >= 1000,
      note: `steps tried: ${verdicts.map((v) => `${v.streams} ${v.holds ? 'ok' : 'fail'}`).join(', ')} (max tried ${maxTried})`,
    });
    ctx.detail('pacing', runs.map((x) => ({ kind: x.kind, n: x.n, host: x.r.host, loadGen: x.r.loadGen, cloud: x.r.cloud, open: x.r.open, taps: x.r.taps && { ...x.r.taps, firstAudioMs: summarize(x.r.taps.firstAudioMs) }, s3Gets: x.r.s3Gets })));
    return rows;
  },
};
