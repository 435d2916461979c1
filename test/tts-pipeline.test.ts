// The TTS pipeline end to end: the stand-in service writes parts into a real S3-compatible server (s3rver)
// or a folder; the pipeline must deliver every byte once, in order, and end, fail and stop cleanly.
import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { testConfig } from '../src/main/config/load';
import { silentLogger } from '../src/main/log';
import { folderPartWriter, s3PartWriter, type PartWriter } from '../src/main/sim/part-writer';
import { startTtsStandIn, type TtsStandIn, type TtsStandInOptions } from '../src/main/sim/tts-standin';
import { noticeRoute } from '../src/main/tts/notice-route';
import { createTtsPipeline } from '../src/main/tts/pipeline';
import { createPartStore } from '../src/main/tts/store';
import { TtsError, type AudioPart, type PartStore, type ReplyAudio, type TtsPipeline } from '../src/main/tts/types';
import { parseWav } from '../src/main/tts/wav';
import { buildWav } from '../src/main/sim/wav-writer';
import { S3RVER_CREDENTIALS, useS3rver } from './helpers/s3rver';

const greeting = Buffer.from(parseWav(readFileSync(join(__dirname, '../resources/audio/greeting.mulaw.wav'))).data);
const ids = (n = 1) => ({ callSid: `CA${n}`, streamSid: `MZ${n}`, replyId: `r${n}` });

/** Wraps a store to count GETs and see whether any starts after a moment of interest. */
class CountingStore implements PartStore {
  gets: string[] = [];
  constructor(private readonly inner: PartStore) {}
  get(key: string, signal?: AbortSignal) {
    this.gets.push(key);
    return this.inner.get(key, signal);
  }
  describe() {
    return this.inner.describe();
  }
}

async function collect(reply: ReplyAudio): Promise<AudioPart[]> {
  const parts: AudioPart[] = [];
  for await (const p of reply.parts()) parts.push(p);
  return parts;
}

