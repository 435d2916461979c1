// Time to first audio on a quiet host: >= 200 TTS jobs, about one stream at a time, against s3rver (the
// local S3-compatible server) and again against the in-memory store, to separate the store's own latency
// from the host's. Each stream hangs up 100 ms after its first frame. Part 0 "synthesis" time varies
// (100–400 ms) so the TTS poller cannot simply learn one number.
import type { CloudOptions } from '../procs/cloud';
import { firstAudioNumbers } from '../lib/analyze';
import { rowFrom, type Row } from '../lib/report';
import { runScenario } from '../lib/scenario';
import { summarize } from '../lib/stats';
import type { Suite, SuiteContext } from './types';

async function measure(ctx: SuiteContext, store: CloudOptions['store']): Promise<Row[]> {
  const jobs = ctx.smoke ? 3 : 200;
  const r = await runScenario({
    kind: 'ours',
    streams: jobs,
    rampPerSec: ctx.smoke ? 10 : 6,
    leadMs: 100,
    cloud: { store, long: false, firstMs: [100, 300], gapMs: [300, 200], maxParts: 2 },
    hangUpAfterFirstMediaMs: 100,
    exact: false,
    warmupStreams: ctx.smoke ? 1 : 20,
    timeoutMs: ctx.smoke ? 30_000 : 150_000,
  });
  const a = firstAudioNumbers(r.streams, r.jobs);
  ctx.log(`  ${store}: ${a.matched} jobs, ttfa p50 ${a.ttfa.p50.toFixed(1)} / p99 ${a.ttfa.p99.toFixed(1)} ms, S3 ${a.s3PerWaitingSecond.p50.toFixed(1)} req/s per waiting stream`);
  if (a.unmatched) ctx.note(`ttfa (${store}): ${a.unmatched} of ${r.streams.length} jobs without a first frame or a landed part 0`);
  if (r.taps?.errors.length) ctx.note(`ttfa (${store}): host errors: ${[...new Set(r.taps.errors)].slice(0, 3).join('; ')}`);
  const goals = !ctx.smoke && store === 's3rver';
  const rows: Row[] = [
    {
      ...rowFrom(a.ttfa, { suite: 'ttfa', name: `part 0 landed -> first frame on the wire, one stream at a time, ${store} (ours)`, unit: 'ms' }),
      ...(goals ? { goal: 'p50 <= 15, p99 <= 40 ms', pass: a.ttfa.p50 <= 15 && a.ttfa.p99 <= 40 } : {}),
    },
    {
      ...rowFrom(a.s3PerWaitingSecond, { suite: 'ttfa', name: `S3 GETs per second per waiting stream (counted at the store), ${store}`, unit: 'req/s' }),
      ...(goals ? { goal: '<= 20 (max)', pass: a.s3PerWaitingSecond.max <= 20 } : {}),
    },
    rowFrom(a.discovery, { suite: 'ttfa', name: `  of which: part 0 landed -> the poll GET that found it (polling wait), ${store}`, unit: 'ms' }),
    {
      ...rowFrom(a.overhead, { suite: 'ttfa', name: `  of which: that GET at the store -> first frame on the wire (host overhead), ${store}`, unit: 'ms' }),
      ...(goals ? { goal: 'p50 <= 15, p99 <= 40 ms', pass: a.overhead.p50 <= 15 && a.overhead.p99 <= 40 } : {}),
    },
    rowFrom(a.postToAudio, { suite: 'ttfa', name: `TTS job POST -> first frame (includes the stand-in’s 100–400 ms synthesis), ${store}`, unit: 'ms' }),
  ];
  ctx.detail(`host ${store}`, r.host);
  ctx.detail(`firstAudioMs taps ${store}`, r.taps ? summarize(r.taps.firstAudioMs) : null);
  return rows;
}

export const ttfaSuite: Suite = {
  name: 'ttfa',
  async run(ctx) {
    return [...(await measure(ctx, 's3rver')), ...(ctx.smoke ? [] : await measure(ctx, 'memory'))];
  },
};
