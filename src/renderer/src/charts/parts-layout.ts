// Where each TTS part of one reply sits on the waterfall (pure; times in ms from the reply start).
import type { PacingWindow, TtsPart } from '../../../shared/model';
import type { ReplyInfo } from '../store/audio-buffers';

export const FRAME_MS = 20;
/** Between one part's last frame and the next part's first, more than this is a gap the caller hears. */
export const GAP_TOLERANCE_MS = 2 * FRAME_MS;

export interface PartRow {
  part: number;
  key: string;
  /** Landed in S3 (clamped to not be after seen: S3 LastModified has second resolution). */
  landed: number;
  seen: number;
  first?: number;
  /** Last frame sent, or projected from the first frame + audio length while still sending. */
  last?: number;
  projected: boolean;
  /** Sending stopped early (barge-in, hang-up): the bar ends where the reply was cut. */
  cut: boolean;
  audioMs: number;
  error?: string;
  flags: string[];
}

export interface Gap {
  afterPart: number;
  from: number;
  to: number;
}

export interface ReplyLayout {
  replyId: string;
  /** Epoch ms that x = 0 stands for. */
  t0: number;
  rows: PartRow[];
  gaps: Gap[];
  underrunsAt: number[];
  ttfaMs?: number;
  /** Right edge of the chart, ms from t0. */
  span: number;
  stillSending: boolean;
}

export function layoutReply(reply: ReplyInfo, parts: readonly TtsPart[], windows: readonly PacingWindow[], now: number): ReplyLayout {
  const sorted = [...parts].sort((a, b) => a.part - b.part);
  const earliest = Math.min(...sorted.map((p) => Math.min(p.seenAt, p.landedAt ?? p.seenAt)));
  const t0 = reply.startedAt ?? (Number.isFinite(earliest) ? earliest : now);
  let stillSending = false;
  const active = reply.status === 'started' || reply.status === 'unknown';
  const cutAt = reply.bargein ? reply.bargein.at - t0 : reply.endedAt !== undefined ? reply.endedAt - t0 : undefined;
  const rows: PartRow[] = sorted.map((p) => {
    const seen = p.seenAt - t0;
    const landed = Math.min(p.landedAt !== undefined ? p.landedAt - t0 : seen, seen);
    const first = p.firstFrameAt !== undefined ? p.firstFrameAt - t0 : undefined;
    let last = p.lastFrameAt !== undefined ? p.lastFrameAt - t0 : undefined;
    let projected = false;
    let cut = false;
    if (last === undefined && first !== undefined && !p.error) {
      if (active) {
        last = first + p.audioMs;
        projected = true;
        stillSending = true;
      } else if (cutAt !== undefined) {
        last = Math.max(first, Math.min(first + p.audioMs, cutAt));
        cut = true;
      }
    }
    return { part: p.part, key: `${p.replyId}:${p.part}`, landed, seen, first, last, projected, cut, audioMs: p.audioMs, error: p.error, flags: p.flags };
  });
  const gaps: Gap[] = [];
  for (let i = 1; i < rows.length; i++) {
    const prev = rows[i - 1];
    const next = rows[i];
    if (prev.last === undefined || next.first === undefined || prev.projected) continue;
    if (next.first - prev.last > GAP_TOLERANCE_MS) gaps.push({ afterPart: prev.part, from: prev.last, to: next.first });
  }
  const firstFrame = rows.find((r) => r.first !== undefined)?.first;
  const ttfaMs = reply.firstAudioMs ?? (reply.startedAt !== undefined && firstFrame !== undefined ? firstFrame : undefined);
  const ends = rows.flatMap((r) => [r.seen, r.last ?? r.first ?? r.seen]);
  let span = Math.max(0, ...ends);
  if (stillSending) span = Math.max(span, now - t0);
  const underrunsAt = windows.filter((w) => w.underruns > 0 && w.to - t0 >= 0 && w.from - t0 <= span).map((w) => Math.max(0, w.to - t0));
  return { replyId: reply.replyId, t0, rows, gaps, underrunsAt, ttfaMs, span: Math.max(span, 100), stillSending };
}

/** A "nice" axis step (1, 2, 5 × 10^n ms) giving at most maxTicks ticks over span. */
export function niceStep(span: number, maxTicks: number): number {
  const raw = Math.max(span, 1) / Math.max(1, maxTicks);
  const pow = 10 ** Math.floor(Math.log10(raw));
  for (const m of [1, 2, 5, 10]) if (m * pow >= raw) return m * pow;
  return 10 * pow;
}

/** S3 lag per part (seen − landed), the largest, for the summary. */
export function worstS3Lag(rows: readonly PartRow[]): number | undefined {
  const lags = rows.map((r) => r.seen - r.landed);
  return lags.length ? Math.max(...lags) : undefined;
}
