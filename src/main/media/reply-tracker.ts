// One bot reply on a stream: iterates the TTS parts into the playout queue, tracks marks (played, or cleared when a
// clear was sent after them), and reports tts.job / tts.part / mark / underrun events. On a TTS failure it plays the
// apology. Its lifecycle is the pure state machine in reply-state.ts; this class carries out the effects.
// `outcome` settles once: played (end mark heard), failed (apology heard), interrupted or cancelled, with how much of
// the reply the caller heard. A reply can be paused (the playout stops sending, Twilio's buffer is cleared and the
// unplayed frames go back to the head of the queue) and resumed from exactly there.
import type { CallEventBody, TtsPart } from '../../shared/model';
import type { Logger } from '../log';
import type { AudioPart, ReplyAudio } from '../tts/types';
import type { Pacer, StarveCause } from './pacer';
import { FRAME_MS } from './pacer';
import type { Playout } from './playout';
import { Marker, ReplyFrames } from './reply-frames';
import { initialReplyState, isLive, stepReply, type ReplyEvent, type ReplyState } from './reply-state';

const END = -1;
const APOLOGY = -2;

export interface ReplyDeps {
  audio: ReplyAudio;
  replyId: string;
  text: string;
  streamSid: string;
  playout: Playout;
  pacer: Pacer;
  log: Logger;
  now: () => number;
  loadApology: () => Buffer;
  emit(body: CallEventBody, at?: number): void;
  markEchoUnknown(name: string): void;
  /** Called synchronously when the outcome settles (before the promise's handlers run). */
  settled?(o: ReplyOutcome): void;
}

export interface WindowCounts {
  marksSent: number;
  marksPlayed: number;
  marksCleared: number;
  underruns: number;
}

export interface ReplyOutcome {
  status: 'played' | 'failed' | 'interrupted' | 'cancelled';
  reason?: string;
  /** Audio the caller heard (mark echoes and the pacing model), and the reply's audio received so far (ms). */
  heardMs: number;
  replyMs: number;
  pausedMs: number;
}

/** Step times of the reply, epoch ms (turn.latency). */
export interface ReplyTimes {
  ttsJobAt?: number;
  firstFrameAt?: number;
  /** When Twilio was expected to play the first frame (pacing model). */
  heardAt?: number;
}

interface PartRecord extends TtsPart {
  emitted?: boolean;
}

export class ReplyTracker {
  readonly replyId: string;
  readonly outcome: Promise<ReplyOutcome>;
  readonly times: ReplyTimes = {};
  /** Resolves when the first frame reached the wire (never, if none does). */
  readonly firstFrame: Promise<ReplyTimes>;
  private state: ReplyState = initialReplyState();
  private settle!: (o: ReplyOutcome) => void;
  private onFirstFrame!: (t: ReplyTimes) => void;
  private jobId: string | undefined;
  private readonly frames = new ReplyFrames();
  private readonly parts = new Map<number, PartRecord>();
  private lastPart = -1;
  private receivedMs = 0;
  private playedMs = 0;
  /** The stream's frame count when this reply began (the playout is shared by every reply of the stream). */
  private readonly baseFrames: number;
  /** Bumped by every clear: marks sent before it echo as cleared. */
  private clears = 0;
  private readonly outstanding = new Map<string, Array<{ clears: number; part: number }>>();
  private counts: WindowCounts = { marksSent: 0, marksPlayed: 0, marksCleared: 0, underruns: 0 };
  private lastWindowAt: number;
  private underrunAlerted = false;
  private stopReason = '';

  constructor(private readonly d: ReplyDeps) {
    this.replyId = d.replyId;
    this.lastWindowAt = d.now();
    this.baseFrames = d.playout.framesSent;
    this.outcome = new Promise((r) => (this.settle = r));
    this.firstFrame = new Promise((r) => (this.onFirstFrame = r));
  }

  get phase(): ReplyState['phase'] {
    return this.state.phase;
  }

  /** Drive the reply to its end; never rejects. */
  async run(): Promise<void> {
    const d = this.d;
    try {
      this.jobId = await d.audio.jobId;
    } catch (err) {
      return this.fail(err);
    }
    this.step({ type: 'job-started' });
    if (!isLive(this.state)) return;
    d.playout.setExpectingMore(true);
    try {
      for await (const part of d.audio.parts()) {
        if (!isLive(this.state)) return;
        this.addPart(part);
      }
    } catch (err) {
      return this.fail(err);
    }
    if (isLive(this.state)) this.finishAudio();
  }

