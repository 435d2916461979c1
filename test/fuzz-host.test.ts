// Fuzz: one real host (live mode: signed webhooks, signed media upgrades, the TTS stand-in writing parts into
// s3rver) takes >= 1,000 malformed or hostile media messages and webhook / transcription bodies from a seeded
// PRNG while genuine streamed calls play. Outcome: no 5xx and no crash, every genuine call's outbound audio is
// byte-exact, and after stop() no socket, timer or handle is left (the leak check of test/host.test.ts).
// Driven from outside only (HTTP, WebSocket), so it survives rewrites of the routes and the session.
// Reproduce a failure with FUZZ_SEED=<the seed printed> npx vitest run test/fuzz-host.test.ts
import { randomBytes } from 'node:crypto';
import { readFileSync, mkdtempSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import twilio from 'twilio';
import WebSocket from 'ws';
import { describe, expect, it } from 'vitest';
import { testConfig } from '../src/main/config/load';
import { createHost } from '../src/main/host';
import { createLogger } from '../src/main/log';
import { TwilioMediaClient } from '../src/main/sim/media-client';
import { s3PartWriter } from '../src/main/sim/part-writer';
import { startTtsStandIn } from '../src/main/sim/tts-standin';
import { createS3Client } from '../src/main/tts/store';
import { parseWav } from '../src/main/tts/wav';
import { S3RVER_CREDENTIALS, startS3rver, useS3rverCredentialsInEnv } from './helpers/s3rver';
import { leftSince, resources } from './helpers/leaks';

useS3rverCredentialsInEnv();

const SEED = Number(process.env.FUZZ_SEED ?? 0x5eed14);
const AUTH_TOKEN = 'fuzz-host-auth-token-0123456789';
const ACCOUNT_SID = 'AC' + 'f'.repeat(32);
const PUBLIC_URL = 'https://front-door-fuzz.example.ngrok.app';
const GENUINE = 3;
const MEDIA_MESSAGES = 700;
const WEBHOOK_BODIES = 480;

const greeting = Buffer.from(parseWav(readFileSync(join(__dirname, '../resources/audio/greeting.mulaw.wav'))).data);
const audio = greeting.subarray(0, 160 * 150); // 3 s

/** mulberry32: small, seeded, good enough to pick cases. */
function prng(seed: number) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const int = (n: number) => Math.floor(next() * n);
  const pick = <T,>(xs: readonly T[]): T => xs[int(xs.length)]!;
  const bytes = (n: number) => Buffer.from(Array.from({ length: n }, () => int(256)));
  const str = (n: number) => Array.from({ length: n }, () => String.fromCharCode(pick([0x20 + int(95), 0xac00 + int(11172), int(32), 0xd800 + int(0x800)]))).join('');
  return { next, int, pick, bytes, str };
}
type Rng = ReturnType<typeof prng>;

// ---------------------------------------------------------------------------------------------------------------
// Media corpus: every generator returns what one hostile socket sends next (text or binary frames).
type Frame = { data: string | Buffer; binary?: boolean };
interface MediaCtx {
  rng: Rng;
  own: string;
  /** A genuine call's streamSid (misdirected messages must not touch it). */
  victim: string;
}
const counter = (r: Rng) => String(r.int(100000));
const mediaMsg = (sid: string, payload: unknown, r: Rng) => ({ event: 'media', sequenceNumber: counter(r), streamSid: sid, media: { track: 'inbound', chunk: counter(r), timestamp: counter(r), payload } });

