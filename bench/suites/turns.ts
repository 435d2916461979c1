// Turn latency of the streamed conversation (issue 11): full conversations through the real host at 1 and 100
// concurrent callers, several turns each. The load generator plays Twilio (bench/lib/conversation-caller.ts): a
// signed /voice_stream, the one Media Stream with the TwiML's <Parameter>s (text, grant) in its start, and signed
// /transcription callbacks (started; partials while the caller talks; the final). Per caller turn: the final's POST
// -> the answer's first frame on the wire, split into the TTS stand-in's synthesis (job POST -> part 0 landed), the
// S3 poll wait (landed -> the GET that found it) and the host's own share (the rest; bench/lib/turns.ts).
// Replies are one 1.2 s part (the answer's length does not change its first frame), so a turn takes ~2.5 s.
import { hostStepRows, turnRows } from './turns-rows';
import { turnNumbers, type TurnRecord } from '../lib/turns';
import type { CallerResult } from '../lib/conversation-caller';
import { BENCH_ACCOUNT_SID } from '../lib/constants';
import { startChild, type ChildHandle } from '../lib/child';
import { cpuTimes, machineBusyPct } from '../lib/machine';
import type { Row } from '../lib/report';
import type { ProcStats } from '../lib/serve';
import type { CloudOptions, JobRecord } from '../procs/cloud';
import type { HostInfo, HostParams, HostTaps } from '../procs/host';
import type { ConverseParams } from '../procs/twilio';
import type { Suite, SuiteContext } from './types';
import { cpus } from 'node:os';

const here = (f: string) => new URL(`../procs/${f}`, import.meta.url);

export interface TurnsStep {
  concurrency: number;
  conversations: number;
  turns: number;
}

export interface TurnsRun {
  step: TurnsStep;
  callers: CallerResult[];
  jobs: JobRecord[];
  taps: HostTaps;
  host: ProcStats;
  loadGen: ProcStats;
  cloud: ProcStats;
  machineBusyPct: number;
  wallMs: number;
}

function plan(smoke: boolean): TurnsStep[] {
  if (smoke) return [{ concurrency: 1, conversations: 1, turns: 2 }, { concurrency: 3, conversations: 3, turns: 2 }];
  return [
    { concurrency: 1, conversations: 4, turns: 6 },
    { concurrency: 100, conversations: 100, turns: 6 },
  ];
}

/** One step on fresh processes: cloud (memory S3 + TTS stand-in), the real host, the load generator. */
export async function runTurns(step: TurnsStep, o: { smoke: boolean; settings?: Record<string, string> }): Promise<TurnsRun> {
  const t0 = performance.now();
  const children: ChildHandle[] = [];
  try {
    const [cloud, host, lg] = await Promise.all([startChild(here('cloud.ts'), { name: 'cloud' }), startChild(here('host.ts'), { name: 'host (ours)' }), startChild(here('twilio.ts'), { name: 'load generator' })]);
    children.push(cloud, host, lg);
    const cloudOpts: Partial<CloudOptions> = { store: 'memory', long: false, maxParts: 1, firstMs: [250, 250], gapMs: [300, 200] };
    const c = await cloud.call<{ s3Endpoint: string; ttsUrl: string; bucket: string; prefix: string; expected: Buffer; folder: string | null }>('start', cloudOpts);
    const leadMs = 100;
    const hostParams: HostParams = { kind: 'ours', s3Endpoint: c.s3Endpoint, folder: c.folder, ttsUrl: c.ttsUrl, bucket: c.bucket, prefix: c.prefix, leadMs, settings: { JOB_IDLE_TIMEOUT_MS: '5000', ...o.settings } };
    const h = await host.call<HostInfo>('start', hostParams);
    if (!h.httpBase || !h.publicUrl || !h.authToken) throw new Error('the host did not say where its webhooks are');
    const base: ConverseParams = {
      httpBase: h.httpBase,
      publicUrl: h.publicUrl,
      mediaUrl: h.mediaUrl,
      authToken: h.authToken,
      accountSid: BENCH_ACCOUNT_SID,
      leadMs: h.leadMs,
      conversations: step.conversations,
      concurrency: step.concurrency,
      rampPerSec: 20,
      turns: step.turns,
      replyBytes: Buffer.from(c.expected).length,
      partials: 3,
      partialGapMs: 200,
      finalAfterMs: 300,
      pauseAfterReplyMs: 300,
      replyTimeoutMs: 20_000,
    };
    const budget = (ms: number) => ms + 60_000;
    // warm-up: a few conversations (JIT, lazy loads, the poller's landing window), then a clean slate
    if (!o.smoke) {
      await lg.call('converse', { ...base, conversations: 5, concurrency: 5, turns: 2 }, budget(30_000));
      await lg.call('hangUpAll');
      await Promise.all([lg.call('reset'), cloud.call('drain'), host.call('taps')]);
    }
    await Promise.all(children.map((ch) => ch.call('stats.begin')));
    await new Promise((r) => setTimeout(r, 300));
    const cpu0 = cpuTimes();
    const perConversationMs = 4000 + step.turns * 4000;
    const callers = await lg.call<CallerResult[]>('converse', base, budget(perConversationMs * Math.ceil(step.conversations / step.concurrency)));
    const busy = machineBusyPct(cpu0, cpuTimes(), cpus().length);
    const [hostStats, cloudStats, lgStats] = await Promise.all([host.call<ProcStats>('stats.end'), cloud.call<ProcStats>('stats.end'), lg.call<ProcStats>('stats.end')]);
    await lg.call('hangUpAll');
    const { jobs } = await cloud.call<{ jobs: JobRecord[] }>('drain');
    const taps = await host.call<HostTaps>('taps');
    return { step, callers, jobs, taps, host: hostStats, loadGen: lgStats, cloud: cloudStats, machineBusyPct: busy, wallMs: performance.now() - t0 };
  } finally {
    for (const ch of children.reverse()) await ch.stop().catch(() => undefined);
  }
}

