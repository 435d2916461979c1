// One stream's outbound queue as the pacer sees it: frames and markers in order. enqueue() encodes them into
// WebSocket bytes once (wire.ts); sendFrames() is the 20 ms hot path: the batch's bytes (one slice when they
// came in one enqueue) to the socket, plus the lateness record; no logging, no events, at most one buffer view.
import type { Outbound } from './messages';
import { bufferedMs, FRAME_MS, frameDeadline, newPaceState, type PacedStream, type StarveCause } from './pacer';
import { Marker, type QueueEntry } from './reply-frames';
import { LatenessRecorder } from './stats';
import { encodeTextFrames } from './wire';

/** A queued frame or marker, with its WebSocket bytes (none for a part-start marker) and, for a frame, its audio. */
interface Entry {
  wire: Buffer | null;
  marker: Marker | null;
  audio: Buffer | null;
}

/** Frames kept after sending, so a pause can put back what Twilio had not played (5 s: far more than any lead). */
const SENT_LOG_FRAMES = 250;

export interface PlayoutHooks {
  /** Ready WebSocket frames to the socket (media and mark messages, already framed). */
  write(bytes: Buffer): void;
  /** Hold the socket's writes until uncork(): a batch that spans two slabs still leaves in one write (optional). */
  cork?(): void;
  uncork?(): void;
  /** A marker reached the wire position (mark messages are sent by the playout itself). */
  marker(marker: Marker, now: number): void;
  /** A frame was due with nothing queued while more audio is expected: once per underrun. */
  underrun(now: number, cause: StarveCause): void;
  /** A frame left, with the host time Twilio is expected to play its first byte (MediaTap.outbound; optional). */
  frameSent?(audio: Buffer, playAt: number): void;
}

export class Playout implements PacedStream {
  readonly pace = newPaceState();
  readonly lateness = new LatenessRecorder();
  private queue: Array<Entry | undefined> = [];
  private head = 0;
  private frames = 0;
  private more = false;
  private starving = false;
  /** Frames sent over the whole stream (all segments). */
  framesSent = 0;
  /** Underruns over the whole stream. */
  underruns = 0;
  /** Paused (a caller sound): nothing is sent until resume(). */
  paused = false;
  /** Entries already sent, oldest first, at most SENT_LOG_FRAMES frames (the pause's rewind). */
  private sentLog: Entry[] = [];
  private sentLogFrames = 0;

  constructor(
    private readonly out: Outbound,
    private readonly hooks: PlayoutHooks,
  ) {}

