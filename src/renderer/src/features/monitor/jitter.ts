// The listen-in jitter buffer: when to play each batch of a call's audio in the page. The host stamps every batch
// with `at`, the host time of its first byte (caller: arrival; bot: when Twilio played it); both legs share one
// mapping from host time to the page's audio clock, so they stay aligned. The mapping is the freshest lag seen
// (min over batches of localNow - at) plus `targetMs` of cushion: batches that arrive up to targetMs later than the
// freshest still play on time and in order. If the cushion grows past `maxBehindMs` (a stale first batch, a stall),
// the mapping is re-anchored and playback jumps to live. A batch that ends before now is dropped; one that started
// is played from now (its head skipped). Pure: times in ms, passed in.

export interface JitterOptions {
  /** Cushion behind the freshest batch (default 160 ms). */
  targetMs?: number;
  /** Never further behind live than this (default 300 ms). */
  maxBehindMs?: number;
}

export interface Slot {
  /** Local time (ms) to start playing. */
  startMs: number;
  /** Milliseconds of the batch's head to skip (it arrived late). */
  skipMs: number;
}

export class JitterClock {
  private freshest = Infinity;
  private offset: number | null = null;
  private readonly targetMs: number;
  private readonly maxBehindMs: number;
  /** Batches dropped because they arrived after their time. */
  late = 0;
  /** Times the mapping jumped to live. */
  resyncs = 0;

  constructor(o: JitterOptions = {}) {
    this.targetMs = o.targetMs ?? 160;
    this.maxBehindMs = o.maxBehindMs ?? 300;
  }

  /** Where a batch of `durationMs` stamped `at` (host ms) plays, seen at local time `nowMs`; null: too late. */
  schedule(at: number, durationMs: number, nowMs: number): Slot | null {
    const lag = nowMs - at;
    if (lag < this.freshest) this.freshest = lag;
    if (this.offset === null) this.offset = lag + this.targetMs;
    if (this.offset - this.freshest > this.maxBehindMs) {
      this.offset = this.freshest + this.targetMs;
      this.resyncs++;
    }
    const start = at + this.offset;
    if (start + durationMs <= nowMs) {
      this.late++;
      return null;
    }
    const skipMs = Math.max(0, nowMs - start);
    return { startMs: start + skipMs, skipMs };
  }

  /** How far behind live playback runs now (ms), or null before the first batch. */
  get behindMs(): number | null {
    return this.offset === null ? null : Math.round(this.offset - this.freshest);
  }
}

/** A leg's level over time, for the meter: the level of the batch playing at `nowMs` (-90 when none). */
export class LevelTrack {
  private spans: Array<{ from: number; to: number; db: number }> = [];

  add(from: number, to: number, db: number): void {
    this.spans.push({ from, to, db });
    if (this.spans.length > 64) this.spans.splice(0, this.spans.length - 64);
  }

  at(nowMs: number): number {
    for (let i = this.spans.length - 1; i >= 0; i--) {
      const s = this.spans[i]!;
      if (s.from <= nowMs && nowMs < s.to) return s.db;
    }
    return -90;
  }
}

/** Meter fill 0..1 for a level in dBFS (-60 dB and below: empty). */
export const meterFill = (db: number): number => Math.max(0, Math.min(1, (db + 60) / 60));
