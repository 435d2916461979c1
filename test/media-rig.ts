// A media server as the host runs it, on loopback port 0, fed by the real TTS pipeline (TTS stand-in writing
// parts into s3rver), with TwilioMediaClient playing Twilio. Shared by the media integration tests.
import { randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { S3Client } from '@aws-sdk/client-s3';
import { afterAll, afterEach, beforeAll } from 'vitest';
import type { CallEvent } from '../src/shared/model';
import { CallRegistry } from '../src/main/calls/registry';
import { testConfig, type Config } from '../src/main/config/load';
import { publicUrls, type PublicUrls } from '../src/main/config/urls';
import { createNoticeHub, type NoticeHub } from '../src/main/console/notices';
import { silentLogger, type Logger } from '../src/main/log';
import { StreamAdmission } from '../src/main/media/admission';
import { createPacer, realTimers, type Pacer, type TimerApi } from '../src/main/media/pacer';
import { createMediaServer, type MediaDeps, type MediaServer } from '../src/main/media/server';
import { TwilioMediaClient, type MediaClientOptions } from '../src/main/sim/media-client';
import { s3PartWriter } from '../src/main/sim/part-writer';
import { startTtsStandIn, type TtsStandIn, type TtsStandInOptions } from '../src/main/sim/tts-standin';
import { createTtsPipeline } from '../src/main/tts/pipeline';
import { createPartStore } from '../src/main/tts/store';
import type { PartStore, TtsPipeline } from '../src/main/tts/types';
import { createS3Client } from '../src/main/tts/store';
import { S3RVER_CREDENTIALS, startS3rver, type TestS3 } from './helpers/s3rver';

export const AUTH_TOKEN = 'media-rig-auth-token-0123456789';
export const ACCOUNT_SID = 'AC' + '0'.repeat(32);
export const PUBLIC_URL = 'https://front-door.example.ngrok.app';

export interface MediaRig {
  config: Config;
  urls: PublicUrls;
  registry: CallRegistry;
  media: MediaServer;
  pacer: Pacer;
  pipeline: TtsPipeline;
  standIn: TtsStandIn;
  /** Epoch ms of every S3 GET the pipeline started. */
  s3Gets: number[];
  /** ws://127.0.0.1:port/media */
  wsUrl: string;
  /** The host's grants: connect() issues one per stream, as the /voice_stream TwiML would. */
  admission: StreamAdmission;
  notices: NoticeHub;
  /**
   * A stream as Twilio opens it after our TwiML: a grant issued for its callSid and text (customParameters.text,
   * default a greeting). `raw: true` sends exactly `customParameters` (no grant issued).
   */
  connect(options?: Partial<MediaClientOptions> & { raw?: boolean }): Promise<TwilioMediaClient>;
  eventsOf(callSid: string): CallEvent[];
  stop(): Promise<void>;
}

export interface RigOptions {
  s3: TestS3;
  s3Client: S3Client;
  audio: Buffer;
  settings?: Record<string, string>;
  standIn?: Partial<TtsStandInOptions>;
  /** The media server's timers (pacer, windows, deferred events). */
  timers?: TimerApi;
  /** The conversation side of the media server (MediaDeps.attach). */
  attach?: MediaDeps['attach'];
  /** The media server's and admission's logger (default: silent). */
  log?: Logger;
}

export async function startMediaRig(o: RigOptions): Promise<MediaRig> {
  const config = testConfig({ ...o.s3.settings, PUBLIC_URL, TWILIO_AUTH_TOKEN: AUTH_TOKEN, PACING_LEAD_MS: '100', JOB_IDLE_TIMEOUT_MS: '5000', ...o.settings });
  const log = o.log ?? silentLogger();
  const registry = new CallRegistry();
  const inner = createPartStore(config, { credentials: S3RVER_CREDENTIALS });
  const s3Gets: number[] = [];
  const store: PartStore = {
    get: (key, signal) => {
      s3Gets.push(Date.now());
      return inner.get(key, signal);
    },
    describe: () => inner.describe(),
  };
  const standIn = await startTtsStandIn({
    writer: s3PartWriter(o.s3Client, o.s3.bucket),
    keyPrefix: config.settings.KEY_PREFIX,
    audioFor: async () => o.audio,
    firstPartDelayMs: 150,
    partIntervalMs: 300,
    ...o.standIn,
  });
  const pipeline = createTtsPipeline({ config, log, store, ttsUrl: standIn.url });
  const http: Server = createServer((_req, res) => res.writeHead(426).end());
  await new Promise<void>((r) => http.listen(0, '127.0.0.1', r));
  const port = (http.address() as AddressInfo).port;
  const urls = publicUrls(config, port);
  const timers = o.timers ?? realTimers;
  const pacer = createPacer({ leadMs: config.settings.PACING_LEAD_MS, timers });
  const notices = createNoticeHub();
  const admission = new StreamAdmission({ accountSid: ACCOUNT_SID, log, notices });
  const media = createMediaServer({ config, registry, log, urls, tts: pipeline, authToken: AUTH_TOKEN, pacer, timers, attach: o.attach, admission, notices });
  http.on('upgrade', (req, socket, head) => media.handleUpgrade(req, socket, head));
  const wsUrl = `ws://127.0.0.1:${port}/media`;
  const clients: TwilioMediaClient[] = [];
  return {
    config,
    urls,
    registry,
    media,
    pacer,
    pipeline,
    standIn,
    s3Gets,
    wsUrl,
    admission,
    notices,
    async connect({ raw, ...options } = {}) {
      const callSid = options.callSid ?? `CA${randomBytes(16).toString('hex')}`;
      const text = options.customParameters?.text ?? '안녕하세요. 프론트도어 음성 안내입니다.';
      const customParameters = raw ? (options.customParameters ?? {}) : { text, ...options.customParameters, grant: admission.issue({ callSid, accountSid: ACCOUNT_SID, text }) };
      const client = await TwilioMediaClient.connect({
        url: wsUrl,
        signedUrl: urls.media,
        authToken: AUTH_TOKEN,
        accountSid: ACCOUNT_SID,
        ...options,
        callSid,
        customParameters,
      });
      clients.push(client);
      return client;
    },
    eventsOf: (callSid) => registry.eventsOf(callSid),
    async stop() {
      await Promise.all(clients.map((c) => c.stop()));
      await media.stop();
      await pipeline.stop();
      await standIn.stop();
      http.closeAllConnections();
      await new Promise<void>((r) => http.close(() => r()));
    },
  };
}

/** Resolves when `test()` holds, checking every few ms (no fixed sleeps). */
export async function until(test: () => boolean, what: string, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!test()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

export type RigStart = (o?: Partial<Omit<RigOptions, 's3' | 's3Client'>>) => Promise<MediaRig>;

/** One s3rver per test file, one rig per test (stopped after it). Call at the top level of a test file. */
export function useMediaRig(defaultAudio: Buffer): RigStart {
  let s3: TestS3;
  let s3Client: S3Client;
  let rig: MediaRig | null = null;
  beforeAll(async () => {
    s3 = await startS3rver();
    s3Client = createS3Client(testConfig(s3.settings), { credentials: S3RVER_CREDENTIALS });
  });
  afterAll(async () => {
    s3Client.destroy();
    await s3.stop();
  });
  afterEach(async () => {
    await rig?.stop();
    rig = null;
  });
  return async (o = {}) => {
    rig = await startMediaRig({ s3, s3Client, audio: defaultAudio, ...o });
    return rig;
  };
}