  enqueue(entries: QueueEntry[]): void {
    const messages: string[] = [];
    for (const e of entries) {
      if (!(e instanceof Marker)) messages.push(this.out.media(e.toString('base64')));
      else if (e.kind === 'mark') messages.push(this.out.mark(e.name));
    }
    const { bytes, ends } = encodeTextFrames(messages);
    let m = 0;
    for (const e of entries) {
      const marker = e instanceof Marker ? e : null;
      const framed = !marker || marker.kind === 'mark';
      const wire = framed ? bytes.subarray(m === 0 ? 0 : ends[m - 1], ends[m++]) : null;
      this.queue.push({ wire, marker, audio: marker ? null : (e as Buffer) });
      if (!marker) this.frames++;
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
    this.paused = false;
    this.sentLog = [];
    this.sentLogFrames = 0;
    return dropped;
  }

  /**
   * Yield: stop sending, and put the frames that by the pacing model Twilio has not played yet (the session clears
   * them there) back at the head of the queue, with the markers between them and the last played frame, so resume()
   * sends exactly what the caller did not hear. A frame that was playing when the clear came is sent again whole.
   * Returns the frames put back.
   */
  pause(now: number): number {
    if (this.paused) return 0;
    this.paused = true;
    const unplayed = Math.min(this.sentLogFrames, Math.ceil(bufferedMs(this.pace, now) / FRAME_MS - 1e-6));
    const log = this.sentLog;
    let i = log.length;
    for (let f = 0; f < unplayed; ) if (log[--i]!.marker === null) f++;
    while (i > 0 && log[i - 1]!.marker) i--; // marks right after the last played frame may have been cleared too
    const back = log.splice(i);
    this.queue = [...back, ...this.queue.slice(this.head)];
    this.head = 0;
    this.frames += unplayed;
    this.framesSent -= unplayed;
    this.sentLogFrames -= unplayed;
    this.pace.t0 = Number.NaN; // Twilio's buffer is empty: the next frame starts a new segment
    this.pace.sent = 0;
    this.pace.backlog = false;
    return unplayed;
  }

  /** Send again from where pause() left off (the caller kicks the pacer). */
  resume(): void {
    this.paused = false;
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
    if (this.paused) return;
    this.takeMarkers(now);
    this.finishWrite();
  }

  available(): number {
    return this.paused ? 0 : this.frames;
  }

  expectingMore(): boolean {
    return this.more && !this.paused;
  }

  sendFrames(count: number, now: number, leadMs: number): void {
    this.starving = false;
    let sent = 0;
    while (sent < count) {
      const e = this.queue[this.head];
      if (e === undefined) break;
      this.queue[this.head++] = undefined;
      this.log(e);
      if (e.wire) this.append(e.wire);
      if (e.marker) {
        this.hooks.marker(e.marker, now);
        continue;
      }
      if (this.hooks.frameSent && e.audio) this.hooks.frameSent(e.audio, this.pace.t0 + this.pace.sent * FRAME_MS);
      this.lateness.record(now, now - frameDeadline(this.pace, this.pace.sent, leadMs));
      this.pace.sent++;
      this.frames--;
      this.framesSent++;
      sent++;
    }
    this.takeMarkers(now);
    this.finishWrite();
  }

  starved(now: number, cause: StarveCause): void {
    if (this.starving) return;
    this.starving = cause === 'late-part'; // a stall is one gap, over as soon as frames go out again
    this.underruns++;
    this.hooks.underrun(now, cause);
  }

  /** Keep a sent entry for a pause's rewind; the oldest go once the log holds SENT_LOG_FRAMES frames. */
  private log(e: Entry): void {
    this.sentLog.push(e);
    if (e.marker) return;
    if (++this.sentLogFrames <= SENT_LOG_FRAMES) return;
    let drop = 0;
    while (this.sentLogFrames > SENT_LOG_FRAMES / 2) if (this.sentLog[drop++]!.marker === null) this.sentLogFrames--;
    this.sentLog = this.sentLog.slice(drop);
  }

  private takeMarkers(now: number): void {
    for (let e = this.queue[this.head]; e?.marker; e = this.queue[this.head]) {
      this.queue[this.head++] = undefined;
      this.log(e);
      if (e.wire) this.append(e.wire);
      this.hooks.marker(e.marker, now);
    }
    this.compact();
  }

  // A batch's bytes: slices that continue one another in memory (one slab) merge into one run; a run is written
  // when the next slice does not continue it, or at the end of the batch, corked when there is more than one.
  /** The pending run's first slice (null: nothing pending) and where the run ends in its buffer. */
  private runFirst: Buffer | null = null;
  private runEnd = 0;
  /** Runs already written in this batch (the socket is corked from the first). */
  private runsWritten = 0;

  private append(bytes: Buffer): void {
    const first = this.runFirst;
    if (first && first.buffer === bytes.buffer && this.runEnd === bytes.byteOffset) {
      this.runEnd += bytes.length;
      return;
    }
    if (first) {
      if (this.runsWritten++ === 0) this.hooks.cork?.(); // a second run is coming: hold the socket until the last one
      this.writeRun(first);
    }
    this.runFirst = bytes;
    this.runEnd = bytes.byteOffset + bytes.length;
  }

  private writeRun(first: Buffer): void {
    const length = this.runEnd - first.byteOffset;
    this.hooks.write(length === first.length ? first : Buffer.from(first.buffer, first.byteOffset, length));
  }

  private finishWrite(): void {
    if (this.runFirst) this.writeRun(this.runFirst);
    if (this.runsWritten > 0) this.hooks.uncork?.();
    this.runFirst = null;
    this.runsWritten = 0;
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
