// The TTS pipeline: speak(text) starts a job (job-client), polls its parts (poller) and hands them, in order,
// to the media session through ReplyAudio.parts(). One landing model is shared by every reply.
// The reply's budget is JOB_IDLE_TIMEOUT_MS: the job's start (within min(TTS_TIMEOUT_MS, that)) and every S3 read
// for the next part must fit in it, so a failure is known — and the apology can play — within it. A failure after
// audio was handed on says so in plain words (how far the reply got). A reply cancelled (or failed) with a known
// job id tells the service (job-cancel.ts), best effort; stop() awaits those requests too. With part notices on
// (TTS_NOTIFY_URL), each reply sends a notify_url with its job and its poller wakes on the notices (notices.ts).
import type { Config } from '../config/load';
import type { Logger } from '../log';
import { cancelTarget, sendCancel, type CancelOutcome } from './job-cancel';
import { startTtsJob } from './job-client';
import { keySchemeFrom } from './keys';
import { NoticeBoard, type NoticeBox } from './notices';
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
  /** Part notices: the base URL the TTS service reaches this host at (…/tts_part/{token} is added), null = off. */
  noticeBase?: () => string | null;
  /** Every notice token opened and released (MEDIA_WORKERS: the host's route knows the live ones). */
  noticeTokens?(token: string, open: boolean): void;
}

/** A stream's bucket is forgotten this long after its last request (streams end without telling the pipeline). */
const BUCKET_IDLE_MS = 10 * 60_000;

export function createTtsPipeline(deps: TtsPipelineDeps): TtsPipeline {
  const now = deps.now ?? Date.now;
  const tuning = { ...DEFAULT_TUNING, ...deps.tuning };
  const model = new LandingModel(tuning.alpha);
  const active = new Set<Reply>();
  const cancels = new Set<Promise<unknown>>();
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
  const board = new NoticeBoard(now, deps.noticeTokens);
  let stopped = false;
  return {
    notice: (token, notice) => board.deliver(token, notice),
    speak(text, ids) {
      const track = (p: Promise<unknown>) => {
        cancels.add(p);
        void p.finally(() => cancels.delete(p));
      };
      const reply = new Reply(text, ids, { ...deps, now, tuning, model, bucket: () => bucketFor(ids.streamSid), track, board });
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
      await Promise.all([...cancels]);
    },
  };
}

type ReplyDeps = TtsPipelineDeps & {
  now: () => number;
  tuning: PollTuning;
  model: LandingModel;
  bucket: () => { current: Bucket };
  /** Keep a best-effort request (the job's cancel) for stop() to await. */
  track: (p: Promise<unknown>) => void;
  board: NoticeBoard;
};

/** The longest wait for the service to acknowledge a cancel (it never delays the call). */
const CANCEL_TIMEOUT_MS = 2000;

