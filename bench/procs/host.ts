// Host child: the system under test. `ours` is the real host (createHost in live mode: webhooks, media
// server with the shared pacer and barge-in, TTS pipeline polling S3, history on disk); the baselines use
// the same TTS pipeline behind a naive sender (bench/baselines). Started by bench/run.ts only.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { CallEvent } from '../../src/shared/model';
import { testConfig } from '../../src/main/config/load';
import { silentLogger } from '../../src/main/log';
import { createPartStore } from '../../src/main/tts/store';
import { createTtsPipeline } from '../../src/main/tts/pipeline';
import { loadSilero, type SileroModel } from '../../src/main/media/bargein/silero';
import type { TtsPipeline } from '../../src/main/tts/types';
import type { LoopDelay } from '../../src/main/media/thread/protocol';
import { startFloorServer } from '../baselines/floor';
import { startSimpleServer } from '../baselines/simple';
import { startBaselineServer, type BaselineServer } from '../baselines/server';
import type { BaselineKind } from '../baselines/senders';
import { BENCH_ACCOUNT_SID, BENCH_AUTH_TOKEN, BENCH_PUBLIC_URL as PUBLIC_URL } from '../lib/constants';
import { serveCalls } from '../lib/serve';

/** 'floor': the wire floor (bench/baselines/floor.ts), the reply from memory with no TTS, S3 or app logic. */
/** 'simple': the simplest complete host (bench/baselines/simple.ts): TTS, pacer and energy barge-in, nothing else. */
export type SenderKind = 'ours' | BaselineKind | 'floor' | 'simple';

export interface HostParams {
  kind: SenderKind;
  /** '' when parts are read from `folder` instead (no S3 at all). */
  s3Endpoint: string;
  folder?: string | null;
  ttsUrl: string;
  bucket: string;
  prefix: string;
  leadMs: number;
  /** Extra settings (e.g. BARGE_IN). */
  settings?: Record<string, string>;
  /** The reply's audio, for the wire floor (it reads no parts). */
  floorAudio?: Uint8Array;
}

export interface HostInfo {
  /** Where the load generator connects. */
  mediaUrl: string;
  /** What the upgrade signature covers (null: no signature needed). */
  signedUrl: string;
  authToken: string | null;
  leadMs: number;
  /** ours: where the webhooks listen (http://127.0.0.1:port) and what Twilio thinks it calls (signatures). */
  httpBase?: string;
  publicUrl?: string;
}

/** Registry events the bench reads (ours only): the host's own view of first audio, barge-in and pacing. */
export interface HostTaps {
  firstAudioMs: number[];
  bargeInDetectionMs: number[];
  pacingUnderruns: number;
  errors: string[];
  alerts: string[];
  events: number;
  /** turn.latency events (host clock, epoch ms): the host's own steps of each caller turn. */
  turns: TurnLatencyTap[];
  /** bargein decisions by kind (did the detector wake, and what did it do). */
  bargeIn: Record<string, number>;
  /** The shared Silero session's counters since the last drain (null: the model is not in use). */
  model: { windows: number; runs: number; runMs: number; maxRunMs: number } | null;
}

export interface TurnLatencyTap {
  callSid: string;
  turn: number;
  finalAt: number;
  decidedAt?: number;
  ttsJobAt?: number;
  firstFrameAt?: number;
}


let stopAll: (() => Promise<void>) | null = null;
/** ours: media stream grants, as the /voice_stream TwiML would carry them (the host refuses streams without one). */
let issueGrant: ((callSid: string, text: string) => string) | null = null;
let startConversation: ((callSid: string, text: string) => void) | null = null;
let openConsole: ((rendererDir: string) => Promise<{ url: string }>) | null = null;
let consoleMessages = 0;
let dataDir = '';
const taps: HostTaps = { firstAudioMs: [], bargeInDetectionMs: [], pacingUnderruns: 0, errors: [], alerts: [], events: 0, turns: [], bargeIn: {}, model: null };
/** The shared Silero session (BARGE_IN_MODEL=silero) and its counters at the last drain. */
let model: SileroModel | null = null;
let modelAtDrain = { windows: 0, runs: 0, runMs: 0, maxRunMs: 0 };
/** MEDIA_WORKERS: each media worker's event-loop delay since the last ask. */
let mediaLoop: (() => Promise<LoopDelay[]>) | null = null;

