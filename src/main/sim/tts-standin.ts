// A local stand-in for the TTS service: POST {text, callSid, streamSid} → {job_id}, then it writes
// `{keyPrefix}/{jobId}/partN.wav` in rotating real-world RIFF layouts, each part landing a bit faster than
// real time, and finally `{keyPrefix}/{jobId}/done`. Used by tests, the demo (audioFor = the demo voice) and the benchmarks.
// DELETE {url}/{jobId} cancels a job: no part is written after it (the host sends it on barge-in, hang-up, handoff).
// A job with a notify_url gets part notices: {"part": N} after each part is written, {"done": true} after the marker.
import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { seededRandom } from '../demo/utterances';
import { postJson } from '../net/post-json';
import type { PartWriter } from './part-writer';
import { doneKey, partKey } from '../tts/keys';
import { buildWav, WAV_LAYOUTS, type WavLayout } from './wav-writer';

export type StandInFailure = 'http500' | 'no-job-id' | 'timeout' | 'parts-stop';

export interface TtsStandInOptions {
  writer: PartWriter;
  keyPrefix: string;
  port?: number;
  /** The reply's audio: mu-law 8 kHz mono bytes. */
  audioFor(text: string): Promise<Buffer>;
  /** Audio per part (default 1200 ms). */
  partMs?: number;
  /** Request → part 0 written (default 400 ms). */
  firstPartDelayMs?: number;
  /** Between parts (default 80 % of partMs: faster than real time). */
  partIntervalMs?: number;
  /** ± random spread on every part's time, deterministic per job (default 0). */
  jitterMs?: number;
  /** After the last part → done marker (default 20 ms). */
  doneDelayMs?: number;
  /** Header layouts, rotating part by part (default sox, plain44, ffmpeg, streamed). */
  layouts?: WavLayout[];
  firstPartIndex?: number;
  /** Part key template ({prefix}, {jobId}, {n}), as the poller's PART_KEY_TEMPLATE (default {prefix}/{jobId}/part{n}.wav). */
  partKeyTemplate?: string;
  fail?: (req: { text: string; callSid?: string }) => StandInFailure | null;
  /** Drop this notice instead of sending it (tests: a lost notice). */
  dropNotice?: (notice: { part?: number; done?: boolean }, job: StandInJob) => boolean;
}

export interface StandInPart {
  part: number;
  key: string;
  layout: WavLayout;
  /** Audio bytes in the part (the data chunk). */
  bytes: number;
  /** When the write started and when it completed (epoch ms). */
  putAt: number;
  landedAt: number;
}

export interface StandInJob {
  jobId: string;
  text: string;
  callSid?: string;
  streamSid?: string;
  requestedAt: number;
  audio: Buffer;
  parts: StandInPart[];
  doneAt?: number;
  state: 'writing' | 'done' | 'stopped' | 'failed' | 'cancelled';
  error?: string;
  /** When a DELETE cancelled it (epoch ms). */
  cancelledAt?: number;
  /** The job's notify_url (part notices), if the host asked for them. */
  notifyUrl?: string;
  /** Notices sent, with the status the host answered (0: no answer). */
  notices: Array<{ part?: number; done?: boolean; status: number }>;
}

export interface TtsStandIn {
  url: string;
  jobs: Map<string, StandInJob>;
  stop(): Promise<void>;
}

