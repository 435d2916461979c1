// One bot reply on a stream: iterates the TTS parts into the playout queue, tracks marks (played vs cleared by
// generation), and reports tts.job / tts.part / mark / underrun events. On a TTS failure it plays the apology.
import type { CallEventBody, TtsPart } from '../../shared/model';
import type { Logger } from '../log';
import type { AudioPart, ReplyAudio } from '../tts/types';
import type { Pacer, StarveCause } from './pacer';
import { FRAME_MS } from './pacer';
import type { Playout } from './playout';
import { Marker, ReplyFrames } from './reply-frames';

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
  /** The end mark was echoed as played: the caller heard the whole reply. */
  played(): void;
}

export interface WindowCounts {
  marksSent: number;
  marksPlayed: number;
  marksCleared: number;
  underruns: number;
}

interface PartRecord extends TtsPart {
  emitted?: boolean;
}

export class ReplyTracker {
  readonly replyId: string;
  private status: 'starting' | 'playing' | 'done' | 'failed' | 'cancelled' = 'starting';
  private jobId: string | undefined;
  private readonly frames = new ReplyFrames();
  private readonly parts = new Map<number, PartRecord>();
  private lastPart = -1;
  private receivedMs = 0;
  private playedMs = 0;
  private firstFrameAt: number | undefined;
  private generation = 0;
  private readonly outstanding = new Map<string, { generation: number; part: number }>();
  private counts: WindowCounts = { marksSent: 0, marksPlayed: 0, marksCleared: 0, underruns: 0 };
  private lastWindowAt: number;
  private underrunAlerted = false;
  private stopped = false;
  private interrupted = false;
  private endPlayed = false;

  constructor(private readonly d: ReplyDeps) {
    this.replyId = d.replyId;
    this.lastWindowAt = d.now();
  }

  /** Drive the reply to its end; never rejects. */
  async run(): Promise<void> {
    const d = this.d;
    try {
      this.jobId = await d.audio.jobId;
    } catch (err) {
      return this.fail(err);
    }
    if (this.stopped) return;
    this.status = 'playing';
    d.emit({ type: 'tts.job', replyId: this.replyId, status: 'started', jobId: this.jobId, text: d.text });
    d.playout.setExpectingMore(true);
    try {
      for await (const part of d.audio.parts()) {
        if (this.stopped) return;
        this.addPart(part);
      }
    } catch (err) {
      return this.fail(err);
    }
    if (!this.stopped) this.finishAudio();
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
    if (this.stopped) return;
    const d = this.d;
    this.status = 'failed';
    const error = err instanceof Error ? err.message : `TTS failed: ${String(err)}`;
    d.log.info({ error, replyId: this.replyId, jobId: this.jobId, streamSid: d.streamSid }, 'tts reply failed: playing the apology');
    d.emit({ type: 'tts.job', replyId: this.replyId, status: 'failed', jobId: this.jobId, error });
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
      this.firstFrameAt ??= now;
      const rec = this.parts.get(marker.part);
      if (rec && rec.firstFrameAt === undefined) rec.firstFrameAt = now;
      return;
    }
    this.outstanding.set(marker.name, { generation: this.generation, part: marker.part });
    this.counts.marksSent++;
    this.d.emit({ type: 'mark', name: marker.name, outcome: 'sent' }, now);
    const rec = this.parts.get(marker.part);
    if (rec) {
      rec.firstFrameAt ??= now;
      rec.lastFrameAt = now;
      this.emitPart(rec, now);
    }
    if (marker.part === END && this.status === 'playing') {
      this.status = 'done';
      const firstAudioMs = this.firstFrameAt === undefined ? undefined : Math.round(this.firstFrameAt - this.d.audio.stats.startedAt);
      this.d.emit({ type: 'tts.job', replyId: this.replyId, status: 'done', jobId: this.jobId, firstAudioMs }, now);
    }
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

  /** Twilio echoed a mark: played, unless a clear was sent after it (then Twilio echoes it as it empties). */
  markEcho(name: string, now: number): void {
    const m = this.outstanding.get(name);
    if (!m) return this.d.markEchoUnknown(name);
    this.outstanding.delete(name);
    const outcome = m.generation === this.generation ? 'played' : 'cleared';
    if (outcome === 'played') this.counts.marksPlayed++;
    else this.counts.marksCleared++;
    this.d.emit({ type: 'mark', name, outcome }, now);
    if (outcome !== 'played') return;
    this.playedMs += this.parts.get(m.part)?.audioMs ?? 0;
    if (m.part === END && !this.endPlayed) {
      this.endPlayed = true;
      this.d.played();
    }
  }

  /** The bot is audible: frames have left and the end has not been heard. */
  speaking(): boolean {
    return !this.stopped && !this.interrupted && !this.endPlayed && this.d.playout.framesSent > 0;
  }

  /** Barge-in (the clear is already sent): what was heard, then stop. */
  interrupt(now: number): { heardMs: number; replyMs: number } {
    const playout = this.d.playout;
    this.generation++;
    this.interrupted = true;
    const sentMs = playout.framesSent * FRAME_MS;
    const heardMs = Math.round(Math.max(this.playedMs, sentMs - playout.bufferedMs(now)));
    this.stop('barge-in', now);
    return { heardMs, replyMs: Math.round(this.receivedMs) };
  }

  /** No more audio: cancel the TTS job (no more S3 requests), report parts not fully sent. Idempotent. */
  stop(reason: string, now: number): void {
    if (this.stopped) return;
    this.stopped = true;
    const d = this.d;
    d.playout.clear();
    d.audio.cancel(reason);
    if (this.status === 'starting' || this.status === 'playing') {
      this.status = 'cancelled';
      d.emit({ type: 'tts.job', replyId: this.replyId, status: 'cancelled', jobId: this.jobId }, now);
    }
    for (const rec of this.parts.values()) if (!rec.emitted) this.emitPart({ ...rec, flags: [...rec.flags, `not-sent:${reason}`] }, now);
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
    if (!this.stopped) this.d.audio.setQueuedMs(this.d.playout.queuedMs);
  }

  private emitPart(rec: PartRecord, now: number): void {
    const own = this.parts.get(rec.part);
    if (own) own.emitted = true;
    const { emitted: _, ...part } = rec;
    this.d.emit({ type: 'tts.part', part }, now);
  }
}