function onEvent(e: CallEvent): void {
  taps.events++;
  if (e.type === 'tts.job' && e.status === 'done' && e.firstAudioMs !== undefined) taps.firstAudioMs.push(e.firstAudioMs);
  else if (e.type === 'tts.job' && e.status === 'failed' && taps.errors.length < 20) taps.errors.push(`tts.job failed: ${e.error ?? '?'}`);
  else if (e.type === 'bargein') {
    taps.bargeIn[e.decision] = (taps.bargeIn[e.decision] ?? 0) + 1;
    if (e.detectionLatencyMs !== undefined) taps.bargeInDetectionMs.push(e.detectionLatencyMs);
  }
  else if (e.type === 'pacing') taps.pacingUnderruns += e.window.underruns;
  else if (e.type === 'turn.latency') {
    const { callSid, turn, finalAt, decidedAt, ttsJobAt, firstFrameAt } = e;
    taps.turns.push({ callSid, turn, finalAt, decidedAt, ttsJobAt, firstFrameAt });
  }
  else if (e.type === 'error' && taps.errors.length < 20) taps.errors.push(e.message);
  else if (e.type === 'alert' && taps.alerts.length < 20) taps.alerts.push(`${e.alert.kind}: ${e.alert.message}`);
}

function settingsFor(p: HostParams): Record<string, string> {
  return {
    DEMO: 'off',
    HTTP_PORT: '0',
    WS_PORT: '0',
    PUBLIC_URL,
    TWILIO_ACCOUNT_SID: BENCH_ACCOUNT_SID,
    TWILIO_AUTH_TOKEN: BENCH_AUTH_TOKEN,
    TTS_URL: p.ttsUrl,
    KEY_PREFIX: p.prefix,
    ...(p.folder ? { PART_STORE_DIR: p.folder } : { TTS_BUCKET: p.bucket, S3_ENDPOINT: p.s3Endpoint, S3_FORCE_PATH_STYLE: 'true' }),
    PACING_LEAD_MS: String(p.leadMs),
    MAX_STREAMS: '5000',
    DATA_DIR: dataDir,
    LOG_LEVEL: 'silent',
    ...p.settings,
    ...(process.env.BENCH_HOST_SETTINGS ? (JSON.parse(process.env.BENCH_HOST_SETTINGS) as Record<string, string>) : {}),
  };
}

async function start(p: HostParams): Promise<HostInfo> {
  if (stopAll) throw new Error('host already started');
  dataDir = mkdtempSync(join(tmpdir(), 'bench-host-'));
  // s3rver accepts any key pair; the SDK's default chain reads these
  process.env.AWS_ACCESS_KEY_ID = 'S3RVER';
  process.env.AWS_SECRET_ACCESS_KEY = 'S3RVER';
  const config = testConfig(settingsFor(p));
  if (p.kind === 'ours') {
    const { createHost } = await import('../../src/main/host');
    const host = createHost({ config, log: silentLogger() });
    await host.start();
    const off = host.registry.onEvent(onEvent);
    // the factory loaded the process's shared session at start; the same promise gives its counters
    // (a worker-thread model is its own session: no counters here)
    model = config.settings.BARGE_IN_MODEL === 'silero' && config.settings.BARGE_IN_THREAD === 'main' ? await loadSilero().catch(() => null) : null;
    modelAtDrain = model ? { ...model.stats } : { windows: 0, runs: 0, runMs: 0, maxRunMs: 0 };
    issueGrant = (callSid, text) => host.admission!.issue({ callSid, accountSid: BENCH_ACCOUNT_SID, text });
    startConversation = (callSid, text) => void host.conversations?.create(callSid, { text, kind: 'greeting' });
    mediaLoop = () => host.mediaLoopDelay();
    let consoleServer: { stop(): Promise<void> } | null = null;
    let offConsole: (() => void) | null = null;
    openConsole = async (rendererDir) => {
      const { startConsoleServer } = await import('../../src/main/console/server');
      const token = 'bench-console-token-0123456789';
      const srv = await startConsoleServer({ api: host.api, token, port: 0, rendererDir, log: silentLogger() });
      consoleServer = srv;
      // what the host pushes to one UI subscriber, counted at the source
      offConsole = host.api.subscribe(() => consoleMessages++);
      return { url: `${srv.url}?token=${token}` };
    };
    stopAll = async () => {
      off();
      offConsole?.();
      await consoleServer?.stop();
      await host.stop();
    };
    return { mediaUrl: `ws://127.0.0.1:${host.ports.ws}/media`, signedUrl: host.urls.media, authToken: host.authToken, leadMs: p.leadMs, httpBase: `http://127.0.0.1:${host.ports.http}`, publicUrl: PUBLIC_URL };
  }
  if (p.kind === 'floor') {
    if (!p.floorAudio) throw new Error('the wire floor needs the reply audio (floorAudio)');
    const floor = await startFloorServer(Buffer.from(p.floorAudio), p.leadMs, config.settings.PACING_BATCH_FRAMES);
    stopAll = () => floor.stop();
    return { mediaUrl: `ws://127.0.0.1:${floor.port}/media`, signedUrl: '', authToken: null, leadMs: floor.leadMs };
  }
  const pipeline: TtsPipeline = createTtsPipeline({ config, log: silentLogger(), store: createPartStore(config), ttsUrl: p.ttsUrl });
  if (p.kind === 'simple') {
    const simple = await startSimpleServer(pipeline, p.leadMs, config.settings.PACING_BATCH_FRAMES);
    stopAll = async () => {
      await simple.stop();
      await pipeline.stop();
    };
    return { mediaUrl: `ws://127.0.0.1:${simple.port}/media`, signedUrl: '', authToken: null, leadMs: simple.leadMs };
  }
  const server: BaselineServer = await startBaselineServer(p.kind, pipeline);
  stopAll = async () => {
    await server.stop();
    await pipeline.stop();
  };
  return { mediaUrl: `ws://127.0.0.1:${server.port}/media`, signedUrl: '', authToken: null, leadMs: server.leadMs };
}

