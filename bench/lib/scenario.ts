// One measured run: fresh cloud (S3 + TTS stand-in), host (ours or a baseline) and load generator
// processes on loopback; N streams opened at a given rate; everything collected, then everything stopped.
import type { CloudOptions, JobRecord } from '../procs/cloud';
import type { HostInfo, HostParams, HostTaps, SenderKind } from '../procs/host';
import type { OpenParams, OpenResult } from '../procs/twilio';
import { BENCH_ACCOUNT_SID } from './constants';
import { startChild, type ChildHandle } from './child';
import { cpuTimes, machineBusyPct } from './machine';
import { pinMode, pinPlan, pinProcess, type PinMode } from './pin';
import { cpus, loadavg } from 'node:os';
import type { ProcStats } from './serve';
import type { SpeechPlan, StreamResult } from './twilio-stream';
import type { LoopDelay } from '../../src/main/media/thread/protocol';

export interface ScenarioParams<D = unknown> {
  kind: SenderKind;
  streams: number;
  rampPerSec: number;
  leadMs: number;
  cloud: Partial<CloudOptions>;
  settings?: Record<string, string>;
  /** Stream i gets speech[i % length]; null entries leave that stream's caller silent. */
  speech?: Array<SpeechPlan | null>;
  customText?: string;
  /** Each call gets a streamed conversation (its stream pauses/resumes on caller sounds and stays open: set
   *  hangUpAfterFirstMediaMs). Default: a stream that speaks its grant's text and ends. */
  conversations?: boolean;
  hangUpAfterFirstMediaMs?: number;
  /** Check the payload byte for byte (off for barge-in runs, where the reply is cut short). */
  exact?: boolean;
  /** Give up waiting for the streams after this long. */
  timeoutMs: number;
  /** Streams run (and discarded) before measuring: lazy module loads, JIT, and the TTS landing model's
   * learning happen once in a long-running host, not per measurement. */
  warmupStreams?: number;
  /** Warm-up streams hang up this long after their first frame (default 2 s). */
  warmupHangUpMs?: number;
  /** Write a CPU profile of the host's measured window here. */
  cpuProfDir?: string;
  /** Runs alongside the measured streams (e.g. a browser on the console); its result comes back as `during`. */
  during?: (host: ChildHandle) => Promise<D>;
}

export interface ScenarioResult<D = unknown> {
  params: Omit<ScenarioParams<D>, 'speech' | 'during'>;
  during: D | undefined;
  open: OpenResult;
  stillOpen: number;
  streams: StreamResult[];
  jobs: JobRecord[];
  s3Gets: number;
  host: ProcStats;
  loadGen: ProcStats;
  cloud: ProcStats;
  taps: HostTaps | null;
  /** MEDIA_WORKERS: each media worker's event-loop delay over the run (empty: the streams ran on the host's loop). */
  mediaLoop: LoopDelay[];
  /** The whole machine's CPU use during the measured window, % of one core (other sessions included). */
  machineBusyPct: number;
  loadAvg: number[];
  wallMs: number;
  /** BENCH_PIN of the run (bench/lib/pin.ts). */
  pin: PinMode;
}

const here = (f: string) => new URL(`../procs/${f}`, import.meta.url);