const MEDIA_CASES: Array<[string, (c: MediaCtx) => Frame[]]> = [
  ['binary frame', (c) => [{ data: c.rng.bytes(1 + c.rng.int(400)), binary: true }]],
  ['non-JSON text', (c) => [{ data: c.rng.str(1 + c.rng.int(200)) }]],
  ['truncated JSON', (c) => [{ data: JSON.stringify(mediaMsg(c.own, 'AAAA', c.rng)).slice(0, 5 + c.rng.int(40)) }]],
  ['JSON of the wrong type', (c) => [{ data: c.rng.pick(['null', '42', '"media"', '[]', '[{"event":"media"}]', 'true']) }]],
  ['unknown event', (c) => [{ data: JSON.stringify({ event: c.rng.pick(['hello', 'MEDIA', 'start ', '', 'constructor', '__proto__']), streamSid: c.own }) }]],
  ['wrong field types', (c) => [{ data: JSON.stringify({ event: 'media', sequenceNumber: c.rng.int(9), streamSid: c.rng.pick([1, null, {}, []]), media: c.rng.pick(['x', 5, null, { payload: 7 }]) }) }]],
  ['bad base64', (c) => [{ data: JSON.stringify(mediaMsg(c.own, c.rng.pick(['%%%', '====', 'A', c.rng.str(50), '🙂🙂']), c.rng)) }]],
  ['odd-length audio', (c) => [{ data: JSON.stringify(mediaMsg(c.own, c.rng.bytes(1 + c.rng.int(700)).toString('base64'), c.rng)) }]],
  ['huge string under the limit', (c) => [{ data: JSON.stringify(mediaMsg(c.own, 'A'.repeat(40_000 + c.rng.int(20_000)), c.rng)) }]],
  ['oversized message (closes its own socket)', (c) => [{ data: JSON.stringify({ event: 'media', pad: 'x'.repeat(70_000 + c.rng.int(10_000)) }) }]],
  ['wrong streamSid: media', (c) => [{ data: JSON.stringify(mediaMsg(c.victim, Buffer.alloc(160, 0).toString('base64'), c.rng)) }]],
  ['wrong streamSid: mark', (c) => [{ data: JSON.stringify({ event: 'mark', sequenceNumber: counter(c.rng), streamSid: c.victim, mark: { name: `x:part${c.rng.int(3)}` } }) }]],
  ['wrong streamSid: stop', (c) => [{ data: JSON.stringify({ event: 'stop', sequenceNumber: counter(c.rng), streamSid: c.victim, stop: { accountSid: ACCOUNT_SID, callSid: 'CA' + '0'.repeat(32) } }) }]],
  ['wrong streamSid: clear', (c) => [{ data: JSON.stringify({ event: 'clear', streamSid: c.victim }) }]],
  ['mark never sent', (c) => [{ data: JSON.stringify({ event: 'mark', sequenceNumber: counter(c.rng), streamSid: c.own, mark: { name: c.rng.str(30) } }) }]],
  ['missing fields', (c) => [{ data: JSON.stringify(c.rng.pick([{ event: 'media' }, { event: 'start' }, { event: 'mark', streamSid: c.own }, { event: 'stop' }, { event: 'dtmf', streamSid: c.own }])) }]],
  ['second start', (c) => [{ data: JSON.stringify({ event: 'start', sequenceNumber: '1', streamSid: c.own, start: { accountSid: ACCOUNT_SID, streamSid: c.own, callSid: fuzzSid(c.rng), tracks: ['inbound'], customParameters: { text: c.rng.str(20) }, mediaFormat: { encoding: 'audio/x-mulaw', sampleRate: 8000, channels: 1 } } }) }]],
  ['bad media format in start', (c) => [{ data: JSON.stringify({ event: 'start', sequenceNumber: '1', streamSid: c.own, start: { accountSid: ACCOUNT_SID, streamSid: c.own, callSid: fuzzSid(c.rng), tracks: 'inbound', mediaFormat: { encoding: 'audio/l16', sampleRate: 16000, channels: 2 } } }) }]],
  ['dtmf oddities', (c) => [{ data: JSON.stringify({ event: 'dtmf', sequenceNumber: counter(c.rng), streamSid: c.own, dtmf: { track: 'inbound_track', digit: c.rng.pick(['', '12', '#', '\u0000', 'ㄱ']) } }) }]],
  ['proto pollution', () => [{ data: '{"event":"media","__proto__":{"polluted":true},"constructor":{"prototype":{"x":1}}}' }]],
  ['burst of 200 media frames', (c) => Array.from({ length: 200 }, () => ({ data: JSON.stringify(mediaMsg(c.own, Buffer.alloc(160, 0xff).toString('base64'), c.rng)) }))],
];

