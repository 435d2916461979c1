// One stream's outbound queue as the pacer sees it: frames and markers in order. sendFrames() is the 20 ms hot
// path: slice + base64 + send, plus the lateness record; no logging, no events, no allocation beyond the message.
import type { Outbound } from './messages';
import { bufferedMs, FRAME_MS, frameDeadline, newPaceState, type PacedStream, type StarveCause } from './pacer';
import { Marker, type QueueEntry } from './reply-frames';
import { LatenessRecorder } from './stats';

export interface PlayoutHooks {
  /** Raw text to the socket. */
  send(data: string): void;
  /** Hold the socket's writes until uncork(): a batch of frames and marks leaves in one write (optional). */
  cork?(): void;
  uncork?(): void;
  /** A marker reached the wire position (mark messages are sent by the playout itself). */
  marker(marker: Marker, now: number): void;
  /** A frame was due with nothing queued while more audio is expected: once per underrun. */
  underrun(now: number, cause: StarveCause): void;
}

export class Playout implements PacedStream {
  readonly pace = newPaceState();
  readonly lateness = new LatenessRecorder();
  private queue: Array<QueueEntry | undefined> = [];
  private head = 0;
  private frames = 0;
  private more = false;
  private starving = false;
  /** Frames sent over the whole stream (all segments). */
  framesSent = 0;
  /** Underruns over the whole stream. */
  underruns = 0;

  constructor(
    private readonly out: Outbound,
    private readonly hooks: PlayoutHooks,
  ) {}

  enqueue(entries: QueueEntry[]): void {
    for (const e of entries) {
      this.queue.push(e);
      if (!(e instanceof Marker)) this.frames++;
    }
  }

  /** More audio is coming (the reply's parts are still arriving). */
  setExpectingMore(more: boolean): void {
    this.more = more;
  }

  /** Drop everything not yet sent (barge-in / stop). Returns the frames dropped. */
  clear(): number {
    const dropped = this.frames;
    this.queue = [];
    this.head = 0;
    this.frames = 0;
    this.more = false;
    return dropped;
  }

  /** Audio queued here, not yet sent (ms). */
  get queuedMs(): number {
    return this.frames * FRAME_MS;
  }

  /** Audio sent and, by the pacing model, still playing at Twilio (ms). */
  bufferedMs(now: number): number {
    return bufferedMs(this.pace, now);
  }

  /** Markers waiting at the head of the queue (e.g. an end mark after the last frame) go out at once. */
  drainMarkers(now: number): void {
    for (let e = this.queue[this.head]; e instanceof Marker; e = this.queue[this.head]) {
      this.queue[this.head++] = undefined;
      this.emitMarker(e, now);
    }
    this.compact();
  }

  available(): number {
    return this.frames;
  }

  expectingMore(): boolean {
    return this.more;
  }

  sendFrames(count: number, now: number, leadMs: number): void {
    this.starving = false;
    this.hooks.cork?.();
    try {
      this.sendQueued(count, now, leadMs);
    } finally {
      this.hooks.uncork?.();
    }
  }

  private sendQueued(count: number, now: number, leadMs: number): void {
    let sent = 0;
    while (sent < count) {
      const e = this.queue[this.head];
      if (e === undefined) break;
      this.queue[this.head++] = undefined;
      if (e instanceof Marker) {
        this.emitMarker(e, now);
        continue;
      }
      this.hooks.send(this.out.media(e.toString('base64')));
      this.lateness.record(now, now - frameDeadline(this.pace, this.pace.sent, leadMs));
      this.pace.sent++;
      this.frames--;
      this.framesSent++;
      sent++;
    }
    this.drainMarkers(now);
  }

  starved(now: number, cause: StarveCause): void {
    if (this.starving) return;
    this.starving = cause === 'late-part'; // a stall is one gap, over as soon as frames go out again
    this.underruns++;
    this.hooks.underrun(now, cause);
  }

  private emitMarker(marker: Marker, now: number): void {
    if (marker.kind === 'mark') this.hooks.send(this.out.mark(marker.name));
    this.hooks.marker(marker, now);
  }

  private compact(): void {
    if (this.head === this.queue.length) {
      this.queue.length = 0;
      this.head = 0;
    } else if (this.head > 1024 && this.head * 2 > this.queue.length) {
      this.queue = this.queue.slice(this.head);
      this.head = 0;
    }
  }
}
