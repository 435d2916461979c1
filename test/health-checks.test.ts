// Each health check against a real server with a wrong setting goes red with its fix: a closed TTS_URL port, a wrong
// S3 key and a missing bucket against s3rver, the REST stand-in answering 20003 to a wrong token. The same settings
// made right go green. A host started with them pushes the health and raises a notice before any call.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { ConsoleMessage } from '../src/shared/api';
import type { HealthCheck } from '../src/shared/model';
import { testConfig } from '../src/main/config/load';
import { publicUrls } from '../src/main/config/urls';
import { createHealthMonitor, hostChecks } from '../src/main/health';
import { createHost } from '../src/main/host';
import { silentLogger } from '../src/main/log';
import { startTwilioRestStandIn, type StandIn } from '../src/main/sim/twilio-rest-standin';
import { createTwilioRest } from '../src/main/twilio/rest';
import { S3RVER_CREDENTIALS, startS3rver, type TestS3 } from './helpers/s3rver';
import { ACCOUNT_SID, AUTH_TOKEN, CONNECT_DID, PUBLIC_URL } from './twiml-harness';
import { closedPort } from './helpers/ports';

let s3: TestS3;
let twilioApi: StandIn;
beforeAll(async () => {
  s3 = await startS3rver();
  twilioApi = await startTwilioRestStandIn({
    accountSid: ACCOUNT_SID,
    authToken: AUTH_TOKEN,
    numbers: [
      { phoneNumber: '+15005550006', voiceUrl: 'https://elsewhere.example.com/voice' },
      { phoneNumber: '+827055500100', voiceUrl: `${PUBLIC_URL}/voice_stream` },
    ],
  });
});
afterAll(async () => {
  await twilioApi?.stop();
  await s3?.stop();
});

function settings(extra: Record<string, string> = {}): Record<string, string> {
  return {
    DEMO: 'off',
    PUBLIC_URL,
    TWILIO_ACCOUNT_SID: ACCOUNT_SID,
    TWILIO_AUTH_TOKEN: AUTH_TOKEN,
    TWILIO_API_BASE_URL: twilioApi.url,
    CONNECT_DID: '+12065550100',
    TTS_URL: `http://127.0.0.1:${s3.endpoint.split(':').pop()}/jobs`, // any server that answers
    ...s3.settings,
    ...extra,
  };
}

async function runChecks(env: Record<string, string>, opts: { token?: string; credentials?: typeof S3RVER_CREDENTIALS } = {}): Promise<Record<string, HealthCheck>> {
  const config = testConfig(env);
  const rest = createTwilioRest({ accountSid: ACCOUNT_SID, authToken: opts.token ?? AUTH_TOKEN, baseUrl: twilioApi.url });
  const monitor = createHealthMonitor({
    checks: () => hostChecks({ config, urls: publicUrls(config, 5000), rest, partFolder: null, credentials: opts.credentials ?? S3RVER_CREDENTIALS, timeoutMs: 3000 }),
  });
  const results = await monitor.run();
  return Object.fromEntries(results.map((c) => [c.id, c]));
}