// ---------------------------------------------------------------------------------------------------------------
// Webhook corpus: one row per route (the /transcription route lands with another branch: 404 accepted here).
interface Body {
  contentType?: string;
  body?: string | Buffer;
  /** Sign `params` over the public URL, send no signature, or a wrong one. */
  signature: 'good' | 'none' | 'bad';
  params?: Record<string, string>;
}
const fuzzSid = (r: Rng) => 'CA' + r.bytes(16).toString('hex');
const ROUTES: Array<{ path: string; accept: number[]; fields: (r: Rng) => Record<string, string> }> = [
  { path: '/voice_gather', accept: [], fields: () => ({}) },
  { path: '/handle_speech', accept: [], fields: (r) => ({ SpeechResult: r.pick(['', r.str(80), '상담원', 'x'.repeat(5000)]), Confidence: r.pick(['0.9', 'NaN', '-1', 'abc', '1e309']) }) },
  { path: '/voice_stream', accept: [], fields: () => ({}) },
  { path: '/after_stream', accept: [], fields: () => ({}) },
  { path: '/call_status', accept: [], fields: (r) => ({ CallStatus: r.pick(['completed', 'in-progress', 'ringing', 'bogus', '']), SequenceNumber: r.pick(['1', '-5', 'x']), CallDuration: r.pick(['3', '']) }) },
  { path: '/dial_status', accept: [], fields: (r) => ({ DialCallStatus: r.pick(['completed', 'failed', 'busy', r.str(10)]), DialCallSid: r.pick(['CA1', '']) }) },
  { path: '/stream_status', accept: [], fields: (r) => ({ StreamEvent: r.pick(['stream-started', 'stream-stopped', 'stream-error', r.str(8)]), StreamSid: 'MZ' + r.bytes(16).toString('hex'), StreamError: r.str(30) }) },
  {
    path: '/transcription',
    accept: [404],
    fields: (r) => ({
      TranscriptionEvent: r.pick(['transcription-started', 'transcription-content', 'transcription-stopped', 'transcription-error', 'transcription-bogus', '']),
      TranscriptionSid: r.pick(['GT' + r.bytes(16).toString('hex'), '', r.str(70)]),
      SequenceId: r.pick(['1', String(r.int(1e6)), '-1', 'x', '99999999999999999999']),
      Track: r.pick(['inbound_track', 'outbound_track', '']),
      Final: r.pick(['true', 'false', 'TRUE', 'yes', '']),
      Stability: r.pick(['0.8', 'NaN', '2', '']),
      TranscriptionData: r.pick([JSON.stringify({ transcript: r.str(40), confidence: r.next() }), '{"transcript":', 'null', '[]', JSON.stringify({ transcript: 5 }), 'x'.repeat(20_000)]),
      LanguageCode: r.pick(['ko-KR', '', r.str(5)]),
      Timestamp: r.pick([new Date().toISOString(), 'yesterday', '']),
      TranscriptionErrorCode: r.pick(['', '32655', 'x']),
      TranscriptionError: r.str(r.int(100)),
    }),
  },
];
const BODY_CASES: Array<[string, (r: Rng, base: Record<string, string>) => Body]> = [
  ['signed random fields', (r, base) => ({ signature: 'good', params: base })],
  ['no signature', (r, base) => ({ signature: 'none', params: base })],
  ['bad signature', (r, base) => ({ signature: 'bad', params: base })],
  ['signature over other params', (r, base) => ({ signature: 'bad', params: { ...base, CallSid: fuzzSid(r) } })],
  ['missing CallSid', (r, base) => ({ signature: 'good', params: Object.fromEntries(Object.entries(base).filter(([k]) => k !== 'CallSid')) })],
  ['malformed CallSid', (r, base) => ({ signature: 'good', params: { ...base, CallSid: r.pick(['CA123', '../../etc', 'ca' + 'F'.repeat(32), r.str(34)]) } })],
  ['huge field under the limit', (r, base) => ({ signature: 'good', params: { ...base, Junk: 'y'.repeat(150_000) } })],
  ['body over the limit', () => ({ signature: 'none', body: 'a=' + 'b'.repeat(250_000) })],
  ['JSON content type', (r, base) => ({ signature: 'good', params: base, contentType: 'application/json', body: JSON.stringify(base) })],
  ['text/plain content type', (r, base) => ({ signature: 'good', params: base, contentType: 'text/plain' })],
  ['multipart content type', (r, base) => ({ signature: 'good', params: base, contentType: 'multipart/form-data; boundary=x' })],
  ['no content type', (r, base) => ({ signature: 'good', params: base, contentType: '' })],
  ['bad percent-encoding', () => ({ signature: 'none', body: 'CallSid=%zz%&From=%E0%A4%A' })],
  ['binary body', (r) => ({ signature: 'none', body: r.bytes(2000) })],
  ['repeated keys', (r, base) => ({ signature: 'none', body: `${new URLSearchParams(base).toString()}&CallSid=${fuzzSid(r)}&CallSid=x` })],
  ['charset latin1', (r, base) => ({ signature: 'good', params: base, contentType: 'application/x-www-form-urlencoded; charset=latin1' })],
];

