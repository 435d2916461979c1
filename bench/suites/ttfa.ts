// Time to first audio on a quiet host: >= 200 TTS jobs, about one stream at a time. Each stream hangs up
// 100 ms after its first frame. Part 0 "synthesis" time varies (100–400 ms) so the TTS poller cannot
// simply learn one number.
import { firstAudioNumbers } from '../lib/analyze';
import { rowFrom, type Row } from '../lib/report';
import { runScenario } from '../lib/scenario';
import { summarize } from '../lib/stats';
import type { Suite } from './types';

export const ttfaSuite: Suite = {
  name: 'ttfa',
  async run(ctx) {
    const jobs = ctx.smoke ? 3 : 220;
    const r = await runScenario({
      kind: 'ours',
      streams: jobs,
      rampPerSec: ctx.smoke ? 10 : 3,
      leadMs: 100,
      cloud: { long: false, firstMs: [100, 300], gapMs: [300, 200], maxParts: 2 },
      hangUpAfterFirstMediaMs: 100,
      exact: false,
      warmupStreams: ctx.smoke ? 1 : 20,
      timeoutMs: ctx.smoke ? 30_000 : 150_000,
    });
    const a = firstAudioNumbers(r.streams, r.jobs);
    ctx.log(`  ${a.matched} jobs: ttfa p50 ${a.ttfa.p50.toFixed(1)} / p99 ${a.ttfa.p99.toFixed(1)} ms, S3 ${a.s3PerWaitingSecond.p50.toFixed(1)} req/s per waiting stream`);
    if (a.unmatched) ctx.note(`ttfa: ${a.unmatched} of ${r.streams.length} jobs without a first frame or a landed part 0`);
    if (r.taps?.errors.length) ctx.note(`ttfa: host errors: ${[...new Set(r.taps.errors)].slice(0, 3).join('; ')}`);
    const goals = !ctx.smoke;
    const rows: Row[] = [
      {
        ...rowFrom(a.ttfa, { suite: 'ttfa', name: 'part 0 landed -> first frame on the wire, one stream at a time (ours)', unit: 'ms' }),
        ...(goals ? { goal: 'p50 <= 15, p99 <= 40 ms', pass: a.ttfa.p50 <= 15 && a.ttfa.p99 <= 40 } : {}),
      },
      {
        ...rowFrom(a.s3PerWaitingSecond, { suite: 'ttfa', name: 'S3 GETs per second per waiting stream (counted at the store)', unit: 'req/s' }),
        ...(goals ? { goal: '<= 20 (max)', pass: a.s3PerWaitingSecond.max <= 20 } : {}),
      },
      rowFrom(a.postToAudio, { suite: 'ttfa', name: 'TTS job POST -> first frame (includes the stand-in’s 100–400 ms synthesis)', unit: 'ms' }),
    ];
    if (r.taps?.firstAudioMs.length) rows.push(rowFrom(summarize(r.taps.firstAudioMs), { suite: 'ttfa', name: 'host’s own firstAudioMs (tts.job event: job start -> first frame sent)', unit: 'ms' }));
    ctx.detail('host', r.host);
    return rows;
  },
};