export async function runScenario<D = unknown>(p: ScenarioParams<D>): Promise<ScenarioResult<D>> {
  const t0 = performance.now();
  const children: ChildHandle[] = [];
  try {
    const [cloud, host, lg] = await Promise.all([
      startChild(here('cloud.ts'), { name: 'cloud' }),
      startChild(here('host.ts'), { name: `host (${p.kind})` }),
      startChild(here('twilio.ts'), { name: 'load generator' }),
    ]);
    children.push(cloud, host, lg);
    const pin = pinMode(process.env.BENCH_PIN);
    const plan = pinPlan(pin, cpus().length);
    if (plan.host) pinProcess(host.pid, plan.host);
    if (plan.load) for (const ch of [lg, cloud]) pinProcess(ch.pid, plan.load);
    const c = await cloud.call<{ s3Endpoint: string; folder: string | null; ttsUrl: string; bucket: string; prefix: string; expected: Buffer }>('start', p.cloud);
    const hostParams: HostParams = { kind: p.kind, s3Endpoint: c.s3Endpoint, folder: c.folder, ttsUrl: c.ttsUrl, bucket: c.bucket, prefix: c.prefix, leadMs: p.leadMs, settings: p.settings, ...(p.kind === 'floor' ? { floorAudio: c.expected } : {}) };
    const h = await host.call<HostInfo>('start', hostParams);
    const open: OpenParams = {
      url: h.mediaUrl,
      signedUrl: h.signedUrl,
      authToken: h.authToken,
      accountSid: BENCH_ACCOUNT_SID,
      streams: p.streams,
      rampPerSec: p.rampPerSec,
      leadMs: h.leadMs,
      expected: p.exact === false ? null : Buffer.from(c.expected),
      speech: p.speech,
      customParameters: { text: p.customText ?? '안녕하세요. 프론트도어 음성 안내입니다.' },
      hangUpAfterFirstMediaMs: p.hangUpAfterFirstMediaMs,
    };
    const warmup = p.warmupStreams ?? 3;
    if (warmup > 0) {
      const warmGrants = await host.call('grants', { count: warmup, text: open.customParameters!.text, conversation: p.conversations });
      await lg.call('open', { ...open, grants: warmGrants, streams: warmup, rampPerSec: 20, hangUpAfterFirstMediaMs: p.warmupHangUpMs ?? 2000 }, p.timeoutMs);
      await lg.call('waitClosed', { timeoutMs: 30_000 }, 40_000);
      await lg.call('hangUpAll');
      await Promise.all([lg.call('reset'), cloud.call('drain'), p.kind === 'ours' ? host.call('taps') : null]);
    }
    await Promise.all(children.map((ch) => ch.call('stats.begin', p.cpuProfDir && (ch === host || process.env.BENCH_PROFILE_ALL) ? { profileDir: p.cpuProfDir, label: `${ch.name.split(' ')[0]}-${p.kind}-${p.streams}` } : undefined)));
    if (p.kind === 'ours') await host.call('mediaLoop'); // from here (MEDIA_WORKERS; none on the host's loop)
    await new Promise((r) => setTimeout(r, 300)); // let the profiler/monitors settle before traffic
    const cpu0 = cpuTimes();
    // settle now (so a failure is not an unhandled rejection while the streams run), rethrow below
    const alongside = p.during?.(host).then(
      (value) => ({ ok: true as const, value }),
      (error: unknown) => ({ ok: false as const, error }),
    );
    // connecting is bounded per stream (10 s handshake timeout); an overloaded host makes it slow, not endless
    const openBudget = (p.streams / p.rampPerSec) * 1000 + 120_000;
    // the host's grants, issued just before the streams open (as the /voice_stream TwiML would carry them)
    const grants = await host.call('grants', { count: p.streams, text: open.customParameters!.text, conversation: p.conversations });
    const opened = await lg.call<OpenResult>('open', { ...open, grants }, openBudget);
    const { open: stillOpen } = await lg.call<{ open: number }>('waitClosed', { timeoutMs: p.timeoutMs }, p.timeoutMs + 10_000);
    const settled = await alongside;
    if (settled && !settled.ok) throw settled.error;
    const during = settled?.value;
    const busyPct = machineBusyPct(cpu0, cpuTimes(), cpus().length);
    const [hostStats, cloudStats, lgStats] = await Promise.all([host.call<ProcStats>('stats.end'), cloud.call<ProcStats>('stats.end'), lg.call<ProcStats>('stats.end')]);
    if (stillOpen) await lg.call('hangUpAll');
    const streams = await lg.call<StreamResult[]>('results');
    const { jobs, gets } = await cloud.call<{ jobs: JobRecord[]; gets: number }>('drain');
    const taps = p.kind === 'ours' ? await host.call<HostTaps>('taps') : null;
    const mediaLoop = p.kind === 'ours' ? await host.call<LoopDelay[]>('mediaLoop') : [];
    const { speech: _speech, during: _during, ...params } = p;
    return { params, during, open: opened, stillOpen, streams, jobs, s3Gets: gets, host: hostStats, loadGen: lgStats, cloud: cloudStats, taps, mediaLoop, machineBusyPct: busyPct, loadAvg: loadavg(), wallMs: performance.now() - t0, pin };
  } finally {
    // load generator first (hang up), then the host, then the cloud
    for (const ch of children.reverse()) await ch.stop().catch(() => undefined);
  }
}