function post(port: number, path: string, b: Body): Promise<number> {
  const params = b.params ?? {};
  const body = b.body ?? new URLSearchParams(params).toString();
  const headers: Record<string, string> = { connection: 'close' };
  if (b.contentType !== '') headers['content-type'] = b.contentType ?? 'application/x-www-form-urlencoded';
  if (b.signature === 'good') headers['x-twilio-signature'] = twilio.getExpectedTwilioSignature(AUTH_TOKEN, PUBLIC_URL + path, params);
  if (b.signature === 'bad') headers['x-twilio-signature'] = randomBytes(20).toString('base64');
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, method: 'POST', headers, agent: false }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('error', (err) => ((err as NodeJS.ErrnoException).code === 'ECONNRESET' || (err as NodeJS.ErrnoException).code === 'EPIPE' ? resolve(-1) : reject(err)));
    req.end(body);
  });
}

async function rawSocket(url: string, signedUrl: string): Promise<WebSocket> {
  const ws = new WebSocket(url, { headers: { 'X-Twilio-Signature': twilio.getExpectedTwilioSignature(AUTH_TOKEN, signedUrl, {}) }, perMessageDeflate: false });
  ws.on('error', () => undefined);
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('unexpected-response', (_req, res) => reject(new Error(`upgrade refused ${res.statusCode}`)));
  });
  return ws;
}

