// Secrets stay in the host. A real host in demo mode with every secret set (Twilio auth token, console token, user:pass@
// in every URL setting, AWS keys in the environment), simulated calls running through the real webhooks, media server,
// TTS pipeline, S3 (s3rver) and REST stand-in, a refused stream and a mis-signed webhook on top. Then everything the host
// sent to a console (the browser WebSocket and the ConsoleApi the IPC door exposes, every method called), every log line
// (pino, debug level) and every file under DATA_DIR is scanned for each secret.
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import type { ConsoleServerMessage } from '../src/shared/api';
import { DEMO_SCENARIOS, type Snapshot } from '../src/shared/model';
import { ConfigError, loadConfig, testConfig } from '../src/main/config/load';
import { startConsoleServer, type ConsoleServer } from '../src/main/console/server';
import { createHost, type Host } from '../src/main/host';
import { createLogger } from '../src/main/log';
import { TwilioMediaClient } from '../src/main/sim/media-client';
import { postWebhook } from '../src/main/sim/webhook-client';
import { startS3rver, type TestS3 } from './helpers/s3rver';

const SECRETS = {
  authToken: 'twilio-auth-token-SCAN-7f3a9c',
  consoleToken: 'console-token-SCAN-b81d44e0c2',
  ttsUser: 'ttsuser-SCAN',
  ttsPass: 'ttspass-SCAN-91c2',
  apiUser: 'apiuser-SCAN',
  apiPass: 'apipass-SCAN-5e0d',
  s3User: 's3user-SCAN',
  s3Pass: 's3pass-SCAN-22aa',
  publicUser: 'pubuser-SCAN',
  publicPass: 'pubpass-SCAN-c0de',
  awsKeyId: 'AKIASCANSECRET000001',
  awsSecret: 'aws-secret-SCAN-0b6e3f8e2d',
};

let s3: TestS3;
let host: Host;
let consoleServer: ConsoleServer;
let dataDir: string;
const logs: string[] = [];
const pushed: string[] = [];
const savedEnv = { id: process.env.AWS_ACCESS_KEY_ID, secret: process.env.AWS_SECRET_ACCESS_KEY };

function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    return statSync(p).isDirectory() ? filesUnder(p) : [p];
  });
}

function leaks(haystack: string): string[] {
  return Object.entries(SECRETS)
    .filter(([, v]) => haystack.includes(v))
    .map(([k]) => k);
}

beforeAll(async () => {
  s3 = await startS3rver();
  // s3rver knows one key pair; teach it ours (it does not verify v4 signatures, only the key id)
  const require = createRequire(import.meta.url);
  (require('s3rver/lib/models/account') as { DUMMY_ACCOUNT: { createKeyPair(id: string, secret: string): void } }).DUMMY_ACCOUNT.createKeyPair(SECRETS.awsKeyId, SECRETS.awsSecret);
  process.env.AWS_ACCESS_KEY_ID = SECRETS.awsKeyId;
  process.env.AWS_SECRET_ACCESS_KEY = SECRETS.awsSecret;
  dataDir = mkdtempSync(join(tmpdir(), 'fd-secrets-'));
  const endpoint = new URL(s3.endpoint);
  const config = testConfig({
    DEMO: 'on',
    HTTP_PORT: '0',
    WS_PORT: '0',
    DATA_DIR: dataDir,
    LOG_LEVEL: 'debug',
    TWILIO_AUTH_TOKEN: SECRETS.authToken,
    CONSOLE_TOKEN: SECRETS.consoleToken,
    TTS_URL: `https://${SECRETS.ttsUser}:${SECRETS.ttsPass}@tts.example.internal/jobs`,
    TWILIO_API_BASE_URL: `https://${SECRETS.apiUser}:${SECRETS.apiPass}@api.twilio.example`,
    S3_ENDPOINT: `http://${SECRETS.s3User}:${SECRETS.s3Pass}@${endpoint.host}`,
    TTS_BUCKET: s3.bucket,
    S3_FORCE_PATH_STYLE: 'true',
    AWS_REGION: 'us-east-1',
    PUBLIC_URL: `http://${SECRETS.publicUser}:${SECRETS.publicPass}@127.0.0.1:1`,
  });
  const log = createLogger('debug', { write: (line: string) => void logs.push(line) });
  host = createHost({ config, log });
  await host.start();
  host.demo!.tune({ speed: 0.1, scenario: { operatorWaitMs: 3000 } });
  host.api.subscribe((m) => pushed.push(JSON.stringify(m)));
  consoleServer = await startConsoleServer({ api: host.api, token: config.consoleToken, port: 0, rendererDir: join(dataDir, 'no-ui'), log: log.child({ part: 'console' }) });
});