export async function startTtsStandIn(opts: TtsStandInOptions): Promise<TtsStandIn> {
  const partMs = opts.partMs ?? 1200;
  const firstDelay = opts.firstPartDelayMs ?? 400;
  const interval = opts.partIntervalMs ?? Math.round(partMs * 0.8);
  const layouts = opts.layouts?.length ? opts.layouts : [...WAV_LAYOUTS];
  const firstIndex = opts.firstPartIndex ?? 0;
  const scheme = { prefix: opts.keyPrefix, template: opts.partKeyTemplate ?? '{prefix}/{jobId}/part{n}.wav', firstIndex };
  const jobs = new Map<string, StandInJob>();
  const stopping = new AbortController();
  const running = new Set<Promise<void>>();
  let counter = 0;

  /** One abort per job still writing: a DELETE or stop() ends its writes. */
  const writing = new Map<string, AbortController>();

  async function writeJob(job: StandInJob, seed: number, stopAfter: number | null): Promise<void> {
    const abort = new AbortController();
    writing.set(job.jobId, abort);
    const signal = AbortSignal.any([stopping.signal, abort.signal]);
    const rand = seededRandom(seed);
    const bytesPerPart = Math.max(1, Math.round(partMs * 8));
    const count = Math.max(1, Math.ceil(job.audio.length / bytesPerPart));
    const write = stopAfter === null ? count : Math.min(count, stopAfter);
    try {
      for (let i = 0; i < write; i++) {
        const jitter = opts.jitterMs ? (rand() * 2 - 1) * opts.jitterMs : 0;
        const due = job.requestedAt + firstDelay + i * interval + jitter;
        await sleep(Math.max(0, due - Date.now()), undefined, { signal });
        const audio = job.audio.subarray(i * bytesPerPart, (i + 1) * bytesPerPart);
        const layout = layouts[i % layouts.length]!;
        const n = firstIndex + i;
        const key = partKey(scheme, job.jobId, n);
        const putAt = Date.now();
        await opts.writer.put(key, buildWav(Buffer.from(audio), layout));
        job.parts.push({ part: n, key, layout, bytes: audio.length, putAt, landedAt: Date.now() });
        notify(job, { part: n });
      }
      if (stopAfter !== null) {
        job.state = 'stopped';
        return;
      }
      await sleep(opts.doneDelayMs ?? 20, undefined, { signal });
      await opts.writer.put(doneKey(scheme, job.jobId), Buffer.alloc(0));
      job.doneAt = Date.now();
      job.state = 'done';
      notify(job, { done: true });
    } catch (err) {
      if (abort.signal.aborted) job.state = 'cancelled';
      else job.state = stopping.signal.aborted ? 'stopped' : 'failed';
      if (!signal.aborted) job.error = err instanceof Error ? err.message : String(err);
    } finally {
      writing.delete(job.jobId);
    }
  }

  /** A part notice to the job's notify_url: at most once, never awaited by the writes (the service's own rule). */
  function notify(job: StandInJob, notice: { part?: number; done?: boolean }): void {
    if (!job.notifyUrl || opts.dropNotice?.(notice, job)) return;
    const sent = { ...notice, status: 0 };
    job.notices.push(sent);
    const p = postJson(new URL(job.notifyUrl), { job_id: job.jobId, ...notice }, { timeoutMs: 2000 }).then(
      (r) => void (sent.status = r.status),
      () => undefined,
    );
    running.add(p);
    void p.finally(() => running.delete(p));
  }

  const send = (res: ServerResponse, status: number, body: unknown) => {
    res.writeHead(status, { 'content-type': 'application/json' });
    res.end(JSON.stringify(body));
  };

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (req.method === 'DELETE') {
      const jobId = decodeURIComponent((req.url ?? '').split('?')[0]!.split('/').pop() ?? '');
      const job = jobs.get(jobId);
      if (!job) return send(res, 404, { error: `no job ${jobId.slice(0, 80)}` });
      job.cancelledAt ??= Date.now();
      writing.get(jobId)?.abort();
      return send(res, 200, { job_id: jobId, state: job.state === 'writing' ? 'cancelled' : job.state });
    }
    if (req.method !== 'POST') return send(res, 405, { error: 'POST a JSON {text, callSid, streamSid}' });
    let raw = '';
    for await (const chunk of req) {
      raw += chunk;
      if (raw.length > 64 * 1024) return send(res, 413, { error: 'request too large' });
    }
    let body: { text?: unknown; callSid?: unknown; streamSid?: unknown; notify_url?: unknown };
    try {
      body = JSON.parse(raw) as typeof body;
    } catch {
      return send(res, 400, { error: 'body is not JSON' });
    }
    if (typeof body.text !== 'string' || !body.text.trim()) return send(res, 400, { error: 'text is required' });
    const text = body.text;
    const callSid = typeof body.callSid === 'string' ? body.callSid : undefined;
    const failure = opts.fail?.({ text, callSid }) ?? null;
    if (failure === 'http500') return send(res, 500, { error: 'synthesis backend unavailable' });
    if (failure === 'no-job-id') return send(res, 200, { status: 'accepted' });
    if (failure === 'timeout') return; // never answer; stop() drops the connection
    let audio: Buffer;
    try {
      audio = await opts.audioFor(text);
    } catch (err) {
      return send(res, 500, { error: `synthesis failed: ${err instanceof Error ? err.message : String(err)}` });
    }
    counter++;
    const jobId = `job-${counter}-${randomBytes(4).toString('hex')}`;
    const job: StandInJob = {
      jobId,
      text,
      callSid,
      streamSid: typeof body.streamSid === 'string' ? body.streamSid : undefined,
      requestedAt: Date.now(),
      audio,
      parts: [],
      state: 'writing',
      notices: [],
      ...(typeof body.notify_url === 'string' && /^https?:\/\//.test(body.notify_url) ? { notifyUrl: body.notify_url } : {}),
    };
    jobs.set(jobId, job);
    const count = Math.max(1, Math.ceil(audio.length / Math.max(1, Math.round(partMs * 8))));
    const p = writeJob(job, counter, failure === 'parts-stop' ? Math.max(1, Math.floor(count / 2)) : null);
    running.add(p);
    void p.finally(() => running.delete(p));
    send(res, 200, { job_id: jobId });
  }

  const server = createServer((req, res) => {
    handle(req, res).catch((err: unknown) => {
      if (!res.headersSent) send(res, 500, { error: err instanceof Error ? err.message : String(err) });
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/tts`,
    jobs,
    async stop() {
      stopping.abort();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await Promise.all([...running]);
    },
  };
}