describe('fuzz: one host under hostile media and webhook input', () => {
  it(`survives >= 1,000 malformed messages with genuine calls byte-exact and nothing left running (seed ${SEED})`, async () => {
    const rng = prng(SEED);
    const before = resources();
    const s3 = await startS3rver();
    const s3Client = createS3Client(testConfig(s3.settings), { credentials: S3RVER_CREDENTIALS });
    const standIn = await startTtsStandIn({ writer: s3PartWriter(s3Client, s3.bucket), keyPrefix: 'tts', audioFor: async () => audio, firstPartDelayMs: 150, partIntervalMs: 400 });
    const config = testConfig({
      ...s3.settings,
      DEMO: 'off',
      TTS_URL: standIn.url,
      TWILIO_AUTH_TOKEN: AUTH_TOKEN,
      TWILIO_ACCOUNT_SID: ACCOUNT_SID,
      TWILIO_API_BASE_URL: 'http://127.0.0.1:9',
      PUBLIC_URL,
      HTTP_PORT: '0',
      WS_PORT: '0',
      DATA_DIR: mkdtempSync(join(tmpdir(), 'fd-fuzz-')),
      JOB_IDLE_TIMEOUT_MS: '3000',
    });
    const errors: string[] = [];
    const log = createLogger('error', { write: (line: string) => void errors.push(line.slice(0, 2000)) });
    const host = createHost({ config, log });
    await host.start();
    const wsUrl = `ws://127.0.0.1:${host.ports.ws}/media`;
    const tally = new Map<string, number>();
    const count = (k: string, n = 1) => tally.set(k, (tally.get(k) ?? 0) + n);
    const failures: string[] = [];
    const statuses = new Map<string, number>();

    // a stream as Twilio opens it after our TwiML: with the grant the host issued for the call (media/admission.ts)
    const connectGranted = (callSid: string, text: string, streamSid?: string) =>
      TwilioMediaClient.connect({
        url: wsUrl, signedUrl: host.urls.media, authToken: AUTH_TOKEN, accountSid: ACCOUNT_SID, callSid, ...(streamSid ? { streamSid } : {}),
        customParameters: { text, grant: host.admission!.issue({ callSid, accountSid: ACCOUNT_SID, text }) },
      });
    try {
      // genuine calls first, so hostile messages can aim at their streamSids
      const genuine = await Promise.all(
        Array.from({ length: GENUINE }, () =>
          connectGranted(fuzzSid(rng), '안녕하세요'),
        ),
      );
      const victims = genuine.map((g) => g.streamSid);

      // hostile media: 6 sockets, half started as Twilio would (then garbage), half never started
      let sent = 0;
      const hostile = async (index: number) => {
        const rng = prng(SEED + 1 + index); // each socket its own sequence: reproducible whatever the interleaving
        while (sent < MEDIA_MESSAGES) {
          const started = index % 2 === 0;
          const own = 'MZ' + rng.bytes(16).toString('hex');
          const ws = started
            ? await connectGranted(fuzzSid(rng), rng.next() < 0.5 ? '퍼즈' : '', own)
            : await rawSocket(wsUrl, host.urls.media);
          const sendRaw = (f: Frame) => (ws instanceof TwilioMediaClient ? ws.sendRaw(f.data, f.binary) : ws.readyState === ws.OPEN && ws.send(f.data, { binary: f.binary ?? false }));
          const isOpen = () => (ws instanceof TwilioMediaClient ? ws.closeCode === null : ws.readyState === ws.OPEN);
          for (let k = 0; k < 40 && sent < MEDIA_MESSAGES && isOpen(); k++) {
            const [name, make] = rng.pick(MEDIA_CASES);
            for (const f of make({ rng, own, victim: rng.pick(victims) })) sendRaw(f);
            count(`media: ${name}`);
            sent++;
            await new Promise((r) => setTimeout(r, rng.int(15)));
          }
          if (ws instanceof TwilioMediaClient) await ws.stop();
          else if (ws.readyState !== ws.CLOSED) {
            const closed = new Promise((r) => ws.once('close', r));
            ws.close();
            await closed;
          }
        }
      };

      // hostile webhooks: the corpus drawn up front from the seed (reproducible), then posted 8 at a time
      const corpus = Array.from({ length: WEBHOOK_BODIES }, () => {
        const route = rng.pick(ROUTES);
        const [name, make] = rng.pick(BODY_CASES);
        const base = { CallSid: fuzzSid(rng), AccountSid: ACCOUNT_SID, From: rng.pick(['+821012345678', '', rng.str(20)]), To: '+827012345678', CallStatus: 'in-progress', ...route.fields(rng) };
        return { route, name, body: make(rng, base) };
      });
      let posted = 0;
      const poster = async () => {
        while (posted < corpus.length) {
          const { route, name, body } = corpus[posted++]!;
          const status = await post(host.ports.http, route.path, body);
          count(`webhook: ${name}`);
          statuses.set(`${route.path} ${status}`, (statuses.get(`${route.path} ${status}`) ?? 0) + 1);
          const fine = (status >= 200 && status < 500) || route.accept.includes(status) || status === -1;
          if (!fine) failures.push(`${route.path} ${name}: HTTP ${status} ${JSON.stringify(body.params ?? {}).slice(0, 300)}`);
        }
      };

      await Promise.all([...Array.from({ length: 6 }, (_, i) => hostile(i)), ...Array.from({ length: 8 }, poster)]);
      const codes = await Promise.all(genuine.map((g) => g.closed()));
      expect(codes).toEqual(genuine.map(() => 1000));
      for (const g of genuine) expect(Buffer.compare(Buffer.concat(g.received.media), audio)).toBe(0);
      // still serving: a genuine webhook after the storm
      const last = { CallSid: fuzzSid(rng), AccountSid: ACCOUNT_SID, From: '+821012345678', To: '+827012345678', CallStatus: 'in-progress' };
      expect(await post(host.ports.http, '/voice_gather', { signature: 'good', params: last })).toBe(200);
      const total = [...tally.values()].reduce((a, b) => a + b, 0);
      console.log(`fuzz seed ${SEED}: ${total} hostile inputs (${sent} media, ${posted} webhook) across ${GENUINE} genuine + hostile calls`);
      console.log([...tally].sort().map(([k, v]) => `  ${k}: ${v}`).join('\n'));
      console.log(`webhook answers: ${[...statuses].sort().map(([k, v]) => `${k}×${v}`).join(', ')}`);
      expect(total).toBeGreaterThanOrEqual(1000);
      if (failures.length) console.log(errors.join(''));
      expect(failures).toEqual([]);
      expect(host.registry.active().length).toBeGreaterThan(0); // the hostile calls did reach the registry
    } finally {
      await host.stop();
      await standIn.stop();
      s3Client.destroy();
      await s3.stop();
    }
    await new Promise((r) => setTimeout(r, 100));
    expect(leftSince(before)).toEqual([]);
  }, 180_000);
});
