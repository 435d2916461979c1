// The TTS pipeline: speak(text) starts a job (job-client), polls its parts (poller) and hands them, in order,
// to the media session through ReplyAudio.parts(). One landing model is shared by every reply.
import type { Config } from '../config/load';
import type { Logger } from '../log';
import { startTtsJob } from './job-client';
import { keySchemeFrom } from './keys';
import { pollJob, type PollEnd } from './poller';
import { DEFAULT_TUNING, LandingModel, queuedNow, type Bucket, type PollTuning } from './schedule';
import { TtsError, type AudioPart, type PartStore, type ReplyAudio, type TtsPipeline } from './types';

export interface TtsPipelineDeps {
  config: Config;
  log: Logger;
  store: PartStore;
  ttsUrl: string;
  now?: () => number;
  /** Poll schedule knobs (tests, benchmarks); defaults are the product's. */
  tuning?: Partial<PollTuning>;
}

/** A stream's bucket is forgotten this long after its last request (streams end without telling the pipeline). */
const BUCKET_IDLE_MS = 10 * 60_000;

export function createTtsPipeline(deps: TtsPipelineDeps): TtsPipeline {
  const now = deps.now ?? Date.now;
  const tuning = { ...DEFAULT_TUNING, ...deps.tuning };
  const model = new LandingModel(tuning.alpha);
  const active = new Set<Reply>();
  // the S3 request budget is per stream: every reply of a stream draws on one bucket, which starts empty when the
  // stream's first job id arrives (the stream is not waiting on S3 before it has a job to poll)
  const buckets = new Map<string, { current: Bucket }>();
  const bucketFor = (streamSid: string) => {
    const t = now();
    for (const [sid, b] of buckets) if (t - b.current.at > BUCKET_IDLE_MS && ![...active].some((r) => r.streamSid === sid)) buckets.delete(sid);
    let b = buckets.get(streamSid);
    if (!b) buckets.set(streamSid, (b = { current: { tokens: tuning.initialTokens, at: t } }));
    return b;
  };
  let stopped = false;
  return {
    speak(text, ids) {
      const reply = new Reply(text, ids, { ...deps, now, tuning, model, bucket: () => bucketFor(ids.streamSid) });
      reply.start(stopped);
      if (!stopped) {
        active.add(reply);
        void reply.finished.then(() => active.delete(reply));
      }
      return reply;
    },
    async stop() {
      stopped = true;
      const all = [...active];
      for (const r of all) r.cancel('pipeline stopped');
      await Promise.all(all.map((r) => r.finished));
    },
  };
}

type ReplyDeps = TtsPipelineDeps & { now: () => number; tuning: PollTuning; model: LandingModel; bucket: () => { current: Bucket } };

class Reply implements ReplyAudio {
  readonly replyId: string;
  readonly streamSid: string;
  readonly jobId: Promise<string>;
  readonly stats: { s3Requests: number; startedAt: number; firstPartSeenAt?: number };
  /** Settles (never rejects) when polling has ended, however it ended. */
  readonly finished: Promise<void>;
  private readonly controller = new AbortController();
  private readonly queue: AudioPart[] = [];
  private wake: (() => void) | undefined;
  private state: { ended: false } | { ended: true; error?: TtsError } = { ended: false };
  private report: { ms: number; at: number } | undefined;
  private playEnd = 0;
  private lastSeenAt: number | undefined;
  private iterated = false;

  private resolveJob!: (jobId: string) => void;
  private rejectJob!: (err: unknown) => void;
  private started = false;