afterAll(async () => {
  await consoleServer?.stop();
  await host?.stop();
  await s3?.stop();
  rmSync(dataDir, { recursive: true, force: true });
  process.env.AWS_ACCESS_KEY_ID = savedEnv.id;
  process.env.AWS_SECRET_ACCESS_KEY = savedEnv.secret;
  if (savedEnv.id === undefined) delete process.env.AWS_ACCESS_KEY_ID;
  if (savedEnv.secret === undefined) delete process.env.AWS_SECRET_ACCESS_KEY;
});

/** The browser door: every push, plus a reply for each request. */
async function browserSession(requests: Array<{ method: string; params: unknown[] }>, done: () => boolean): Promise<string[]> {
  const url = `ws://127.0.0.1:${consoleServer.port}/api?token=${encodeURIComponent(SECRETS.consoleToken)}`;
  const ws = new WebSocket(url, { headers: { origin: `http://127.0.0.1:${consoleServer.port}` } });
  const frames: string[] = [];
  ws.on('message', (d) => frames.push(String(d)));
  await new Promise<void>((resolve, reject) => (ws.once('open', () => resolve()), ws.once('error', reject)));
  requests.forEach((r, id) => ws.send(JSON.stringify({ id, ...r })));
  const deadline = Date.now() + 90_000;
  while (!(done() && frames.filter((f) => (JSON.parse(f) as ConsoleServerMessage & { id?: number }).id !== undefined).length >= requests.length)) {
    if (Date.now() > deadline) throw new Error('browser session timed out');
    await new Promise((r) => setTimeout(r, 20));
  }
  ws.close();
  return frames;
}

