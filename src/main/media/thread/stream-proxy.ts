// The main thread's StreamControl for a stream that lives in the media thread: what a conversation calls, as
// commands (protocol.ts). speak() answers at once with a ReplyHandle whose promises the media thread settles later
// (firstFrame / outcome messages); replying() is true from speak() until that outcome arrives. Commands given before
// the stream is ready (a conversation speaks inside attach(), before the admission answer has left) wait for it.
import { randomBytes } from 'node:crypto';
import type { ReplyKind } from '../../../shared/model';
import type { ReplyOutcome, ReplyTimes } from '../reply-tracker';
import type { ReplyHandle, StreamControl } from '../session';
import type { ToMedia } from './protocol';

interface Pending {
  outcome(o: ReplyOutcome): void;
  firstFrame(t: ReplyTimes): void;
}

export class StreamProxy implements StreamControl {
  private queue: ToMedia[] | null = [];
  private readonly pending = new Map<string, Pending>();

  constructor(
    readonly callSid: string,
    readonly streamSid: string,
    private readonly send: (m: ToMedia) => void,
  ) {}

  speak(text: string, o: { turn?: number; kind: ReplyKind; replyId?: string }): ReplyHandle {
    const replyId = o.replyId ?? `R${randomBytes(5).toString('hex')}`;
    let settle!: (o: ReplyOutcome) => void;
    let first!: (t: ReplyTimes) => void;
    const outcome = new Promise<ReplyOutcome>((r) => (settle = r));
    const firstFrame = new Promise<ReplyTimes>((r) => (first = r));
    this.pending.set(replyId, { outcome: settle, firstFrame: first });
    this.command({ type: 'speak', streamSid: this.streamSid, text, kind: o.kind, replyId, ...(o.turn !== undefined ? { turn: o.turn } : {}) });
    return { replyId, outcome, firstFrame };
  }

  replying(): boolean {
    return this.pending.size > 0;
  }

  interrupt(trigger: 'vad' | 'transcript'): void {
    this.command({ type: 'control', streamSid: this.streamSid, op: 'interrupt', trigger });
  }

  pause(reason: string): void {
    this.command({ type: 'control', streamSid: this.streamSid, op: 'pause', reason });
  }

  resume(): void {
    this.command({ type: 'control', streamSid: this.streamSid, op: 'resume' });
  }

  close(reason: string): void {
    this.command({ type: 'control', streamSid: this.streamSid, op: 'close', reason });
  }

  /** The admission answer has left: queued commands follow it, later ones go at once. */
  ready(): void {
    const queued = this.queue ?? [];
    this.queue = null;
    for (const m of queued) this.send(m);
  }

  firstFrame(replyId: string, times: ReplyTimes): void {
    this.pending.get(replyId)?.firstFrame(times);
  }

  outcome(replyId: string, outcome: ReplyOutcome): void {
    this.pending.get(replyId)?.outcome(outcome);
    this.pending.delete(replyId);
  }

  /** The media thread is gone: every reply still live is cancelled. */
  abandon(reason: string): void {
    for (const p of this.pending.values()) p.outcome({ status: 'cancelled', reason, heardMs: 0, replyMs: 0, pausedMs: 0 });
    this.pending.clear();
  }

  private command(m: ToMedia): void {
    if (this.queue) this.queue.push(m);
    else this.send(m);
  }
}