  /** Nothing starts here: start() sends the job (the pipeline calls it right after construction). */
  constructor(
    private readonly text: string,
    private readonly ids: { callSid: string; streamSid: string; replyId: string },
    private readonly d: ReplyDeps,
  ) {
    this.replyId = ids.replyId;
    this.streamSid = ids.streamSid;
    this.stats = { s3Requests: 0, startedAt: d.now() };
    const s = d.config.settings;
    this.jobId = new Promise<string>((resolve, reject) => ((this.resolveJob = resolve), (this.rejectJob = reject)));
    this.jobId.catch(() => undefined); // the media session may only iterate parts(); never an unhandled rejection
    this.finished = this.jobId
      .then((jobId) => {
        d.log.info({ callSid: ids.callSid, replyId: ids.replyId, jobId, chars: text.length }, 'tts job started');
        return pollJob({
          store: d.store,
          scheme: keySchemeFrom(s),
          jobId,
          startedAt: this.stats.startedAt,
          model: d.model,
          tuning: d.tuning,
          bucket: d.bucket(),
          idleTimeoutMs: s.JOB_IDLE_TIMEOUT_MS,
          now: d.now,
          signal: this.controller.signal,
          queuedMs: (t) => queuedNow(t, this.report, this.playEnd, this.lastSeenAt),
          onRequest: () => void this.stats.s3Requests++,
          onPart: (p) => this.push(p),
        });
      })
      .then(
        (how: PollEnd) => {
          if (how !== 'cancelled') d.log.info({ callSid: ids.callSid, replyId: ids.replyId, how, s3Requests: this.stats.s3Requests }, 'tts job complete');
          this.end();
        },
        (err: unknown) => {
          const error = err instanceof TtsError ? err : new TtsError(`TTS failed: ${err instanceof Error ? err.message : String(err)}`, 'store', err);
          if (!this.controller.signal.aborted) d.log.warn({ callSid: ids.callSid, replyId: ids.replyId, kind: error.kind, err: error.message }, 'tts job failed');
          this.end(this.controller.signal.aborted ? undefined : error);
        },
      );
  }

  /** Send the TTS job (once); `refused`: the pipeline is stopped, the reply fails at once. */
  start(refused = false): void {
    if (this.started) return;
    this.started = true;
    if (refused) {
      const error = new TtsError('TTS pipeline is stopped', 'start');
      this.rejectJob(error);
      this.end(error);
      return;
    }
    startTtsJob({
      url: this.d.ttsUrl,
      request: { text: this.text, callSid: this.ids.callSid, streamSid: this.ids.streamSid },
      timeoutMs: this.d.config.settings.TTS_TIMEOUT_MS,
      signal: this.controller.signal,
    }).then(this.resolveJob, this.rejectJob);
  }

  parts(): AsyncIterable<AudioPart> {
    if (this.iterated) throw new Error(`parts() of reply ${this.replyId} can be iterated once`);
    this.iterated = true;
    return this.iterate();
  }

  private async *iterate(): AsyncGenerator<AudioPart> {
    try {
      for (;;) {
        const next = this.queue.shift();
        if (next) {
          yield next;
          continue;
        }
        if (this.state.ended) {
          if (this.state.error) throw this.state.error;
          return;
        }
        await new Promise<void>((resolve) => (this.wake = resolve));
      }
    } finally {
      if (!this.state.ended) this.cancel('parts() consumer stopped');
    }
  }

  setQueuedMs(ms: number): void {
    if (Number.isFinite(ms)) this.report = { ms: Math.max(0, ms), at: this.d.now() };
  }

  cancel(reason: string): void {
    if (this.controller.signal.aborted) return;
    this.controller.abort(reason); // the poller checks the signal before every GET; in-flight GETs are aborted
    this.queue.length = 0;
    if (!this.state.ended) {
      this.d.log.info({ callSid: this.ids.callSid, replyId: this.replyId, reason }, 'tts reply cancelled');
      this.end();
    }
  }

  private push(part: AudioPart): void {
    if (this.state.ended) return;
    this.stats.firstPartSeenAt ??= part.seenAt;
    this.lastSeenAt = part.seenAt;
    this.playEnd = Math.max(this.playEnd, part.seenAt) + part.audioMs;
    this.queue.push(part);
    this.wake?.();
  }

  private end(error?: TtsError): void {
    if (this.state.ended) return;
    this.state = { ended: true, error };
    this.wake?.();
  }
}
