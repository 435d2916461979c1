// "Cloud" child: what runs outside the host in production — the S3 store (s3rver, a local S3-compatible
// server, or the in-memory fake for high concurrency) and the TTS service (a stand-in that "synthesises" by uploading prepared parts on a schedule).
// Kept out of the host process so the host's CPU numbers are the host's. Counts every S3 request by key.
import { createServer, type IncomingMessage, type Server } from 'node:http';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { mkdir, rename, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import S3rver from 's3rver';
import { epochMs, serveCalls } from '../lib/serve';
import { startMemS3, type MemS3 } from '../lib/mem-s3';
import { replyParts } from '../lib/speech-parts';
import { postJson } from '../../src/main/net/post-json';
import { parseWav } from '../../src/main/tts/wav';

export interface CloudOptions {
  /** ~12 s reply instead of the 6.5 s greeting. */
  long: boolean;
  /** Synthesis time of part 0 after the job POST: min + uniform jitter, ms. */
  firstMs: [number, number];
  /** Time between later parts (each is 1.2 s of audio): min + uniform jitter, ms. */
  gapMs: [number, number];
  /** Write the done marker after the last part. */
  doneMarker: boolean;
  /** Upload only the first N parts (smoke runs). */
  maxParts?: number;
  /** s3rver (the real S3-compatible server, slow: ~hundreds of req/s), the in-memory fake (mem-s3.ts), or a
   * local folder (the demo's part store: no S3 SDK in the host at all; GETs are not counted). */
  store: 's3rver' | 'memory' | 'folder';
}

export interface JobRecord {
  /** Audio bytes of each part, in order (to tell when Twilio needed it). */
  partBytes: number[];
  jobId: string;
  callSid: string;
  streamSid: string;
  postedAt: number;
  /** PutObject completion times, by part index. */
  landedAt: number[];
  /** GETs of part 0 that reached the store before part 0 had landed. */
  part0MissesBeforeLanding: number;
  /** When the first GET of part 0 after its landing reached the store (the poll that found it). */
  part0FoundAt?: number;
  getsTotal: number;
  failed?: string;
  /** The job's notify_url (the host asked for part notices: TTS_NOTIFY_URL). */
  notifyUrl?: string;
  /** Notices the host acknowledged (204). */
  noticesAcked?: number;
}

const BUCKET = 'tts';
const PREFIX = 'tts';
let s3rver: S3rver | null = null;
let tts: Server | null = null;
let dir = '';
let client: S3Client | null = null;
let options: CloudOptions = { long: true, firstMs: [250, 250], gapMs: [300, 200], doneMarker: true, store: 's3rver' };
let mem: MemS3 | null = null;
let parts = replyParts(true);
let partAudioBytes: number[] = [];
const jobs = new Map<string, JobRecord>();
const timers = new Set<NodeJS.Timeout>();
let seed = 12345;
let nextJob = 0;
let totalGets = 0;
let totalPuts = 0;

/** Deterministic jitter (same schedule every run). */
function jitter([min, spread]: [number, number]): number {
  seed = (seed * 1103515245 + 12345) & 0x7fffffff;
  return min + (seed / 0x7fffffff) * spread;
}

function countRequest(req: IncomingMessage): void {
  if (req.method !== 'GET') {
    if (req.method === 'PUT') totalPuts++;
    return;
  }
  totalGets++;
  const m = /^\/tts\/tts\/([^/]+)\/(part(\d+)\.wav|done)/.exec(req.url ?? '');
  const job = m ? jobs.get(m[1]) : undefined;
  if (!job) return;
  job.getsTotal++;
  if (m![3] === '0' && job.landedAt[0] === undefined) job.part0MissesBeforeLanding++;
  else if (m![3] === '0' && job.part0FoundAt === undefined) job.part0FoundAt = epochMs();
}

function later(ms: number, fn: () => void): void {
  const t = setTimeout(() => {
    timers.delete(t);
    fn();
  }, ms);
  timers.add(t);
}

async function put(key: string, body: Buffer): Promise<void> {
  if (mem) {
    // straight into the store: uploading through the SDK costs the stand-in ~1 ms of CPU per part and, at
    // hundreds of streams, stalled this process long enough to make parts land late (a harness artefact)
    mem.put(key, body);
    return;
  }
  if (options.store === 'folder') {
    const path = join(dir, key);
    await mkdir(dirname(path), { recursive: true });
    await writeFile(`${path}.tmp`, body);
    await rename(`${path}.tmp`, path); // atomic, like the demo's writer
    return;
  }
  await client!.send(new PutObjectCommand({ Bucket: BUCKET, Key: key, Body: body }));
}

/** A part notice, as the TTS service would send it once the part (or the done marker) is stored; never awaited. */
function notify(job: JobRecord, notice: { part?: number; done?: boolean }): void {
  if (!job.notifyUrl) return;
  postJson(new URL(job.notifyUrl), { job_id: job.jobId, ...notice }, { timeoutMs: 5000 }).then(
    (r) => void (r.status === 204 && (job.noticesAcked = (job.noticesAcked ?? 0) + 1)),
    () => undefined,
  );
}

function runJob(job: JobRecord): void {
  let at = jitter(options.firstMs);
  let landed = 0;
  parts.files.forEach((file, n) => {
    later(at, () => {
      put(`${PREFIX}/${job.jobId}/part${n}.wav`, file).then(
        () => {
          job.landedAt[n] = epochMs();
          notify(job, { part: n });
          // PUTs can complete out of order under load: the done marker only once every part is there
          if (++landed === parts.files.length && options.doneMarker) {
            put(`${PREFIX}/${job.jobId}/done`, Buffer.from('done')).then(() => notify(job, { done: true }), () => undefined);
          }
        },
        (err: Error) => (job.failed = `part${n}: ${err.message}`),
      );
    });
    at += jitter(options.gapMs);
  });
}

async function start(o: Partial<CloudOptions>): Promise<{ s3Endpoint: string; folder: string | null; ttsUrl: string; bucket: string; prefix: string; expected: Buffer }> {
  options = { ...options, ...o };
  parts = replyParts(options.long);
  partAudioBytes = [];
  if (options.maxParts) {
    const files = parts.files.slice(0, options.maxParts);
    const expected = Buffer.concat(files.map((f) => parseWav(f).data));
    parts = { files, expected, audioMs: expected.length / 8 };
  }
  partAudioBytes = parts.files.map((f) => parseWav(f).data.length);
  let s3Endpoint = '';
  if (options.store === 'folder') {
    dir = mkdtempSync(join(tmpdir(), 'bench-parts-'));
  } else if (options.store === 'memory') {
    mem = await startMemS3(BUCKET);
    mem.onRequest(countRequest);
    s3Endpoint = mem.endpoint;
  } else {
    dir = mkdtempSync(join(tmpdir(), 'bench-s3-'));
    s3rver = new S3rver({ address: '127.0.0.1', port: 0, silent: true, directory: dir, configureBuckets: [{ name: BUCKET, configs: [] }] });
    const addr = await s3rver.run();
    (s3rver as unknown as { httpServer: Server }).httpServer.prependListener('request', countRequest);
    s3Endpoint = `http://127.0.0.1:${addr.port}`;
  }
  if (options.store === 's3rver') client = new S3Client({
    region: 'us-east-1',
    endpoint: s3Endpoint,
    forcePathStyle: true,
    credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' },
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
    // enough sockets that uploads never queue behind each other (a queued PUT would land late)
    requestHandler: { httpAgent: { keepAlive: true, maxSockets: 2048 } },
  });
  tts = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      let body: { text?: string; callSid?: string; streamSid?: string; notify_url?: string };
      try {
        body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
      } catch {
        res.writeHead(400).end('{"error":"invalid JSON"}');
        return;
      }
      const jobId = `job${(nextJob++).toString().padStart(6, '0')}`;
      const job: JobRecord = { partBytes: partAudioBytes, jobId, callSid: body.callSid ?? '', streamSid: body.streamSid ?? '', postedAt: epochMs(), landedAt: [], part0MissesBeforeLanding: 0, getsTotal: 0, ...(typeof body.notify_url === 'string' ? { notifyUrl: body.notify_url } : {}) };
      jobs.set(jobId, job);
      runJob(job);
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ job_id: jobId }));
    });
  });
  await new Promise<void>((r) => tts!.listen(0, '127.0.0.1', () => r()));
  const port = (tts.address() as { port: number }).port;
  return { s3Endpoint, folder: options.store === 'folder' ? dir : null, ttsUrl: `http://127.0.0.1:${port}/tts`, bucket: BUCKET, prefix: PREFIX, expected: parts.expected };
}

/** Job records so far (and forget them). */
function drain(): { jobs: JobRecord[]; gets: number; puts: number } {
  const out = { jobs: [...jobs.values()], gets: totalGets, puts: totalPuts };
  jobs.clear();
  totalGets = 0;
  totalPuts = 0;
  return out;
}

async function cleanup(): Promise<void> {
  for (const t of timers) clearTimeout(t);
  timers.clear();
  client?.destroy();
  client = null;
  if (tts) {
    tts.closeAllConnections();
    await new Promise<void>((r) => tts!.close(() => r()));
    tts = null;
  }
  await mem?.close();
  mem = null;
  if (s3rver) {
    (s3rver as unknown as { httpServer: Server }).httpServer.closeAllConnections();
    await s3rver.close().catch(() => undefined);
    s3rver = null;
  }
  if (dir) rmSync(dir, { recursive: true, force: true });
  dir = '';
}

serveCalls({ start: (o: Partial<CloudOptions>) => start(o), drain: () => drain(), pending: () => timers.size }, cleanup);
