// When to send the next S3 GET: pure decisions from an injected clock. The design (docs/PIPELINE.md):
// learn when parts land (EWMA over recent jobs), poll densely inside the predicted landing window and
// sparsely outside it, relax while plenty of audio is queued, and let a per-reply token bucket hold the
// average to the S3 request budget whatever the prediction says.

export interface PollTuning {
  /** Gap between GETs inside the predicted landing window. */
  denseMs: number;
  /** Longest gap while the next part is urgent but its window is still ahead. */
  sparseMs: number;
  /** Longest gap while plenty of audio is queued. */
  relaxedMaxMs: number;
  /** Less audio than this queued (or the first part): the next part is urgent. */
  lowQueueMs: number;
  /** Half-width of the landing window: at least this… */
  windowMinHalfMs: number;
  /** …or this many mean absolute deviations of the learned delay. */
  windowDevs: number;
  /** Longest gap once a part is later than its window (still urgent). */
  lateMaxMs: number;
  /** Token bucket per reply: the S3 request budget (its average over the reply's wait can never exceed it when a reply starts with 0), the burst. */
  ratePerSec: number;
  burst: number;
  initialTokens: number;
  /** Done-marker checks, after the first miss following a part, at most this often. */
  doneEveryMs: number;
  /** EWMA weight of a new observation. */
  alpha: number;
  /** With part notices (notices.ts): the shortest gap between GETs once the job or the service notifies (safety net). */
  noticeSafetyMs: number;
}

export const DEFAULT_TUNING: PollTuning = {
  denseMs: 8,
  sparseMs: 100,
  relaxedMaxMs: 250,
  lowQueueMs: 300,
  windowMinHalfMs: 20,
  windowDevs: 3,
  lateMaxMs: 50,
  ratePerSec: 20,
  burst: 20,
  initialTokens: 0,
  doneEveryMs: 250,
  alpha: 0.25,
  noticeSafetyMs: 250,
};

// ── token bucket ────────────────────────────────────────────────────────────────────────────────────────
export interface Bucket {
  tokens: number;
  at: number;
}

export function tokensAt(b: Bucket, t: number, tuning: PollTuning): number {
  return Math.min(tuning.burst, b.tokens + (Math.max(0, t - b.at) * tuning.ratePerSec) / 1000);
}

/** The bucket after spending one request at `t` (may go below zero only if the caller ignored nextPollDelay). */
export function spend(b: Bucket, t: number, tuning: PollTuning): Bucket {
  return { tokens: tokensAt(b, t, tuning) - 1, at: t };
}

// ── landing model ───────────────────────────────────────────────────────────────────────────────────────
export interface Ewma {
  mean: number;
  /** Mean absolute deviation. */
  dev: number;
  n: number;
}

export function observe(prev: Ewma | undefined, sample: number, alpha: number): Ewma {
  if (!prev) return { mean: sample, dev: Math.max(10, sample * 0.1), n: 1 };
  const dev = (1 - alpha) * prev.dev + alpha * Math.abs(sample - prev.mean);
  return { mean: (1 - alpha) * prev.mean + alpha * sample, dev, n: prev.n + 1 };
}

/** What the pipeline has learned about when parts land, shared by every reply: job start → part 0, and part → next part. */
export class LandingModel {
  first?: Ewma;
  gap?: Ewma;

  constructor(private readonly alpha = DEFAULT_TUNING.alpha) {}

  observeFirst(ms: number): void {
    if (Number.isFinite(ms) && ms >= 0) this.first = observe(this.first, ms, this.alpha);
  }

  observeGap(ms: number): void {
    if (Number.isFinite(ms) && ms >= 0) this.gap = observe(this.gap, ms, this.alpha);
  }
}

export interface Window {
  start: number;
  end: number;
}

/** The predicted landing window of the awaited part (absolute times), or undefined before anything was learned. */
export function landingWindow(from: number, learned: Ewma | undefined, tuning: PollTuning): Window | undefined {
  if (!learned) return undefined;
  const half = Math.max(tuning.windowMinHalfMs, tuning.windowDevs * learned.dev);
  return { start: from + learned.mean - half, end: from + learned.mean + half };
}

// ── the schedule ────────────────────────────────────────────────────────────────────────────────────────
export interface PollState {
  now: number;
  /** The awaited part is the reply's first: the caller is waiting in silence. */
  first: boolean;
  /** Audio queued but not yet sent, ms. */
  queuedMs: number;
  window?: Window;
  bucket: Bucket;
}