describe('health checks against real servers', () => {
  it('all green when every setting is right', async () => {
    const c = await runChecks(settings());
    expect(Object.values(c).map((x) => [x.id, x.level])).toEqual([
      ['tts', 'green'],
      ['s3', 'green'],
      ['twilio', 'green'],
      ['connectDid', 'green'],
      ['publicUrl', 'green'],
    ]);
    expect(c.twilio!.reason).toMatch(/accepts the credentials/);
    // what Twilio is told: the account's number that sends its calls to our /voice_stream, masked
    expect(c.publicUrl!.reason).toMatch(new RegExp(`^\\+82 .*0100 → ${PUBLIC_URL}/voice_stream\\. Twilio will call`));
    // the account fetch reached the stand-in with Basic auth
    expect(twilioApi.requests.some((r) => r.method === 'GET' && r.path === `/2010-04-01/Accounts/${ACCOUNT_SID}.json`)).toBe(true);
  });

  it('a closed TTS_URL port is red "connection refused" with the fix', async () => {
    const port = await closedPort();
    const c = await runChecks(settings({ TTS_URL: `http://127.0.0.1:${port}/jobs` }));
    expect(c.tts).toMatchObject({ level: 'red', reason: `TTS unreachable at http://127.0.0.1:${port}/jobs: connection refused` });
    expect(c.tts!.fix).toMatch(/Start the TTS service or correct TTS_URL/);
  });

  it('TTS_HEALTH_URL must answer 2xx', async () => {
    const c = await runChecks(settings({ TTS_HEALTH_URL: `${s3.endpoint}/no-such-bucket-here/health` }));
    expect(c.tts!.level).toBe('red');
    expect(c.tts!.reason).toMatch(/answered HTTP 404/);
  });

  it('a wrong S3 key is red: S3 rejected the credentials, with the fix', async () => {
    const c = await runChecks(settings(), { credentials: { accessKeyId: 'WRONGKEY', secretAccessKey: 'wrong-secret' } });
    expect(c.s3).toMatchObject({ level: 'red', reason: 'S3 rejected the credentials (InvalidAccessKeyId)' });
    expect(c.s3!.fix).toMatch(/AWS_ACCESS_KEY_ID/);
  });

  it('a missing bucket is red: does not exist, with the fix', async () => {
    const c = await runChecks(settings({ TTS_BUCKET: 'no-such-bucket' }));
    expect(c.s3).toMatchObject({ level: 'red', reason: expect.stringMatching(/Bucket "no-such-bucket" does not exist/) });
    expect(c.s3!.fix).toMatch(/TTS_BUCKET/);
  });

  it('an unreachable S3 endpoint is red: connection refused', async () => {
    const port = await closedPort();
    const c = await runChecks(settings({ S3_ENDPOINT: `http://127.0.0.1:${port}` }));
    expect(c.s3!.level).toBe('red');
    expect(c.s3!.reason).toMatch(/S3 unreachable at 127\.0\.0\.1:\d+: connection refused/);
    expect(c.s3!.fix).toMatch(/S3_ENDPOINT/);
  });

  it('the REST stand-in answering 20003 to a wrong token is red with the fix', async () => {
    const c = await runChecks(settings(), { token: 'wrong-token-0123456789' });
    expect(c.twilio).toMatchObject({ level: 'red', reason: 'Twilio refused the credentials (Twilio 20003)' });
    expect(c.twilio!.fix).toMatch(/TWILIO_AUTH_TOKEN/);
  });

  it('PUBLIC_URL that no number on the account calls is amber, with where to set it', async () => {
    const c = await runChecks(settings({ PUBLIC_URL: 'https://another-tunnel.example.app' }));
    expect(c.publicUrl!.level).toBe('amber');
    expect(c.publicUrl!.reason).toMatch(/No number on the Twilio account sends its calls to https:\/\/another-tunnel\.example\.app\/voice_stream .*\(2 numbers point elsewhere\)/);
    expect(c.publicUrl!.fix).toMatch(/A call comes in: Webhook, HTTP POST, https:\/\/another-tunnel\.example\.app\/voice_stream/);
  });

  it('a +82 CONNECT_DID is the amber Geo Permissions reminder; an http PUBLIC_URL is red', async () => {
    const c = await runChecks(settings({ CONNECT_DID, PUBLIC_URL: 'http://frontdoor.example.com' }));
    expect(c.connectDid!.level).toBe('amber');
    expect(c.connectDid!.fix).toMatch(/Geo Permissions/);
    expect(c.publicUrl!.level).toBe('red');
  });
});

describe('the host runs the checks and tells the console', () => {
  const stops: Array<() => Promise<void>> = [];
  afterEach(async () => {
    while (stops.length) await stops.pop()!();
  });

  it('live mode with a closed TTS port: the TTS dot is down with the reason, and a notice is raised', async () => {
    const port = await closedPort();
    const config = testConfig({
      ...settings({ TTS_URL: `http://127.0.0.1:${port}/jobs`, TWILIO_AUTH_TOKEN: 'wrong-token-0123456789' }),
      HTTP_PORT: '0',
      WS_PORT: '0',
      DATA_DIR: mkdtempSync(join(tmpdir(), 'fd-health-')),
    });
    const host = createHost({ config, log: silentLogger() });
    const messages: ConsoleMessage[] = [];
    const off = host.api.subscribe((m) => messages.push(m));
    await host.start();
    stops.push(async () => {
      off();
      await host.stop();
    });
    const health = await host.api.runHealthChecks();
    expect(health.tts).toMatchObject({ state: 'down', detail: expect.stringMatching(/connection refused/) });
    expect(health.twilio).toMatchObject({ state: 'down', detail: expect.stringMatching(/20003/) });
    expect(health.checks?.find((c) => c.id === 'tts')?.fix).toMatch(/TTS_URL/);
    const notices = messages.flatMap((m) => (m.kind === 'notice' ? [m.notice] : []));
    expect(notices.map((n) => [n.source, n.level])).toContainEqual(['health', 'error']);
    expect(notices.some((n) => /TTS unreachable/.test(n.message) && /Start the TTS service/.test(n.message))).toBe(true);
    // one notice per check turning red, not one per run
    const count = notices.length;
    await host.api.runHealthChecks();
    expect(messages.filter((m) => m.kind === 'notice')).toHaveLength(count);
    // a console that connects later sees them in its snapshot
    const late: ConsoleMessage[] = [];
    host.api.subscribe((m) => late.push(m))();
    expect(late[0]?.kind === 'snapshot' && late[0].snapshot.notices?.length).toBe(count);
  });

  it('demo mode checks its stand-ins for real: everything green', async () => {
    const host = createHost({ config: testConfig({ HTTP_PORT: '0', WS_PORT: '0', DATA_DIR: mkdtempSync(join(tmpdir(), 'fd-health-')) }), log: silentLogger() });
    await host.start();
    stops.push(() => host.stop());
    const health = await host.api.runHealthChecks();
    expect(health.checks?.map((c) => [c.id, c.level])).toEqual([
      ['tts', 'green'],
      ['s3', 'green'],
      ['twilio', 'green'],
      ['connectDid', 'green'],
      ['publicUrl', 'green'],
    ]);
    expect([health.tts.state, health.s3.state, health.twilio.state, health.twiml.state]).toEqual(['up', 'up', 'up', 'up']);
  });
});