async function failureOf(p: Promise<unknown>): Promise<TtsError> {
  const err = await p.then(
    () => new Error('expected a TtsError'),
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(TtsError);
  return err as TtsError;
}

/** Resolves when `test()` holds, checking on every macrotask (no fixed sleeps). */
async function until(test: () => boolean, what: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!test()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

const suite = useS3rver();
const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

interface Rig {
  standIn: TtsStandIn;
  pipeline: TtsPipeline;
  store: CountingStore;
}

async function rig(settings: Record<string, string>, standIn: Partial<TtsStandInOptions>, where: 's3' | 'folder' = 's3'): Promise<Rig> {
  let writer: PartWriter;
  let inner: PartStore;
  const config = testConfig({ ...(where === 's3' ? suite.s3.settings : {}), ...settings });
  if (where === 's3') {
    writer = s3PartWriter(suite.client, suite.s3.bucket);
    inner = createPartStore(config, { credentials: S3RVER_CREDENTIALS });
  } else {
    const folder = await mkdtemp(join(tmpdir(), 'tts-parts-'));
    cleanups.push(() => rm(folder, { recursive: true, force: true }));
    writer = folderPartWriter(folder);
    inner = createPartStore(config, { folder });
  }
  const s = await startTtsStandIn({ writer, keyPrefix: config.settings.KEY_PREFIX, audioFor: async () => greeting, firstPartDelayMs: 100, partIntervalMs: 60, ...standIn });
  const store = new CountingStore(inner);
  const pipeline = createTtsPipeline({ config, log: silentLogger(), store, ttsUrl: s.url });
  cleanups.push(() => s.stop(), () => pipeline.stop());
  return { standIn: s, pipeline, store };
}

describe.each(['s3', 'folder'] as const)('TTS pipeline over %s', (where) => {
  it('delivers every byte of every part exactly once, in order, and ends on the done marker', async () => {
    const { pipeline, standIn, store } = await rig({ JOB_IDLE_TIMEOUT_MS: '30000' }, {}, where);
    const reply = pipeline.speak('안녕하세요. 프론트도어 음성 안내입니다.', ids());
    const jobId = await reply.jobId;
    const parts = await collect(reply);
    const job = standIn.jobs.get(jobId)!;
    expect(job.state).toBe('done');
    expect(job.parts.map((p) => p.layout)).toEqual(['sox', 'plain44', 'ffmpeg', 'streamed', 'sox', 'plain44']);
    expect(parts.map((p) => p.key)).toEqual(job.parts.map((p) => p.key));
    expect(parts.map((p) => p.bytes)).toEqual([9600, 9600, 9600, 9600, 9600, 3787]);
    expect(Buffer.compare(Buffer.concat(parts.map((p) => p.audio)), greeting)).toBe(0);
    expect(parts.map((p) => p.flags)).toEqual([[], [], [], ['size-placeholder'], [], []]);
    expect(parts.every((p) => p.audioMs === p.bytes / 8)).toBe(true);
    expect(store.gets.at(-1)).toBe(`tts/${jobId}/part6.wav`); // the miss after done was seen
    expect(store.gets).toContain(`tts/${jobId}/done`);
    expect(reply.stats.s3Requests).toBe(store.gets.length);
    expect(reply.stats.firstPartSeenAt).toBe(parts[0]!.seenAt);
    if (where === 'folder') expect(parts[0]!.landedAt).toBeGreaterThan(reply.stats.startedAt - 1000);
  });

  it('a job that goes quiet without its done marker was cut short: parts() throws TtsError(timeout) saying how far it got', async () => {
    const { pipeline, standIn } = await rig({ JOB_IDLE_TIMEOUT_MS: '400' }, { fail: () => 'parts-stop' }, where);
    const reply = pipeline.speak('x', ids());
    const parts: AudioPart[] = [];
    const err = await failureOf((async () => {
      for await (const p of reply.parts()) parts.push(p);
    })());
    expect(parts.map((p) => p.part)).toEqual([0, 1, 2]);
    expect(err.kind).toBe('timeout');
    expect(err.message).toMatch(/^The reply was cut short after 3 parts \(3\.6 s of audio\): part .*part3\.wav did not come within JOB_IDLE_TIMEOUT_MS \(400 ms\)/);
    expect(standIn.jobs.get(await reply.jobId)!.state).toBe('stopped');
  });

  it('with TTS_DONE_MARKER=false the quiet job is complete', async () => {
    const { pipeline } = await rig({ JOB_IDLE_TIMEOUT_MS: '400', TTS_DONE_MARKER: 'false' }, { fail: () => 'parts-stop' }, where);
    const parts = await collect(pipeline.speak('x', ids()));
    expect(parts.map((p) => p.part)).toEqual([0, 1, 2]);
  });
});

describe('TTS pipeline failures', () => {
  it('no part within the idle timeout → TtsError(timeout) from parts()', async () => {
    const { pipeline } = await rig({ JOB_IDLE_TIMEOUT_MS: '300' }, { firstPartDelayMs: 60_000 });
    const reply = pipeline.speak('x', ids());
    const err = await failureOf(collect(reply));
    expect(err.kind).toBe('timeout');
    expect(err.message).toMatch(/JOB_IDLE_TIMEOUT_MS \(300 ms\)/);
  });

  it.each([
    ['http500', /answered HTTP 500/],
    ['no-job-id', /without a job_id/],
    ['timeout', /did not answer within 200 ms \(TTS_TIMEOUT_MS\)/],
  ] as const)('the service fails with %s → jobId and parts() reject with TtsError(start), no S3 request', async (fail, message) => {
    const { pipeline, store } = await rig({ TTS_TIMEOUT_MS: '200' }, { fail: () => fail });
    const reply = pipeline.speak('x', ids());
    const err = await failureOf(reply.jobId);
    expect(err.kind).toBe('start');
    expect(err.message).toMatch(message);
    expect(await failureOf(collect(reply))).toBe(err);
    expect(store.gets).toEqual([]);
  });

  it('a stopped pipeline refuses new replies with a TtsError', async () => {
    const { pipeline } = await rig({}, {});
    await pipeline.stop();
    const reply = pipeline.speak('x', ids());
    expect((await failureOf(reply.jobId)).message).toMatch(/stopped/);
  });
});

/** A fake S3 endpoint answering every request with `respond`; counts requests and sees aborted ones. */
async function fakeS3(respond: (req: IncomingMessage, res: ServerResponse) => void) {
  const seen = { requests: 0, aborted: 0 };
  const server = createServer((req, res) => {
    seen.requests++;
    res.on('close', () => {
      if (!res.writableFinished) seen.aborted++;
    });
    respond(req, res);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const config = testConfig({ S3_ENDPOINT: endpoint, TTS_BUCKET: 'tts-test', S3_FORCE_PATH_STYLE: 'true', AWS_REGION: 'us-east-1', S3_REQUEST_TIMEOUT_MS: '150' });
  const store = createPartStore(config, { credentials: S3RVER_CREDENTIALS });
  cleanups.push(async () => {
    store.close?.();
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
  });
  return { seen, config, store };
}

const s3Error = (status: number, code: string) => (_req: IncomingMessage, res: ServerResponse) => {
  res.writeHead(status, { 'content-type': 'application/xml' });
  res.end(`<?xml version="1.0" encoding="UTF-8"?><Error><Code>${code}</Code><Message>${code}</Message><RequestId>1</RequestId></Error>`);
};

describe('S3 errors become TtsErrors', () => {
  async function pipelineOn(fake: Awaited<ReturnType<typeof fakeS3>>) {
    const standIn = await startTtsStandIn({ writer: { put: async () => undefined, describe: () => 'nowhere' }, keyPrefix: 'tts', audioFor: async () => greeting, firstPartDelayMs: 60_000 });
    const pipeline = createTtsPipeline({ config: fake.config, log: silentLogger(), store: fake.store, ttsUrl: standIn.url });
    cleanups.push(() => standIn.stop(), () => pipeline.stop());
    return pipeline;
  }

  it('403 AccessDenied is a configuration error: one request, no spinning', async () => {
    const fake = await fakeS3(s3Error(403, 'AccessDenied'));
    const reply = (await pipelineOn(fake)).speak('x', ids());
    const err = await failureOf(collect(reply));
    expect(err.kind).toBe('store');
    expect(err.message).toMatch(/403 AccessDenied.*s3:ListBucket/);
    expect(fake.seen.requests).toBe(1);
  });

  it.each(['InvalidAccessKeyId', 'SignatureDoesNotMatch', 'ExpiredToken'])('403 %s says the credentials were rejected, not the role: one request', async (code) => {
    const fake = await fakeS3(s3Error(403, code));
    const err = await failureOf(collect((await pipelineOn(fake)).speak('x', ids())));
    expect(err.kind).toBe('store');
    expect(err.message).toMatch(new RegExp(`rejected our credentials .*${code}`));
    expect(err.message).not.toMatch(/s3:ListBucket/);
    expect(fake.seen.requests).toBe(1);
  });

  it('NoSuchBucket names TTS_BUCKET', async () => {
    const fake = await fakeS3(s3Error(404, 'NoSuchBucket'));
    const err = await failureOf(collect((await pipelineOn(fake)).speak('x', ids())));
    expect(err.message).toMatch(/bucket "tts-test" does not exist .*TTS_BUCKET/);
  });

  it('a store that keeps failing with 500 is retried by the S3 getter, then by the poller, then fails', async () => {
    const fake = await fakeS3(s3Error(500, 'InternalError'));
    const err = await failureOf(collect((await pipelineOn(fake)).speak('x', ids())));
    expect(err.kind).toBe('store');
    expect(err.message).toMatch(/HTTP 500 InternalError/);
    // 3 attempts × 3 polls of the part; a done check may add up to 3 more (cut at S3_REQUEST_TIMEOUT_MS, it is only a miss)
    expect(fake.seen.requests).toBeGreaterThanOrEqual(9);
    expect(fake.seen.requests).toBeLessThanOrEqual(12);
  });

  it('a store that never answers times out (S3_REQUEST_TIMEOUT_MS) and fails as a timeout', async () => {
    const fake = await fakeS3(() => undefined);
    const err = await failureOf(collect((await pipelineOn(fake)).speak('x', ids())));
    expect(err.kind).toBe('timeout');
    expect(err.message).toMatch(/within S3_REQUEST_TIMEOUT_MS/);
  });

  it('cancel() aborts the in-flight GET and no request follows', async () => {
    const fake = await fakeS3(() => undefined); // hold every GET
    const pipeline = await pipelineOn(fake);
    const reply = pipeline.speak('x', ids());
    const parts = collect(reply);
    await until(() => fake.seen.requests === 1, 'the first GET');
    reply.cancel('barge-in');
    expect(await parts).toEqual([]);
    await until(() => fake.seen.aborted === 1, 'the GET to be aborted');
    expect(fake.seen.requests).toBe(1);
  });
});

describe('cancel and stop', () => {
  it('cancel(): no S3 request after it returns, parts() ends', async () => {
    const { pipeline, store } = await rig({}, { firstPartDelayMs: 60_000 });
    const reply = pipeline.speak('x', ids());
    const parts = collect(reply);
    await until(() => store.gets.length >= 3, 'a few polls');
    reply.cancel('barge-in');
    const atCancel = store.gets.length;
    expect(await parts).toEqual([]);
    // give a poller that ignored the cancel every chance to poll again (its dense gap is 8 ms)
    await new Promise((r) => setTimeout(r, 300));
    expect(store.gets.length).toBe(atCancel);
  });

  it('breaking out of parts() cancels the reply', async () => {
    const { pipeline, store } = await rig({}, {});
    const reply = pipeline.speak('x', ids());
    for await (const p of reply.parts()) {
      expect(p.part).toBe(0);
      break;
    }
    const atBreak = store.gets.length;
    await new Promise((r) => setTimeout(r, 300));
    expect(store.gets.length).toBe(atBreak);
  });

  it('parts() can be iterated once', async () => {
    const { pipeline } = await rig({}, {});
    const reply = pipeline.speak('x', ids());
    reply.parts();
    expect(() => reply.parts()).toThrow(/iterated once/);
    reply.cancel('test');
  });

  it('stop() cancels every reply and leaves no timer or poller behind', async () => {
    const timers = () => process.getActiveResourcesInfo().filter((r) => r === 'Timeout').length;
    const before = timers();
    const { pipeline, store, standIn } = await rig({}, { firstPartDelayMs: 60_000 });
    const replies = [1, 2, 3].map((n) => pipeline.speak('x', ids(n)));
    const all = replies.map(collect);
    await until(() => store.gets.length >= 6, 'polling on every reply');
    await pipeline.stop();
    const atStop = store.gets.length;
    expect(await Promise.all(all)).toEqual([[], [], []]);
    await standIn.stop();
    await new Promise((r) => setTimeout(r, 300));
    expect(store.gets.length).toBe(atStop);
    expect(timers()).toBeLessThanOrEqual(before);
  });
});

describe('the S3 request budget', () => {
  it('counts from the job id: a slow TTS answer banks no GETs (at most 20/s between the answer and part 0)', async () => {
    const folder = await mkdtemp(join(tmpdir(), 'tts-budget-'));
    const writer = folderPartWriter(folder);
    let answeredAt = 0;
    let landedAt = 0;
    // a TTS service that takes 500 ms to answer, then writes part 0 150 ms later and the done marker after it
    const tts = createServer((req, res) => {
      req.resume();
      req.on('end', () =>
        setTimeout(() => {
          res.writeHead(200, { 'content-type': 'application/json' }).end('{"job_id":"slow1"}');
          answeredAt = Date.now();
          setTimeout(async () => {
            await writer.put('tts/slow1/part0.wav', buildWav(greeting.subarray(0, 1600), 'plain44'));
            landedAt = Date.now();
            await writer.put('tts/slow1/done', Buffer.alloc(0));
          }, 150);
        }, 500),
      );
    });
    await new Promise<void>((r) => tts.listen(0, '127.0.0.1', r));
    const config = testConfig({ PART_STORE_DIR: folder });
    const inner = createPartStore(config, { folder });
    const gets: number[] = [];
    const store: PartStore = { get: (key, s) => (key.endsWith('part0.wav') && gets.push(Date.now()), inner.get(key, s)), describe: () => inner.describe() };
    const pipeline = createTtsPipeline({ config, log: silentLogger(), store, ttsUrl: `http://127.0.0.1:${(tts.address() as AddressInfo).port}/` });
    cleanups.push(
      () => rm(folder, { recursive: true, force: true }),
      () => new Promise<void>((r) => tts.close(() => r())),
      () => pipeline.stop(),
    );
    const reply = pipeline.speak('x', ids(7));
    const parts: AudioPart[] = [];
    for await (const p of reply.parts()) parts.push(p);
    expect(parts).toHaveLength(1);
    const beforeLanding = gets.filter((t) => t < landedAt).length;
    expect(gets[0]!).toBeGreaterThanOrEqual(answeredAt);
    expect(beforeLanding).toBeLessThanOrEqual(Math.floor(((landedAt - answeredAt) * 20) / 1000) + 1);
  });
});

describe('cancelling the job at the TTS service', () => {
  const firstPart = async (reply: ReplyAudio) => {
    for await (const p of reply.parts()) return p;
    throw new Error('no part');
  };

  it('cancel() with a known job id sends DELETE {TTS_URL}/{jobId}: the stand-in stops writing; stop() awaits it', async () => {
    const { pipeline, standIn } = await rig({}, { partIntervalMs: 300 });
    const reply = pipeline.speak('x', ids());
    await firstPart(reply); // breaking out of parts() cancels the reply
    const jobId = await reply.jobId;
    await until(() => typeof reply.stats.cancel === 'object', 'the cancel to be answered');
    expect(reply.stats.cancel).toEqual({ ok: true, status: 200 });
    const job = standIn.jobs.get(jobId)!;
    expect(job.cancelledAt).toBeGreaterThan(0);
    await until(() => job.state === 'cancelled', 'the stand-in to stop the job');
    const written = job.parts.length;
    await new Promise((r) => setTimeout(r, 700));
    expect(job.parts.length).toBe(written);
    expect(written).toBeLessThan(6);
  });

  it('TTS_CANCEL_URL=off never tells the service; a finished job is never cancelled', async () => {
    const { pipeline, standIn } = await rig({ TTS_CANCEL_URL: 'off' }, { partIntervalMs: 100 });
    const reply = pipeline.speak('x', ids());
    await firstPart(reply);
    const job = standIn.jobs.get(await reply.jobId)!;
    await until(() => job.state !== 'writing', 'the job to finish');
    expect(job.state).toBe('done');
    expect(reply.stats.cancel).toBeUndefined();
    const done = pipeline.speak('x', ids(2));
    await collect(done);
    done.cancel('late');
    expect(done.stats.cancel).toBeUndefined();
  });

  it('TTS_CANCEL_URL is a template; a service that does not answer never holds the call (best effort, logged)', async () => {
    const seen: string[] = [];
    const sink = createServer((req, res) => {
      seen.push(`${req.method} ${req.url} ${req.headers.authorization ?? ''}`);
      req.resume();
      res.writeHead(503).end();
    });
    await new Promise<void>((r) => sink.listen(0, '127.0.0.1', r));
    cleanups.push(() => new Promise<void>((r) => sink.close(() => r())));
    const port = (sink.address() as AddressInfo).port;
    const { pipeline } = await rig({ TTS_CANCEL_URL: `http://u:p%40ss@127.0.0.1:${port}/jobs/{jobId}/cancel` }, { partIntervalMs: 300 });
    const reply = pipeline.speak('x', ids());
    await firstPart(reply);
    const jobId = await reply.jobId;
    await until(() => typeof reply.stats.cancel === 'object', 'the cancel to be answered');
    expect(seen).toEqual([`DELETE /jobs/${jobId}/cancel Basic ${Buffer.from('u:p@ss').toString('base64')}`]);
    expect(reply.stats.cancel).toEqual({ ok: false, status: 503, reason: 'HTTP 503' });
  });
});

describe('part notices (TTS_NOTIFY_URL): the service says when a part landed', () => {
  /** The pipeline, the stand-in writing to s3rver, and the notice route on a real HTTP server. */
  async function noticeRig(standIn: Partial<TtsStandInOptions>, noticeSafetyMs: number) {
    const config = testConfig({ ...suite.s3.settings, JOB_IDLE_TIMEOUT_MS: '30000' });
    const store = new CountingStore(createPartStore(config, { credentials: S3RVER_CREDENTIALS }));
    let pipeline: TtsPipeline | null = null;
    const route = noticeRoute({ deliver: (t, n) => pipeline?.notice?.(t, n) ?? false, log: silentLogger() });
    const server = createServer((req, res) => route(req, res) || res.writeHead(404).end());
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const s = await startTtsStandIn({ writer: s3PartWriter(suite.client, suite.s3.bucket), keyPrefix: config.settings.KEY_PREFIX, audioFor: async () => greeting, firstPartDelayMs: 100, partIntervalMs: 60, ...standIn });
    // a safety net far longer than the job: whatever is found is found through a notice
    pipeline = createTtsPipeline({ config, log: silentLogger(), store, ttsUrl: s.url, noticeBase: () => base, tuning: { noticeSafetyMs } });
    cleanups.push(
      () => s.stop(),
      () => pipeline!.stop(),
      () => new Promise<void>((r) => (server.closeAllConnections(), server.close(() => r()))),
    );
    return { standIn: s, pipeline, store };
  }

  it('every part is fetched on its notice: one GET per part and the last look after done, byte-exact', async () => {
    const { pipeline, standIn, store } = await noticeRig({}, 60_000);
    // the first reply teaches the pipeline that this service notifies; the second waits for notices from its start
    const first = pipeline.speak('안녕하세요.', ids(1));
    expect(Buffer.compare(Buffer.concat((await collect(first)).map((p) => p.audio)), greeting)).toBe(0);
    const before = store.gets.length;
    const reply = pipeline.speak('안녕하세요.', ids(2));
    const jobId = await reply.jobId;
    const parts = await collect(reply);
    expect(Buffer.compare(Buffer.concat(parts.map((p) => p.audio)), greeting)).toBe(0);
    const job = standIn.jobs.get(jobId)!;
    expect(job.notifyUrl).toMatch(/\/tts_part\/[A-Za-z0-9_-]{22}$/);
    expect(store.gets.slice(before)).toEqual([...job.parts.map((p) => p.key), `tts/${jobId}/part6.wav`]);
    await until(() => job.notices.every((n) => n.status !== 0), 'the notices answered');
    expect(job.notices.map((n) => n.status)).toEqual(Array(7).fill(204)); // six parts and done
  });

  it('lost notices cost time, never audio: the safety net finds the parts', async () => {
    // the last two parts' notices and done's are lost: nothing announces them, polling must find them
    const { pipeline, standIn } = await noticeRig({ dropNotice: (n) => n.part === 4 || n.part === 5 || n.done === true }, 40);
    const reply = pipeline.speak('안녕하세요.', ids());
    const jobId = await reply.jobId;
    const parts = await collect(reply);
    expect(parts.map((p) => p.part)).toEqual([0, 1, 2, 3, 4, 5]);
    expect(Buffer.compare(Buffer.concat(parts.map((p) => p.audio)), greeting)).toBe(0);
    expect(standIn.jobs.get(jobId)!.notices.map((n) => n.part)).toEqual([0, 1, 2, 3]);
  });

  it('a notice after the reply ended finds no one: 404, and the token is forgotten', async () => {
    const { pipeline, standIn } = await noticeRig({}, 60_000);
    const reply = pipeline.speak('안녕하세요.', ids());
    const jobId = await reply.jobId;
    await collect(reply);
    const url = standIn.jobs.get(jobId)!.notifyUrl!;
    const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"part":0}' });
    expect(res.status).toBe(404);
  });
});
