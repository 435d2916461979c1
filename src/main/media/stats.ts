// Per-stream pacing measurements: a fixed-size recorder the 20 ms tick writes into without allocating, and
// the pure summary the UI receives as a PacingWindow (at most every 250 ms per stream).

/** Frames recorded per window at most; a 250 ms window normally holds ~13 (more after a stall). */
const CAPACITY = 512;
export const MAX_SAMPLES = 25;

export class LatenessRecorder {
  readonly sentAt = new Float64Array(CAPACITY);
  readonly lateness = new Float64Array(CAPACITY);
  /** Frames in the window (may exceed CAPACITY; the excess is counted, not stored). */
  frames = 0;
  /** Largest lateness in the window, including frames past CAPACITY. */
  max = 0;

  record(sentAt: number, lateness: number): void {
    const i = this.frames++;
    if (i < CAPACITY) {
      this.sentAt[i] = sentAt;
      this.lateness[i] = lateness;
    }
    if (i === 0 || lateness > this.max) this.max = lateness;
  }

  reset(): void {
    this.frames = 0;
    this.max = 0;
  }
}

export interface LatenessSummary {
  frames: number;
  samples: Array<[number, number]>;
  p50: number;
  p99: number;
  max: number;
}

const round = (x: number) => Math.round(x * 10) / 10;

/** Nearest-rank percentile of sorted values. */
export function percentile(sorted: ArrayLike<number>, p: number): number {
  if (sorted.length === 0) return 0;
  const rank = Math.min(sorted.length, Math.max(1, Math.ceil((p / 100) * sorted.length)));
  return sorted[rank - 1]!;
}

/** p50/p99/max of the window's lateness and at most `maxSamples` [sentAt, lateness] points (the worst one always kept). */
export function summarize(rec: LatenessRecorder, maxSamples = MAX_SAMPLES): LatenessSummary {
  const n = Math.min(rec.frames, CAPACITY);
  if (n === 0) return { frames: rec.frames, samples: [], p50: 0, p99: 0, max: round(rec.max) };
  const sorted = rec.lateness.slice(0, n).sort();
  const step = Math.max(1, Math.ceil(n / maxSamples));
  let worst = 0;
  for (let i = 1; i < n; i++) if (rec.lateness[i]! > rec.lateness[worst]!) worst = i;
  const samples: Array<[number, number]> = [];
  for (let i = 0; i < n; i += step) {
    const j = worst >= i && worst < i + step ? worst : i;
    samples.push([Math.round(rec.sentAt[j]!), round(rec.lateness[j]!)]);
  }
  return { frames: rec.frames, samples, p50: round(percentile(sorted, 50)), p99: round(percentile(sorted, 99)), max: round(rec.max) };
}