export function turnsOf(run: TurnsRun): TurnRecord[] {
  return run.callers.flatMap((c) => c.turns);
}

async function one(ctx: SuiteContext, step: TurnsStep): Promise<Row[]> {
  const run = await runTurns(step, { smoke: ctx.smoke });
  const t = turnNumbers(turnsOf(run), run.jobs, run.taps.turns);
  const failed = run.callers.filter((c) => c.error);
  const tag = `${step.concurrency} concurrent conversation${step.concurrency === 1 ? '' : 's'}`;
  ctx.log(
    `  ${tag}: ${t.matched}/${t.turns} turns, final -> first frame p50 ${t.total.p50.toFixed(0)} / p99 ${t.total.p99.toFixed(0)} ms, ` +
      `host share p50 ${t.hostShare.p50.toFixed(1)} / p99 ${t.hostShare.p99.toFixed(1)} ms, synthesis p50 ${t.synthesis.p50.toFixed(0)} ms, poll wait p50 ${t.pollWait.p50.toFixed(0)} ms; ` +
      `host cpu ${run.host.cpuPct.toFixed(0)}% eld p99 ${run.host.eldP99.toFixed(1)} ms; machine ${run.machineBusyPct.toFixed(0)}% (${(run.wallMs / 1000).toFixed(0)} s)`,
  );
  ctx.note(
    `turns ${tag}: ${step.conversations} conversations × ${step.turns} turns, ${t.matched} measured, ${t.unanswered} unanswered, ${t.unmatched} without a job split; ` +
      `${failed.length} conversations did not finish${failed.length ? ` (${[...new Set(failed.map((f) => f.error))].slice(0, 3).join('; ')})` : ''}; ` +
      `callbacks refused ${run.callers.reduce((a, c) => a + c.refusedCallbacks, 0)}; machine ${run.machineBusyPct.toFixed(0)}% of a core busy (host ${run.host.cpuPct.toFixed(0)}, load generator ${run.loadGen.cpuPct.toFixed(0)}, cloud ${run.cloud.cpuPct.toFixed(0)})`,
  );
  if (run.taps.errors.length) ctx.note(`turns ${tag}: host errors: ${[...new Set(run.taps.errors)].slice(0, 3).join('; ')}`);
  ctx.detail(`turns ${step.concurrency}`, { step, numbers: t, host: run.host, loadGen: run.loadGen, cloud: run.cloud, machineBusyPct: run.machineBusyPct, failed: failed.map((f) => f.error).slice(0, 10) });
  return [...turnRows(t, tag, !ctx.smoke), ...hostStepRows(t, tag)];
}

export const turnsSuite: Suite = {
  name: 'turns',
  async run(ctx) {
    const rows: Row[] = [];
    for (const step of plan(ctx.smoke)) rows.push(...(await one(ctx, step)));
    return rows;
  },
};