describe('secrets never leave the host', () => {
  it('not to a console (browser or IPC), not to the logs, not to DATA_DIR — with calls running', { timeout: 120_000 }, async () => {
    const started: string[] = [];
    for (const scenario of DEMO_SCENARIOS) {
      const r = await host.api.simulate(scenario);
      expect(r.ok, r.message).toBe(true);
      started.push(/CA[0-9a-f]{32}/.exec(r.message)![0]);
    }
    // an attacker on top: a stream start with no grant (refused: a notice) and a mis-signed webhook (refused: a log)
    const refused = await TwilioMediaClient.connect({
      url: `ws://127.0.0.1:${host.ports.ws}/media`,
      signedUrl: host.urls.media,
      authToken: host.authToken,
      accountSid: host.config.settings.TWILIO_ACCOUNT_SID!,
      callSid: 'CA' + 'e'.repeat(32),
      customParameters: { text: 'hello' },
    });
    expect(await refused.closed()).toBe(4403);
    const forged = await postWebhook({ httpBase: `http://127.0.0.1:${host.ports.http}`, publicUrl: host.urls.base, path: '/voice_stream', params: { CallSid: 'CA' + 'f'.repeat(32) }, authToken: 'not-the-token' });
    expect(forged.status).toBe(403);

    const allEnded = () => started.every((sid) => host.registry.get(sid)?.state === 'ended');
    const frames = await browserSession([{ method: 'listHistory', params: [{}] }], allEnded);
    // the IPC door's API, every method that returns data
    const replies: unknown[] = [await host.api.listHistory({})];
    const browserReplies = await browserSession(
      started.flatMap((sid) => [
        { method: 'getCall', params: [sid] },
        { method: 'exportCall', params: [sid] },
      ]),
      () => true,
    );
    for (const sid of started) replies.push(await host.api.getCall(sid), await host.api.exportCall(sid));

    const snapshot = JSON.parse(pushed[0]!) as { snapshot: Snapshot };
    // shown in Setup without their credentials (TTS_URL and TWILIO_API_BASE_URL point at the demo's stand-ins)
    const shown = (name: string) => snapshot.snapshot.settings.settings.find((s) => s.name === name)?.value;
    expect(shown('S3_ENDPOINT')).toBe(s3.endpoint);
    expect(shown('PUBLIC_URL')).toBe('http://127.0.0.1:1');
    expect(snapshot.snapshot.settings.publicUrl).toBe('http://127.0.0.1:1');
    expect(pushed.some((m) => m.includes('"kind":"notice"'))).toBe(true);
    // calls really ran: replies streamed from parts read back from S3 (through the credentialed S3_ENDPOINT)
    expect(pushed.join('\n')).toMatch(/"type":"tts\.job"[^}]*"status":"done"/);
    await host.stop(); // history flushed to disk

    const disk = filesUnder(dataDir).map((f) => readFileSync(f, 'utf8'));
    expect(disk.length).toBeGreaterThan(0);
    expect(logs.length).toBeGreaterThan(20);
    expect(leaks(pushed.join('\n')), 'console pushes (IPC subscribe)').toEqual([]);
    expect(leaks(JSON.stringify(replies)), 'ConsoleApi replies (IPC invoke)').toEqual([]);
    expect(leaks([...frames, ...browserReplies].join('\n')), 'browser WebSocket').toEqual([]);
    expect(leaks(logs.join('\n')), 'logs').toEqual([]);
    expect(leaks(disk.join('\n')), 'DATA_DIR').toEqual([]);
  });

  it('an invalid URL setting is reported without its credentials', () => {
    let error: unknown;
    try {
      loadConfig({ env: { TTS_URL: `https://${SECRETS.ttsUser}:${SECRETS.ttsPass}@tts.example/jobs?x=1` }, envFile: false });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const message = (error as Error).message;
    expect(message).toContain('TTS_URL');
    expect(message).toContain('https://tts.example/jobs?x=1');
    expect(leaks(message + String((error as Error).stack))).toEqual([]);
  });

  it('a live host whose TTS service (user:pass@ in TTS_URL) is down: the failure reaches the call and the logs without them', { timeout: 60_000 }, async () => {
    const dir = mkdtempSync(join(tmpdir(), 'fd-secrets-live-'));
    const lines: string[] = [];
    const account = 'AC' + '5'.repeat(32);
    const live = createHost({
      config: testConfig({
        DEMO: 'off',
        HTTP_PORT: '0',
        WS_PORT: '0',
        DATA_DIR: dir,
        LOG_LEVEL: 'debug',
        PUBLIC_URL: 'https://front-door.example',
        TWILIO_ACCOUNT_SID: account,
        TWILIO_AUTH_TOKEN: SECRETS.authToken,
        TTS_URL: `http://${SECRETS.ttsUser}:${SECRETS.ttsPass}@127.0.0.1:1/jobs`,
        TTS_TIMEOUT_MS: '500',
      }),
      log: createLogger('debug', { write: (l: string) => void lines.push(l) }),
    });
    const seen: string[] = [];
    live.api.subscribe((m) => seen.push(JSON.stringify(m)));
    try {
      await live.start();
      const callSid = 'CA' + '6'.repeat(32);
      const params = { CallSid: callSid, AccountSid: account, From: '+821055501234', To: '+827055500100', CallStatus: 'in-progress' };
      const res = await postWebhook({ httpBase: `http://127.0.0.1:${live.ports.http}`, publicUrl: live.urls.base, path: '/voice_stream', params, authToken: SECRETS.authToken });
      const grant = /name="grant" value="([^"]+)"/.exec(res.body)![1]!;
      const text = /name="text" value="([^"]+)"/.exec(res.body)![1]!;
      const stream = await TwilioMediaClient.connect({ url: `ws://127.0.0.1:${live.ports.ws}/media`, signedUrl: live.urls.media, authToken: SECRETS.authToken, accountSid: account, callSid, customParameters: { text, grant } });
      const deadline = Date.now() + 30_000;
      while (!live.registry.eventsOf(callSid).some((e) => e.type === 'tts.job' && e.status === 'failed')) {
        if (Date.now() > deadline) throw new Error('no tts.job failed event');
        await new Promise((r) => setTimeout(r, 20));
      }
      await stream.stop();
      const events = JSON.stringify(live.registry.eventsOf(callSid));
      expect(events).toContain('"status":"failed"');
      await live.stop();
      const disk = filesUnder(dir).map((f) => readFileSync(f, 'utf8'));
      expect(leaks(events), 'events').toEqual([]);
      expect(leaks(seen.join('\n')), 'console').toEqual([]);
      expect(leaks(lines.join('\n')), 'logs').toEqual([]);
      expect(leaks(disk.join('\n')), 'DATA_DIR').toEqual([]);
    } finally {
      await live.stop();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
