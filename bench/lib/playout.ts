// What the Twilio side hears: per-stream arrival analysis of outbound media against the 20 ms grid.
// Pure (arrival times are passed in). Hand-written: this is the benchmark's definition of lateness and
// underrun, so it must be explicit and table-tested (see docs/BENCHMARKS.md "Definitions").
//
// - Frame k is the k-th 160-byte unit of the reply's audio (whatever the message sizes); it arrives with the
//   message that carries its last byte.
// - Grid lateness: arrival(k) - (arrival(0) + 20k). Negative = ahead of the playout grid.
// - Beyond-lead lateness: arrival(k) - (arrival(0) + max(0, 20k - lead)), i.e. against the deadline a
//   sender with that lead promises. This is the "lateness beyond the lead" the goals are written in.
// - Twilio's buffer is modelled as playing from the first arrival with no jitter buffer of its own: a frame
//   arriving after everything before it has finished playing is an underrun (an audible gap), and playout
//   restarts at that frame. Lead = audio buffered at Twilio just after an arrival.

export const FRAME_BYTES = 160;
export const FRAME_MS = 20;
const MS_PER_BYTE = FRAME_MS / FRAME_BYTES;

export interface PlayoutResult {
  bytes: number;
  frames: number;
  firstAt: number;
  lastAt: number;
  /** Per frame, ms. */
  lateness: Float64Array;
  beyondLead: Float64Array;
  underruns: number;
  /** Total silence heard inside the reply because of underruns, ms. */
  gapMs: number;
  maxLeadMs: number;
}

export class StreamPlayout {
  private bytes = 0;
  private firstAt = Number.NaN;
  private lastAt = Number.NaN;
  private playEnd = Number.NaN;
  private readonly lateness: number[] = [];
  private readonly beyondLead: number[] = [];
  private underruns = 0;
  private gapMs = 0;
  private maxLeadMs = 0;

  /** lead: the sender's nominal lead in ms (Infinity for a sender that sends everything at once). */
  constructor(readonly leadMs: number) {}

  /** `byteCount` bytes of audio arrived at `at` (ms). */
  received(byteCount: number, at: number): void {
    if (byteCount <= 0) return;
    if (Number.isNaN(this.firstAt)) {
      this.firstAt = at;
      this.playEnd = at;
    } else if (at > this.playEnd) {
      this.underruns++;
      this.gapMs += at - this.playEnd;
      this.playEnd = at;
    }
    const before = this.bytes;
    this.bytes += byteCount;
    this.lastAt = at;
    this.playEnd += byteCount * MS_PER_BYTE;
    this.maxLeadMs = Math.max(this.maxLeadMs, this.playEnd - at);
    // frames completed by this message (a trailing partial frame completes at the end of the reply)
    for (let k = Math.floor(before / FRAME_BYTES); k < Math.floor(this.bytes / FRAME_BYTES); k++) this.frameArrived(k, at);
  }

  private frameArrived(k: number, at: number): void {
    // (kept in plain arrays while receiving; result() copies)
    this.lateness.push(at - (this.firstAt + k * FRAME_MS));
    this.beyondLead.push(at - (this.firstAt + Math.max(0, k * FRAME_MS - this.leadMs)));
  }

  /** When everything received so far will have played (a mark sent now is echoed then). NaN before audio. */
  get playoutEnd(): number {
    return this.playEnd;
  }

  get started(): boolean {
    return !Number.isNaN(this.firstAt);
  }

  get receivedBytes(): number {
    return this.bytes;
  }

  /** The analysis so far; a trailing partial frame counts as arrived with the last message. */
  result(): PlayoutResult {
    const lateness = this.lateness.slice();
    const beyondLead = this.beyondLead.slice();
    if (this.bytes % FRAME_BYTES !== 0) {
      const k = Math.floor(this.bytes / FRAME_BYTES);
      lateness.push(this.lastAt - (this.firstAt + k * FRAME_MS));
      beyondLead.push(this.lastAt - (this.firstAt + Math.max(0, k * FRAME_MS - this.leadMs)));
    }
    return {
      bytes: this.bytes,
      frames: lateness.length,
      firstAt: this.firstAt,
      lastAt: this.lastAt,
      lateness: Float64Array.from(lateness),
      beyondLead: Float64Array.from(beyondLead),
      underruns: this.underruns,
      gapMs: this.gapMs,
      maxLeadMs: this.maxLeadMs,
    };
  }
}

/** Byte-exact check, incremental: compares each payload with the expected audio at the running offset. */
export class ExactCheck {
  private offset = 0;
  private mismatchAt = -1;

  constructor(private readonly expected: Buffer) {}

  push(payload: Buffer): void {
    if (this.mismatchAt >= 0) {
      this.offset += payload.length;
      return;
    }
    for (let i = 0; i < payload.length; i++) {
      const at = this.offset + i;
      // past the end only mu-law silence padding of the last frame is allowed
      const want = at < this.expected.length ? this.expected[at] : 0xff;
      if (payload[i] !== want || at >= this.expected.length + FRAME_BYTES - 1) {
        this.mismatchAt = at;
        break;
      }
    }
    this.offset += payload.length;
  }

  /** Exact = every expected byte arrived in order, nothing else but a final frame's 0xFF padding. */
  get exact(): boolean {
    return this.mismatchAt < 0 && this.offset >= this.expected.length;
  }

  describe(): string {
    if (this.mismatchAt >= 0) return `first differing byte at ${this.mismatchAt}`;
    if (this.offset < this.expected.length) return `short: ${this.offset} of ${this.expected.length} bytes`;
    return 'exact';
  }
}