function drainTaps(): HostTaps {
  let modelSince: HostTaps['model'] = null;
  if (model) {
    const now = model.stats;
    modelSince = { windows: now.windows - modelAtDrain.windows, runs: now.runs - modelAtDrain.runs, runMs: now.runMs - modelAtDrain.runMs, maxRunMs: now.maxRunMs };
    modelAtDrain = { ...now };
  }
  const out = { ...taps, firstAudioMs: taps.firstAudioMs.slice(), bargeInDetectionMs: taps.bargeInDetectionMs.slice(), turns: taps.turns.slice(), bargeIn: { ...taps.bargeIn }, model: modelSince };
  Object.assign(taps, { firstAudioMs: [], bargeInDetectionMs: [], pacingUnderruns: 0, errors: [], alerts: [], events: 0, turns: [], bargeIn: {}, model: null });
  return out;
}

async function cleanup(): Promise<void> {
  const stop = stopAll;
  stopAll = null;
  openConsole = null;
  mediaLoop = null;
  issueGrant = null;
  startConversation = null;
  model = null;
  await stop?.();
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  dataDir = '';
}

function startConsole(p: { rendererDir: string }): Promise<{ url: string }> {
  if (!openConsole) throw new Error('the console needs the real host (kind ours), started first');
  return openConsole(p.rendererDir);
}

/** One grant per stream about to open (none for the baselines, which check nothing). `conversation`: each call also
 *  gets a streamed conversation whose greeting is `text` (as /voice_stream makes it), so its stream pauses and resumes
 *  on caller sounds instead of ending at the first one (a stream with no conversation does that). */
function grants(p: { count: number; text: string; conversation?: boolean }): Array<{ callSid: string; grant: string }> | null {
  if (!issueGrant) return null;
  return Array.from({ length: p.count }, () => {
    const callSid = `CA${randomBytes(16).toString('hex')}`;
    if (p.conversation) startConversation?.(callSid, p.text);
    return { callSid, grant: issueGrant!(callSid, p.text) };
  });
}

/** Messages pushed to a console subscriber since the last call. */
function consoleCount(): number {
  const n = consoleMessages;
  consoleMessages = 0;
  return n;
}

serveCalls(
  { start: (p: HostParams) => start(p), taps: () => drainTaps(), mediaLoop: () => mediaLoop?.() ?? [], console: (p: { rendererDir: string }) => startConsole(p), consoleCount: () => consoleCount(), grants: (p: { count: number; text: string; conversation?: boolean }) => grants(p), stop: () => cleanup() },
  cleanup,
);