class Reply implements ReplyAudio {
  readonly replyId: string;
  readonly streamSid: string;
  readonly jobId: Promise<string>;
  readonly stats: { s3Requests: number; startedAt: number; firstPartSeenAt?: number; cancel?: CancelOutcome | 'sent' };
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
  private knownJobId: string | undefined;
  /** The job ended on its own (done marker, or quiet with TTS_DONE_MARKER=false): nothing to cancel. */
  private jobComplete = false;
  private partsHanded = 0;
  private audioHandedMs = 0;
  private resolveJob!: (jobId: string) => void;
  private rejectJob!: (err: unknown) => void;
  private started = false;
  /** This reply's part notices, when the service is asked for them. */
  private readonly notices: { token: string; box: NoticeBox; url: string } | undefined;

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
    const base = d.noticeBase?.() ?? null;
    if (base) {
      const { token, box } = d.board.open();
      this.notices = { token, box, url: `${base.replace(/\/+$/, '')}/tts_part/${token}` };
    }
    this.jobId = new Promise<string>((resolve, reject) => ((this.resolveJob = resolve), (this.rejectJob = reject)));
    this.jobId.catch(() => undefined); // the media session may only iterate parts(); never an unhandled rejection
    this.finished = this.jobId
      .then((jobId) => {
        this.knownJobId = jobId;
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
          requireDone: s.TTS_DONE_MARKER,
          readTimeoutMs: s.S3_REQUEST_TIMEOUT_MS,
          now: d.now,
          signal: this.controller.signal,
          queuedMs: (t) => queuedNow(t, this.report, this.playEnd, this.lastSeenAt),
          onRequest: () => void this.stats.s3Requests++,
          onPart: (p) => this.push(p),
          ...(this.notices ? { notices: this.notices.box, noticesTrusted: d.board.trusted() } : {}),
        });
      })
      .then(
        (how: PollEnd) => {
          if (how !== 'cancelled') this.jobComplete = true;
          if (how !== 'cancelled') d.log.info({ callSid: ids.callSid, replyId: ids.replyId, how, s3Requests: this.stats.s3Requests }, 'tts job complete');
          this.end();
        },
        (err: unknown) => {
          const cause = err instanceof TtsError ? err : new TtsError(`TTS failed: ${err instanceof Error ? err.message : String(err)}`, 'store', err);
          // the start's own error is the jobId's (already in words); a job that started but failed says how far it got
          const error =
            this.knownJobId === undefined
              ? cause
              : this.partsHanded > 0
                ? new TtsError(this.cutShort(cause.message), cause.kind, cause)
                : new TtsError(`The reply never started: ${cause.message}`, cause.kind, cause);
          if (!this.controller.signal.aborted) d.log.warn({ callSid: ids.callSid, replyId: ids.replyId, kind: error.kind, err: error.message }, 'tts job failed');
          const aborted = this.controller.signal.aborted;
          this.end(aborted ? undefined : error);
          // the service may still be synthesizing what nobody will hear
          if (!aborted) this.cancelJob(`failed: ${error.kind}`);
        },
      );
    // a notice after the reply ended finds no one (404): the service stops hearing about this job from us
    const notices = this.notices;
    if (notices) void this.finished.then(() => d.board.release(notices.token));
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
    const s = this.d.config.settings;
    startTtsJob({
      url: this.d.ttsUrl,
      request: { text: this.text, callSid: this.ids.callSid, streamSid: this.ids.streamSid, ...(this.notices ? { notify_url: this.notices.url } : {}) },
      // the job's start is part of the reply's budget: it can never use more than JOB_IDLE_TIMEOUT_MS
      timeoutMs: Math.min(s.TTS_TIMEOUT_MS, s.JOB_IDLE_TIMEOUT_MS),
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
    this.cancelJob(reason);
  }

  /** Tell the service to stop a job it is still writing (known id, not complete); once; never awaited by the call. */
  private cancelJob(reason: string): void {
    const jobId = this.knownJobId;
    if (!jobId || this.jobComplete || this.stats.cancel) return;
    const s = this.d.config.settings;
    let target;
    try {
      target = cancelTarget(this.d.ttsUrl, s.TTS_CANCEL_URL, jobId);
    } catch {
      target = null; // a TTS_URL the job's POST already used; the schema checks TTS_CANCEL_URL
    }
    if (!target) return;
    this.stats.cancel = 'sent';
    const log = { callSid: this.ids.callSid, replyId: this.replyId, jobId, reason, host: target.url.host };
    this.d.track(
      sendCancel(target, Math.min(CANCEL_TIMEOUT_MS, s.TTS_TIMEOUT_MS)).then((outcome) => {
        this.stats.cancel = outcome;
        if (outcome.ok) this.d.log.info({ ...log, status: outcome.status }, 'tts job cancelled at the service');
        else this.d.log.warn({ ...log, why: outcome.reason }, 'tts job cancel not acknowledged (best effort; the call goes on)');
      }),
    );
  }

  /** A failure after audio went out, in words: how far the reply got, then why. */
  private cutShort(why: string): string {
    const seconds = (this.audioHandedMs / 1000).toFixed(1);
    return `The reply was cut short after ${this.partsHanded} part${this.partsHanded === 1 ? '' : 's'} (${seconds} s of audio): ${why}`;
  }

  private push(part: AudioPart): void {
    if (this.state.ended) return;
    this.stats.firstPartSeenAt ??= part.seenAt;
    this.partsHanded++;
    this.audioHandedMs += part.audioMs;
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
