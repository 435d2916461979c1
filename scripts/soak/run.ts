// `npm run soak -- [--calls=200] [--minutes=10] [--sample-every=10] [--out=file.json]` (not in CI).
// N simulated calls at a time for M minutes through the real servers: the host runs alone in a child process
// (scripts/soak/host.ts: live mode, signed webhooks, media server, TTS pipeline reading parts from a folder,
// history on disk); this process plays Twilio (signed /voice_stream, a Media Stream that plays the greeting to
// the end, /after_stream, one caller turn on /handle_speech, /call_status completed) and the TTS service (the
// stand-in writing parts). Each lane places its next call as soon as the last one ends.
// The host's RSS, heap (after a GC), open handles and event-loop delay are sampled at start (after the warm-up:
// startCheckpointMs), every --sample-every seconds, at the end, and once the calls have drained. "Flat": for every
// metric, both end − start and end − middle stay within max(pct × start, abs) (TOLERANCE below, printed with the
// verdict), each checkpoint taken as the median of the samples around it (settled).
import { streamParameters } from '../../test/helpers/stream-twiml';
import { fork } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import twilio from 'twilio';
import { TwilioMediaClient } from '../../src/main/sim/media-client';
import { folderPartWriter } from '../../src/main/sim/part-writer';
import { startTtsStandIn } from '../../src/main/sim/tts-standin';
import { parseWav } from '../../src/main/tts/wav';
import type { SoakSample } from './host';

const here = dirname(fileURLToPath(import.meta.url));
const root = resolve(here, '../..');
const AUTH_TOKEN = 'soak-auth-token-0123456789abcdef';
const ACCOUNT_SID = 'AC' + '5'.repeat(32);
const PUBLIC_URL = 'https://front-door-soak.example.ngrok.app';

/** What "flat" allows between samples: max(pct × the start value, abs). */
export const TOLERANCE = {
  rssMb: { pct: 0.2, abs: 30 },
  heapUsedMb: { pct: 0.2, abs: 15 },
  handles: { pct: 0.15, abs: 10 },
  fds: { pct: 0.15, abs: 20 },
  // the event-loop p99 of one 10 s window swings by tens of ms on a shared machine: only a doubling past 50 ms counts
  loopP99Ms: { pct: 1, abs: 50 },
} as const;
type Metric = keyof typeof TOLERANCE;