  private step(e: ReplyEvent, now = this.d.now()): void {
    const { state, effects } = stepReply(this.state, e, now);
    this.state = state;
    const d = this.d;
    for (const effect of effects) {
      switch (effect) {
        case 'report-job-started':
          this.times.ttsJobAt = now;
          d.emit({ type: 'tts.job', replyId: this.replyId, status: 'started', jobId: this.jobId, text: d.text }, now);
          break;
        case 'report-job-done': {
          const firstAudioMs = this.times.firstFrameAt === undefined ? undefined : Math.round(this.times.firstFrameAt - d.audio.stats.startedAt);
          d.emit({ type: 'tts.job', replyId: this.replyId, status: 'done', jobId: this.jobId, firstAudioMs }, now);
          break;
        }
        case 'play-apology':
          this.playApology();
          break;
        case 'stop-sending':
          d.playout.pause(now);
          this.clears++;
          break;
        case 'send-again':
          d.playout.resume();
          d.pacer.kick();
          break;
        case 'cancel-job':
          d.playout.clear();
          d.audio.cancel(this.stopReason || state.phase);
          for (const rec of this.parts.values()) if (!rec.emitted) this.emitPart({ ...rec, flags: [...rec.flags, `not-sent:${this.stopReason || state.phase}`] }, now);
          break;
        case 'report-job-cancelled':
          d.emit({ type: 'tts.job', replyId: this.replyId, status: 'cancelled', jobId: this.jobId }, now);
          break;
        case 'settle': {
          const status = state.phase === 'finished' ? 'played' : (state.phase as ReplyOutcome['status']);
          const outcome: ReplyOutcome = { status, ...(this.stopReason ? { reason: this.stopReason } : {}), ...this.heard(now), pausedMs: state.pausedMs };
          this.settle(outcome);
          d.settled?.(outcome);
          break;
        }
      }
    }
  }

  private addPart(p: AudioPart): void {
    const d = this.d;
    const name = `${this.replyId}:part${p.part}`;
    this.parts.set(p.part, { replyId: this.replyId, jobId: this.jobId ?? '', part: p.part, key: p.key, bytes: p.bytes, audioMs: p.audioMs, landedAt: p.landedAt, seenAt: p.seenAt, flags: [...p.flags] });
    this.lastPart = p.part;
    this.receivedMs += p.audioMs;
    d.playout.enqueue(this.frames.part(p.part, p.audio, name));
    d.audio.setQueuedMs(d.playout.queuedMs);
    d.pacer.kick();
  }

  private finishAudio(): void {
    const d = this.d;
    const entries = this.frames.end(`${this.replyId}:end`);
    if (this.frames.padBytes > 0) this.parts.get(this.lastPart)?.flags.push('padded-last-frame');
    d.playout.enqueue(entries);
    d.playout.setExpectingMore(false);
    if (d.playout.available() === 0) d.playout.drainMarkers(d.now());
    d.pacer.kick();
  }

  private fail(err: unknown): void {
    if (!isLive(this.state)) return;
    const error = err instanceof Error ? err.message : `TTS failed: ${String(err)}`;
    this.d.log.info({ error, replyId: this.replyId, jobId: this.jobId, streamSid: this.d.streamSid }, 'tts reply failed: playing the apology');
    this.d.emit({ type: 'tts.job', replyId: this.replyId, status: 'failed', jobId: this.jobId, error });
    this.step({ type: 'job-failed' });
  }

  private playApology(): void {
    const d = this.d;
    try {
      d.playout.enqueue(this.frames.part(APOLOGY, d.loadApology(), `${this.replyId}:apology`));
    } catch (apologyErr) {
      d.log.error({ err: apologyErr }, 'apology clip could not be loaded: ending the stream without it');
    }
    this.finishAudio();
  }

  /** A marker reached the wire (called from the pacer tick: bookkeeping only, events are deferred). */
  onMarker(marker: Marker, now: number): void {
    if (marker.kind === 'part-start') {
      if (this.times.firstFrameAt === undefined) {
        this.times.firstFrameAt = now;
        this.times.heardAt = now + this.d.playout.bufferedMs(now);
        this.onFirstFrame(this.times);
      }
      const rec = this.parts.get(marker.part);
      if (rec && rec.firstFrameAt === undefined) rec.firstFrameAt = now;
      return;
    }
    const queue = this.outstanding.get(marker.name) ?? [];
    queue.push({ clears: this.clears, part: marker.part });
    this.outstanding.set(marker.name, queue);
    this.counts.marksSent++;
    this.d.emit({ type: 'mark', name: marker.name, outcome: 'sent' }, now);
    const rec = this.parts.get(marker.part);
    if (rec && !rec.emitted) {
      rec.firstFrameAt ??= now;
      rec.lastFrameAt = now;
      this.emitPart(rec, now);
    }
    if (marker.part === END) this.step({ type: 'all-sent' }, now);
  }

