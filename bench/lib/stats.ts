// Summaries the bench reports: nearest-rank percentiles over plain number arrays.

export interface Summary {
  n: number;
  p50: number;
  p99: number;
  max: number;
  min: number;
  mean: number;
}

/** Nearest-rank percentile of an ascending array (p in 0..100); NaN when empty. */
export function percentileSorted(sorted: ArrayLike<number>, p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length - 1, Math.max(0, rank - 1))];
}

export function summarize(values: ArrayLike<number>): Summary {
  const n = values.length;
  if (n === 0) return { n: 0, p50: Number.NaN, p99: Number.NaN, max: Number.NaN, min: Number.NaN, mean: Number.NaN };
  const sorted = Float64Array.from(values).sort();
  let sum = 0;
  for (let i = 0; i < n; i++) sum += sorted[i];
  return { n, p50: percentileSorted(sorted, 50), p99: percentileSorted(sorted, 99), max: sorted[n - 1], min: sorted[0], mean: sum / n };
}

/** Joins many per-stream sample arrays without spreading (spread blows the stack past ~100k values). */
export function concat(arrays: ReadonlyArray<ArrayLike<number>>): Float64Array {
  let total = 0;
  for (const a of arrays) total += a.length;
  const out = new Float64Array(total);
  let at = 0;
  for (const a of arrays) {
    out.set(a, at);
    at += a.length;
  }
  return out;
}

/** Round for display and JSON: 2 decimals below 10, 1 below 1000, integers above. */
export function round(x: number): number {
  if (!Number.isFinite(x)) return x;
  const a = Math.abs(x);
  const d = a < 10 ? 100 : a < 1000 ? 10 : 1;
  return Math.round(x * d) / d;
}