const clamp = (x: number, lo: number, hi: number) => Math.min(hi, Math.max(lo, x));

/** Milliseconds from `now` to the next GET of the awaited part (after a miss). */
export function nextPollDelay(s: PollState, tuning: PollTuning = DEFAULT_TUNING): number {
  const { now, window: w } = s;
  const urgent = s.first || s.queuedMs <= tuning.lowQueueMs;
  let delay: number;
  if (!urgent) {
    delay = clamp((s.queuedMs - tuning.lowQueueMs) / 2, tuning.denseMs, tuning.relaxedMaxMs);
    // the part is not due yet and plenty is queued: no GET before its window opens, unless the queue would run low first
    if (w && now < w.start) delay = Math.max(delay, Math.min(w.start - now, s.queuedMs - tuning.lowQueueMs));
  } else if (!w) {
    delay = tuning.denseMs; // nothing learned yet: as fast as the bucket allows
  } else if (now >= w.start && now <= w.end) {
    // inside the window: spread what the bucket can give over the rest of it, never denser than denseMs
    const rest = w.end - now;
    const affordable = tokensAt(s.bucket, now, tuning) + (rest * tuning.ratePerSec) / 1000;
    delay = Math.max(tuning.denseMs, rest / Math.max(1, affordable));
  } else if (now > w.end) {
    delay = clamp((now - w.end) / 4, tuning.denseMs, tuning.lateMaxMs); // late: back off gently
  } else {
    // before the window: close in on it, but only spend a token now if enough are left to poll the window densely
    const toStart = w.start - now;
    delay = Math.min(clamp(toStart / 3, tuning.denseMs, tuning.sparseMs), toStart);
    const need = Math.min(tuning.burst / 2, (w.end - w.start) / tuning.denseMs);
    const atStartIfPolled = Math.min(tuning.burst, tokensAt(s.bucket, now + delay, tuning) - 1 + ((toStart - delay) * tuning.ratePerSec) / 1000);
    if (delay < toStart && atStartIfPolled < need) delay = toStart;
  }
  return Math.max(delay, waitForToken(s.bucket, now, tuning));
}

/** Milliseconds until the bucket holds one whole token. */
export function waitForToken(b: Bucket, now: number, tuning: PollTuning): number {
  const have = tokensAt(b, now, tuning);
  return have >= 1 ? 0 : ((1 - have) * 1000) / tuning.ratePerSec;
}

export interface DoneState {
  now: number;
  partsSeen: number;
  lastCheckAt: number;
  window?: Window;
  /** Audio queued but not yet sent, ms. */
  queuedMs: number;
  bucket: Bucket;
}

/**
 * Check `{prefix}/{jobId}/done` after this miss? At most every doneEveryMs, and only while the awaited part is
 * overdue (past its learned window) or the queue runs low: the end of a reply is known well before its audio runs
 * out (a part's window closes while more than a second of it is still queued), without one GET per part to ask.
 */
export function shouldCheckDone(s: DoneState, tuning: PollTuning = DEFAULT_TUNING): boolean {
  // keep a token for the part itself, unless done has gone unchecked for 4 periods: a drained bucket (nothing learned
  // about the gaps yet, every token spent on the next part) must not leave the end unseen until the idle timeout; the
  // check then borrows the next token (the part's next GET waits one token longer, 50 ms)
  const starved = s.now - s.lastCheckAt >= 4 * tuning.doneEveryMs;
  if (tokensAt(s.bucket, s.now, tuning) < (starved ? 0 : 2)) return false;
  const overdue = !s.window || s.now > s.window.end;
  const runningLow = s.partsSeen > 0 && s.queuedMs <= tuning.lowQueueMs;
  return (overdue || runningLow) && s.now - s.lastCheckAt >= tuning.doneEveryMs;
}

/** Queued audio now: the media session's last report drained at real time, or — until it reports on the latest part — our own estimate. */
export function queuedNow(now: number, report: { ms: number; at: number } | undefined, ownPlayEnd: number, lastPartSeenAt: number | undefined): number {
  if (report && (lastPartSeenAt === undefined || report.at >= lastPartSeenAt)) return Math.max(0, report.ms - (now - report.at));
  return Math.max(0, ownPlayEnd - now);
}