  onUnderrun(now: number, cause: StarveCause = 'late-part'): void {
    this.counts.underruns++;
    if (this.underrunAlerted) return;
    this.underrunAlerted = true;
    const message =
      cause === 'stall'
        ? `Audio underrun on reply ${this.replyId}: the host fell behind for longer than the ${this.d.pacer.leadMs} ms lead (overloaded?)`
        : `Audio underrun on reply ${this.replyId}: TTS part ${this.lastPart + 1} was late and the ${this.d.pacer.leadMs} ms lead ran out`;
    this.d.emit({ type: 'alert', alert: { kind: 'underrun', at: now, message } }, now);
  }

  /** Whether a mark name belongs to this reply. */
  owns(name: string): boolean {
    return name.startsWith(`${this.replyId}:`);
  }

  /** Twilio echoed a mark: played, unless a clear was sent after it (then Twilio echoes it as it empties). */
  markEcho(name: string, now: number): void {
    const queue = this.outstanding.get(name);
    const m = queue?.shift();
    if (!m) return this.d.markEchoUnknown(name);
    if (queue!.length === 0) this.outstanding.delete(name);
    const outcome = m.clears === this.clears ? 'played' : 'cleared';
    if (outcome === 'played') this.counts.marksPlayed++;
    else this.counts.marksCleared++;
    this.d.emit({ type: 'mark', name, outcome }, now);
    if (outcome !== 'played') return;
    this.playedMs += this.parts.get(m.part)?.audioMs ?? 0;
    if (m.part === END) this.step({ type: 'end-heard' }, now);
  }

  /** The bot is audible: frames have left, the reply is live and not paused. */
  speaking(): boolean {
    return (this.state.phase === 'playing' || this.state.phase === 'apology') && this.d.playout.framesSent > this.baseFrames;
  }

  paused(): boolean {
    return this.state.phase === 'paused';
  }

  /** Not over yet (starting, playing, paused): it may still be heard. */
  live(): boolean {
    return isLive(this.state);
  }

  /** Yield: stop sending, forget what Twilio had not played (the clear is the session's). What was heard so far. */
  pause(now: number): { heardMs: number; replyMs: number } {
    this.step({ type: 'pause' }, now);
    return this.heard(now);
  }

  /** Carry on from the first frame the caller did not hear. Returns the pause length (ms). */
  resume(now: number): { heardMs: number; replyMs: number; pauseMs: number } {
    const before = this.state.pausedMs;
    this.step({ type: 'resume' }, now);
    return { ...this.heard(now), pauseMs: Math.round(this.state.pausedMs - before) };
  }

  /** The caller took the turn (the clear is already sent): what was heard, then stop. */
  interrupt(now: number): { heardMs: number; replyMs: number } {
    const heard = this.heard(now);
    if (this.state.phase !== 'paused') this.clears++;
    this.stopReason ||= 'barge-in';
    this.step({ type: 'interrupt' }, now);
    return heard;
  }

  /** No more audio: cancel the TTS job (no more S3 requests), report parts not fully sent. Idempotent. */
  stop(reason: string, now: number): void {
    this.stopReason ||= reason;
    this.step({ type: 'cancel' }, now);
  }

  private heard(now: number): { heardMs: number; replyMs: number } {
    const playout = this.d.playout;
    const sentMs = (playout.framesSent - this.baseFrames) * FRAME_MS;
    const buffered = this.state.phase === 'paused' ? 0 : playout.bufferedMs(now);
    return { heardMs: Math.round(Math.max(this.playedMs, sentMs - buffered)), replyMs: Math.round(this.receivedMs) };
  }

  takeWindowCounts(): WindowCounts {
    const c = this.counts;
    this.counts = { marksSent: 0, marksPlayed: 0, marksCleared: 0, underruns: 0 };
    return c;
  }

  /** Start of the current pacing window; the next one starts at `now`. */
  windowStart(now: number): number {
    const from = this.lastWindowAt;
    this.lastWindowAt = now;
    return from;
  }

  updateQueued(): void {
    if (isLive(this.state)) this.d.audio.setQueuedMs(this.d.playout.queuedMs);
  }

  private emitPart(rec: PartRecord, now: number): void {
    const own = this.parts.get(rec.part);
    if (own) own.emitted = true;
    const { emitted: _, ...part } = rec;
    this.d.emit({ type: 'tts.part', part }, now);
  }
}
