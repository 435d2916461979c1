// Pacing chart data: frame lateness samples, lead per window and underrun markers on one x axis
// (seconds since the call started), as uPlot's aligned arrays (pure).
import type { PacingWindow } from '../../../shared/model';

export interface PacingSeries {
  x: number[];
  lateness: Array<number | null>;
  lead: Array<number | null>;
  underrun: Array<number | null>;
  /** Right end of the data, seconds since t0. */
  end: number;
  samples: number;
}

export function pacingSeries(windows: readonly PacingWindow[], t0: number, fromMs = -Infinity): PacingSeries {
  const points: Array<[number, number | null, number | null, number | null]> = [];
  let end = 0;
  let samples = 0;
  for (const w of windows) {
    if (w.to < fromMs) continue;
    for (const [sentAt, late] of w.samples) {
      points.push([(sentAt - t0) / 1000, late, null, null]);
      samples++;
    }
    const x = (w.to - t0) / 1000;
    points.push([x, null, w.leadMs, w.underruns > 0 ? w.underruns : null]);
    end = Math.max(end, x);
  }
  points.sort((a, b) => a[0] - b[0]);
  const out: PacingSeries = { x: [], lateness: [], lead: [], underrun: [], end, samples };
  for (const [x, late, lead, under] of points) {
    const i = out.x.length - 1;
    if (i >= 0 && out.x[i] === x) {
      // same instant: merge into one row (uPlot needs strictly increasing x)
      out.lateness[i] ??= late;
      out.lead[i] ??= lead;
      out.underrun[i] ??= under;
      continue;
    }
    out.x.push(x);
    out.lateness.push(late);
    out.lead.push(lead);
    out.underrun.push(under);
  }
  return out;
}

export interface PacingNow {
  p50?: number;
  p99?: number;
  leadMs?: number;
  maxLate?: number;
}

/** The latest window's figures (what "now" looks like). */
export function pacingNow(windows: readonly PacingWindow[]): PacingNow {
  const w = windows[windows.length - 1];
  return w ? { p50: w.latenessP50, p99: w.latenessP99, leadMs: w.leadMs, maxLate: w.latenessMax } : {};
}