function arg(name: string, fallback: number): number;
function arg(name: string, fallback: string): string;
function arg(name: string, fallback: number | string): number | string {
  const hit = process.argv.find((a) => a.startsWith(`--${name}=`));
  if (!hit) return fallback;
  const v = hit.slice(name.length + 3);
  return typeof fallback === 'number' ? Number(v) : v;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The host keeps finished calls in memory this long for late callbacks (history/store.ts FINISHED_KEPT_MS). */
export const HISTORY_WINDOW_MS = 15 * 60_000;

/**
 * When the start checkpoint is taken. The host reaches its steady state only once its in-memory windows are full:
 * the registry's 60 s linger, V8 sizing its heap to the allocation rate (~80 MB of RSS in the first minutes at 200
 * calls, measured), and the history's 15 min of finished calls (heap used and GC pauses grow until it is full). A
 * start inside that warm-up reads the warm-up as a leak. So: at least ramp + 60 s and 30 % of the run, and on runs
 * of twice the history window or more, after the window (+ 60 s). Shorter runs are a smoke check of the same rule.
 */
export function startCheckpointMs(durationMs: number, rampMs: number): number {
  if (durationMs < 4 * 60_000) return rampMs;
  const steady = durationMs >= 2 * (HISTORY_WINDOW_MS + 60_000) ? HISTORY_WINDOW_MS + 60_000 : 0;
  return Math.max(rampMs + 60_000, Math.round(durationMs * 0.3), steady);
}

/** Least-squares slope of a metric over the samples taken at or after `fromSec`, per 10 minutes (null: < 3 samples). */
export function trendPer10Min(samples: Array<{ t: number } & Record<Metric | 'heapTotalMb' | 'externalMb', number>>, metric: Metric | 'heapTotalMb' | 'externalMb', fromSec: number): number | null {
  const pts = samples.filter((s) => s.t >= fromSec && Number.isFinite(s[metric]));
  if (pts.length < 3) return null;
  const n = pts.length;
  const mt = pts.reduce((a, s) => a + s.t, 0) / n;
  const mv = pts.reduce((a, s) => a + s[metric], 0) / n;
  let num = 0;
  let den = 0;
  for (const s of pts) {
    num += (s.t - mt) * (s[metric] - mv);
    den += (s.t - mt) ** 2;
  }
  return den === 0 ? null : Math.round((num / den) * 600 * 10) / 10;
}

/**
 * A checkpoint's value for each metric: the median of the samples around it (the checkpoint and up to `k` on either
 * side, inside the measured window). One sample of 200 calls in flight swings by a third (handles 377–662 within one
 * 30-min run, RSS ±15 MB with GC): a leak moves the median, one unlucky instant does not.
 */
export function settled<T extends Record<Metric, number>>(samples: T[], index: number, k = 2): T {
  const from = Math.max(0, index - k);
  const around = samples.slice(from, Math.min(samples.length, index + k + 1));
  const out = { ...samples[index]! };
  for (const metric of Object.keys(TOLERANCE) as Metric[]) {
    const values = around.map((x) => x[metric]).sort((a, b) => a - b);
    const mid = Math.floor(values.length / 2);
    const median = values.length % 2 ? values[mid]! : (values[mid - 1]! + values[mid]!) / 2;
    (out as Record<Metric, number>)[metric] = Math.round(median * 10) / 10;
  }
  return out;
}

export function verdict(start: SoakSample, mid: SoakSample, end: SoakSample) {
  const rows = (Object.keys(TOLERANCE) as Metric[]).map((metric) => {
    const t = TOLERANCE[metric];
    const allowed = Math.round(Math.max(t.pct * start[metric], t.abs) * 10) / 10;
    const growth = Math.round((end[metric] - start[metric]) * 10) / 10;
    const lateGrowth = Math.round((end[metric] - mid[metric]) * 10) / 10;
    return { metric, start: start[metric], mid: mid[metric], end: end[metric], growth, lateGrowth, allowed, flat: growth <= allowed && lateGrowth <= allowed };
  });
  return { rows, flat: rows.every((r) => r.flat) };
}

async function main(): Promise<void> {
  const calls = arg('calls', 200);
  const minutes = arg('minutes', 10);
  const sampleEvery = arg('sample-every', 10) * 1000;
  const out = resolve(arg('out', join(root, 'bench/out', `soak-${new Date().toISOString().replace(/[:.]/g, '-')}.json`)));
  const durationMs = minutes * 60_000;
  const rampMs = Math.min(30_000, durationMs * 0.15);
  const warmMs = startCheckpointMs(durationMs, rampMs);

  const greeting = parseWav(readFileSync(join(root, 'resources/audio/greeting.mulaw.wav'))).data;
  const audio = Buffer.from(greeting.subarray(0, greeting.length - (greeting.length % 160))); // whole frames: no padding
  const work = mkdtempSync(join(tmpdir(), 'fd-soak-'));
  const folder = join(work, 'parts');
  mkdirSync(folder, { recursive: true });
  const standIn = await startTtsStandIn({ writer: folderPartWriter(folder), keyPrefix: 'tts', audioFor: async () => audio, firstPartDelayMs: 300, partIntervalMs: 800 });

  const child = fork(join(here, 'host.ts'), [], {
    execArgv: ['--expose-gc', '--import', 'tsx'],
    cwd: root,
    env: {
      ...process.env,
      NODE_NO_WARNINGS: '1',
      DEMO: 'off',
      // one streamed reply then <Gather> per call: the lanes' flow (the conversation's turns are the bench's)
      STREAM_STT: 'gather',
      TWILIO_AUTH_TOKEN: AUTH_TOKEN,
      TWILIO_ACCOUNT_SID: ACCOUNT_SID,
      TWILIO_API_BASE_URL: 'http://127.0.0.1:9',
      PUBLIC_URL,
      TTS_URL: standIn.url,
      PART_STORE_DIR: folder,
      HTTP_PORT: '0',
      WS_PORT: '0',
      DATA_DIR: join(work, 'data'),
      LOG_LEVEL: 'warn',
    },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const ready = await new Promise<{ ports: { http: number; ws: number }; media: string }>((resolveReady, reject) => {
    child.once('exit', (code) => reject(new Error(`soak host exited (${code}) before it was ready`)));
    child.on('message', (m: { ready?: boolean; ports?: { http: number; ws: number }; media?: string }) => m.ready && resolveReady(m as { ports: { http: number; ws: number }; media: string }));
  });
  let nextId = 1;
  const ask = <T,>(op: 'sample' | 'stop'): Promise<T> =>
    new Promise((resolveAsk) => {
      const id = nextId++;
      const on = (m: { id?: number; result?: T }) => {
        if (m.id !== id) return;
        child.off('message', on);
        resolveAsk(m.result as T);
      };
      child.on('message', on);
      child.send({ id, op });
    });

  const http = `http://127.0.0.1:${ready.ports.http}`;
  const wsUrl = `ws://127.0.0.1:${ready.ports.ws}/media`;
  const post = async (path: string, params: Record<string, string>) => (await postForm(path, params)).status;
  const postForm = async (path: string, params: Record<string, string>) => {
    const res = await fetch(http + path, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-twilio-signature': twilio.getExpectedTwilioSignature(AUTH_TOKEN, PUBLIC_URL + path, params) },
      body: new URLSearchParams(params).toString(),
    });
    return { status: res.status, body: await res.text() };
  };

  const tally = { placed: 0, ok: 0, failed: 0, reasons: {} as Record<string, number> };
  const fail = (why: string) => {
    tally.failed++;
    tally.reasons[why] = (tally.reasons[why] ?? 0) + 1;
  };
  const t0 = Date.now();
  const endAt = t0 + durationMs;
  const lane = async (i: number) => {
    await sleep((rampMs * i) / calls);
    while (Date.now() < endAt) {
      tally.placed++;
      const form = { CallSid: 'CA' + randomBytes(16).toString('hex'), AccountSid: ACCOUNT_SID, From: '+8210' + String(10_000_000 + i).slice(-8), To: '+827012345678', CallStatus: 'in-progress' };
      try {
        const answer = await postForm('/voice_stream', form);
        if (answer.status !== 200) throw new Error('voice_stream');
        // the stream's start carries the TwiML's <Parameter>s: the text and the host's one-time grant
        const customParameters = streamParameters(answer.body);
        const client = await TwilioMediaClient.connect({ url: wsUrl, signedUrl: ready.media, authToken: AUTH_TOKEN, accountSid: ACCOUNT_SID, callSid: form.CallSid, customParameters });
        const code = await Promise.race([client.closed(), sleep(60_000).then(() => -1)]);
        if (code === -1) await client.stop();
        const heard = Buffer.concat(client.received.media);
        await post('/after_stream', form);
        await post('/handle_speech', { ...form, SpeechResult: `소크 테스트 ${tally.placed}`, Confidence: '0.9' });
        await post('/call_status', { ...form, CallStatus: 'completed', CallDuration: '6' });
        if (code !== 1000) fail(`stream closed ${code}`);
        else if (Buffer.compare(heard, audio) !== 0) fail('audio not byte-exact');
        else tally.ok++;
      } catch (err) {
        fail((err as Error).message.slice(0, 60));
      }
      await sleep(Math.random() * 300);
    }
  };

  // finished TTS jobs: forget them and delete their parts (the stand-in is the cloud, not what is measured)
  const janitor = setInterval(() => {
    const cutoff = Date.now() - 20_000;
    for (const [jobId, job] of standIn.jobs) {
      if (job.state !== 'writing' && (job.doneAt ?? job.requestedAt) < cutoff) {
        rmSync(join(folder, 'tts', jobId), { recursive: true, force: true });
        standIn.jobs.delete(jobId);
      }
    }
  }, 5000);

  const samples: Array<SoakSample & { phase: string; t: number }> = [];
  const take = async (phase: string) => {
    const s = await ask<SoakSample>('sample');
    samples.push({ ...s, phase, t: Math.round((s.at - t0) / 1000) });
    console.log(`  ${phase.padEnd(8)} t=${String(Math.round((s.at - t0) / 1000)).padStart(4)}s rss ${s.rssMb} MB (anon ${s.rssAnonMb}, file ${s.rssFileMb}) heap ${s.heapUsedMb}/${s.heapTotalMb} MB ext ${s.externalMb} fds ${s.fds} handles ${s.handles} loop p99 ${s.loopP99Ms} ms active ${s.activeCalls} streams ${s.streams} | calls ok ${tally.ok} failed ${tally.failed}`);
    return s;
  };
  console.log(`soak: ${calls} calls at a time for ${minutes} min (ramp ${Math.round(rampMs / 1000)} s, start checkpoint at ${Math.round(warmMs / 1000)} s, sample every ${sampleEvery / 1000} s) on ${cpus().length} cores, load ${loadavg().map((l) => l.toFixed(1)).join(' ')}`);
  const baseline = await take('baseline');
  const lanes = Array.from({ length: calls }, (_, i) => lane(i));
  await sleep(warmMs);
  const start = await take('start');
  let mid: SoakSample | null = null;
  while (Date.now() + sampleEvery < endAt) {
    await sleep(sampleEvery);
    // the middle of the judged window: halfway from the start checkpoint to the end
    const s = await take(Date.now() - t0 >= (warmMs + durationMs) / 2 && !mid ? 'middle' : 'sample');
    if (samples[samples.length - 1]!.phase === 'middle') mid = s;
  }
  await sleep(Math.max(0, endAt - Date.now()));
  const end = await take('end');
  await Promise.all(lanes);
  await sleep(3000);
  const drained = await take('drained');
  clearInterval(janitor);
  await ask('stop');
  await new Promise((r) => (child.exitCode !== null ? r(null) : child.once('exit', r)));
  await standIn.stop();
  rmSync(work, { recursive: true, force: true });

  const measured = samples.filter((x) => x.phase !== 'baseline' && x.phase !== 'drained');
  const midIndex = Math.max(0, measured.findIndex((x) => x.phase === 'middle'));
  // each checkpoint is the median of its neighbourhood: the start looks forward, the end back, the middle both ways
  const startAt = settled(measured.slice(0, 5), 0, 4);
  const middle = settled(measured, mid ? midIndex : Math.floor(measured.length / 2));
  const endSettled = settled(measured.slice(-5), 4, 4);
  const v = verdict(startAt, middle, endSettled);
  const elapsedMin = (end.at - t0) / 60_000;
  const half = middle.at ? Math.round((middle.at - t0) / 1000) : 0;
  const trend = (m: Parameters<typeof trendPer10Min>[1]) => trendPer10Min(measured, m, half);
  const trends = { rssMb: trend('rssMb'), heapUsedMb: trend('heapUsedMb'), heapTotalMb: trend('heapTotalMb'), fds: trend('fds') };
  const report = {
    kind: 'soak',
    params: { calls, minutes, sampleEverySec: sampleEvery / 1000, rampSec: rampMs / 1000, startCheckpointSec: warmMs / 1000 },
    machine: { cores: cpus().length, loadavgAtEnd: loadavg(), node: process.version },
    startedAt: new Date(t0).toISOString(),
    calls: { ...tally, perMinute: Math.round(tally.placed / elapsedMin) },
    tolerance: TOLERANCE,
    checkpoints: { baseline, start, middle, end, drained },
    /** What the verdict compared: each checkpoint's metrics as the median of the samples around it. */
    settled: { start: startAt, middle, end: endSettled },
    verdict: v,
    trendsPer10MinSecondHalf: trends,
    samples,
  };
  mkdirSync(dirname(out), { recursive: true });
  writeFileSync(out, JSON.stringify(report, null, 2));

  console.log(`\ncalls placed ${tally.placed} (${report.calls.perMinute}/min), ok ${tally.ok}, failed ${tally.failed}${tally.failed ? ` ${JSON.stringify(tally.reasons)}` : ''}`);
  console.log('\n| metric | start | middle | end | end − start | end − middle | allowed | flat |\n|---|---|---|---|---|---|---|---|');
  for (const r of v.rows) console.log(`| ${r.metric} | ${r.start} | ${r.mid} | ${r.end} | ${r.growth} | ${r.lateGrowth} | ${r.allowed} | ${r.flat ? 'yes' : 'NO'} |`);
  console.log(`\nflat = end − start and end − middle within max(pct × start, abs): ${Object.entries(TOLERANCE).map(([k, t]) => `${k} ${t.pct * 100}% / ${t.abs}`).join(', ')}`);
  console.log(`trend over the second half (least squares, per 10 min): rss ${trends.rssMb} MB, heap used ${trends.heapUsedMb} MB, heap committed ${trends.heapTotalMb} MB, fds ${trends.fds}`);
  console.log(`drained (calls over): fds ${drained.fds} (baseline ${baseline.fds}), handles ${drained.handles} (baseline ${baseline.handles}), active calls ${drained.activeCalls}, rss ${drained.rssMb} MB`);
  console.log(`verdict: ${v.flat ? 'FLAT' : 'NOT FLAT'}; figures in ${out}`);
  process.exitCode = v.flat && tally.failed === 0 ? 0 : 1;
}

const entry = process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url);
if (entry) void main();
