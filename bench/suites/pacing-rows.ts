// Table rows for one pacing run (pure): lateness, lead, underruns, host cost, with ratios to the baselines
// of the same stream count from the same bench run.
import type { FirstAudioNumbers, PacingNumbers } from '../lib/analyze';
import { CAPACITY_GOAL } from '../lib/capacity';
import { ratio, rowFrom, valueRow, type Row } from '../lib/report';
import type { ScenarioResult } from '../lib/scenario';
import { round } from '../lib/stats';

export interface Run {
  kind: string;
  /** e.g. "ours" or "ours, folder store (no S3 SDK)". */
  label: string;
  n: number;
  r: ScenarioResult;
  pacing: PacingNumbers;
  audio: FirstAudioNumbers;
  late: { late: number; parts: number; streams: number };
}

export function pacingRows(run: Run, chain: Run | undefined, burst: Run | undefined, goals: boolean): Row[] {
  const { n, pacing: p, r } = run;
  const tag = `${n} stream${n === 1 ? '' : 's'}, ${run.label}`;
  const ours = run.kind === 'ours';
  const vs = (mine: number | null, other: Run | undefined, pick: (x: Run) => number | null, label: string) =>
    ours && other ? { ratio: ratio(mine, pick(other)), baseline: label } : {};
  const beyond = rowFrom(p.beyondLead, { suite: 'pacing', name: `lateness beyond lead, ${tag}`, unit: 'ms' });
  Object.assign(beyond, vs(beyond.p99, chain, (x) => round(x.pacing.beyondLead.p99), 'timeout-chain p99'));
  if (ours && goals) {
    const limit = n === 1 ? 2 : CAPACITY_GOAL.beyondLeadP99Ms;
    Object.assign(beyond, { goal: `p99 <= ${limit} ms`, pass: p.beyondLead.p99 <= limit });
  }
  const grid = rowFrom(p.grid, { suite: 'pacing', name: `lateness vs 20 ms grid (negative = ahead), ${tag}`, unit: 'ms' });
  const lead = rowFrom(p.maxLead, { suite: 'pacing', name: `max lead queued at Twilio per stream, ${tag}`, unit: 'ms' });
  Object.assign(lead, vs(lead.p99, burst, (x) => round(x.pacing.maxLead.p99), 'burst p99'));
  const under = rowFrom(p.underrunsPerStream, {
    suite: 'pacing',
    name: `underruns per stream, ${tag}`,
    unit: 'count',
    note: `${p.underrunsTotal} in total on ${p.streamsWithUnderrun} streams; byte-exact ${p.exact}/${p.checked}; parts landed after Twilio needed them ${run.late.late}`,
  });
  Object.assign(under, vs(p.underrunsTotal, chain, (x) => x.pacing.underrunsTotal, 'timeout-chain total'));
  if (ours && goals) Object.assign(under, { goal: '0, all byte-exact', pass: p.underrunsTotal === 0 && p.exact === p.checked && p.silent === 0 });
  const cpu = valueRow(r.host.cpuPct, 1, {
    suite: 'pacing',
    name: `host CPU, ${tag}`,
    unit: '% of a core',
    note: `load generator ${r.loadGen.cpuPct.toFixed(0)}%, cloud ${r.cloud.cpuPct.toFixed(0)}%, whole machine ${r.machineBusyPct.toFixed(0)}% of 200`,
  });
  const eld: Row = { suite: 'pacing', name: `host event-loop delay, ${tag}`, unit: 'ms', p50: round(r.host.eldP50), p99: round(r.host.eldP99), max: round(r.host.eldMax), n: 1 };
  const memPerStream = ((r.host.rssMiB - r.host.rssStartMiB) * 1024) / Math.max(1, n);
  const mem = valueRow(memPerStream, n, { suite: 'pacing', name: `host memory per stream (peak RSS growth), ${tag}`, unit: 'KiB', note: `peak RSS ${r.host.rssMiB.toFixed(0)} MiB` });
  return [beyond, grid, lead, under, cpu, eld, mem];
}
