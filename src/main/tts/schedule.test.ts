import { describe, expect, it } from 'vitest';
import {
  DEFAULT_TUNING as T,
  LandingModel,
  landingWindow,
  nextPollDelay,
  observe,
  queuedNow,
  shouldCheckDone,
  spend,
  tokensAt,
  waitForToken,
  type Bucket,
  type PollState,
} from './schedule';

const full: Bucket = { tokens: 20, at: 0 };
const empty: Bucket = { tokens: 0, at: 1000 };
const win = { start: 1000, end: 1100 };

describe('token bucket', () => {
  it.each([
    [{ tokens: 0, at: 0 }, 0, 0],
    [{ tokens: 0, at: 0 }, 50, 1],
    [{ tokens: 0, at: 0 }, 500, 10],
    [{ tokens: 5, at: 0 }, 10_000, 20], // capped at the burst
    [{ tokens: 3, at: 100 }, 50, 3], // no refill backwards
  ])('%o at t=%i holds %f', (b, t, tokens) => {
    expect(tokensAt(b, t, T)).toBeCloseTo(tokens, 6);
  });

  it('spending takes one token at that time', () => {
    expect(spend({ tokens: 0, at: 0 }, 100, T)).toEqual({ tokens: 1, at: 100 });
  });

  it.each([
    [{ tokens: 1, at: 0 }, 0, 0],
    [{ tokens: 0, at: 0 }, 0, 50],
    [{ tokens: 0.5, at: 0 }, 0, 25],
    [{ tokens: -1, at: 0 }, 0, 100],
  ])('waitForToken(%o, %i) = %i ms', (b, now, ms) => {
    expect(waitForToken(b, now, T)).toBeCloseTo(ms, 6);
  });
});

describe('landing model', () => {
  it('EWMA of the delay and its mean absolute deviation', () => {
    let e = observe(undefined, 400, 0.25);
    expect(e).toEqual({ mean: 400, dev: 40, n: 1 });
    e = observe(e, 480, 0.25);
    expect(e.mean).toBe(420);
    expect(e.dev).toBe(0.75 * 40 + 0.25 * 80);
    expect(e.n).toBe(2);
  });

  it('ignores impossible samples', () => {
    const m = new LandingModel();
    m.observeFirst(-5);
    m.observeGap(Number.NaN);
    expect(m.first).toBeUndefined();
    expect(m.gap).toBeUndefined();
    m.observeFirst(300);
    expect(m.first?.mean).toBe(300);
  });

  it.each([
    [{ mean: 400, dev: 5, n: 3 }, { start: 1380, end: 1420 }], // min half-width 20
    [{ mean: 400, dev: 20, n: 3 }, { start: 1340, end: 1460 }], // 3 deviations
  ])('window for %o from t=1000', (learned, w) => {
    expect(landingWindow(1000, learned, T)).toEqual(w);
    expect(landingWindow(1000, undefined, T)).toBeUndefined();
  });
});

describe('nextPollDelay', () => {
  const s = (over: Partial<PollState>): PollState => ({ now: 0, first: true, queuedMs: 0, bucket: full, ...over });
  it.each([
    { name: 'first part, nothing learned: dense', state: s({}), delay: 8 },
    { name: 'first part inside the window: dense', state: s({ now: 1050, window: win }), delay: 8 },
    { name: 'first part far before the window: sparse', state: s({ now: 0, window: win }), delay: 100 },
    { name: 'closing in on the window', state: s({ now: 940, window: win }), delay: 20 },
    { name: 'never past the window start', state: s({ now: 995, window: win }), delay: 5 },
    { name: 'inside the window with few tokens: spread over the rest of it', state: s({ now: 1000, window: win, bucket: { tokens: 2, at: 1000 } }), delay: 25 },
    { name: 'just after the window: dense again', state: s({ now: 1110, window: win }), delay: 8 },
    { name: 'late: backing off', state: s({ now: 1200, window: win }), delay: 25 },
    { name: 'very late: capped', state: s({ now: 3000, window: win }), delay: 50 },
    {
      name: 'before the window with too few tokens to spare: wait for the window',
      state: s({ now: 900, window: win, bucket: { tokens: 5, at: 900 } }),
      delay: 100,
    },
    { name: 'plenty queued: relaxed', state: s({ first: false, queuedMs: 2000, window: win, now: 1050 }), delay: 250 },
    { name: 'some queued: between', state: s({ first: false, queuedMs: 500 }), delay: 100 },
    { name: 'plenty queued, window ahead: nothing before it opens', state: s({ first: false, queuedMs: 2000, window: win, now: 0 }), delay: 1000 },
    { name: 'some queued, window far ahead: until the queue would run low', state: s({ first: false, queuedMs: 500, window: win, now: 0 }), delay: 200 },
    { name: 'plenty queued, window just ahead: the relaxed gap still holds', state: s({ first: false, queuedMs: 2000, window: win, now: 990 }), delay: 250 },
    { name: 'queue low: urgent like the first part', state: s({ first: false, queuedMs: 200, now: 1050, window: win }), delay: 8 },
    { name: 'no token: wait for one', state: s({ now: 1000, window: win, bucket: empty }), delay: 50 },
    { name: 'half a token: wait for the rest', state: s({ now: 1200, window: win, bucket: { tokens: 0.25, at: 1200 } }), delay: 37.5 },
  ])('$name → $delay ms', ({ state, delay }) => {
    expect(nextPollDelay(state, T)).toBeCloseTo(delay, 6);
  });
});

describe('shouldCheckDone', () => {
  const base = { now: 2000, partsSeen: 2, lastCheckAt: 0, queuedMs: 1000, bucket: full };
  it.each([
    { name: 'first miss after a part, next part not yet due, plenty queued: no', state: { ...base, window: { start: 2100, end: 2200 } }, check: false },
    { name: 'first miss after a part, next part overdue', state: { ...base, window: { start: 1500, end: 1600 } }, check: true },
    { name: 'already checked, part not yet due', state: { ...base, lastCheckAt: 1900, window: { start: 2100, end: 2200 } }, check: false },
    { name: 'already checked, overdue, recently', state: { ...base, lastCheckAt: 1900, window: { start: 1500, end: 1600 } }, check: false },
    { name: 'already checked, overdue, a while ago', state: { ...base, lastCheckAt: 1700, window: { start: 1500, end: 1600 } }, check: true },
    { name: 'not yet due, but the queue runs low', state: { ...base, lastCheckAt: 1700, queuedMs: 200, window: { start: 2100, end: 2200 } }, check: true },
    { name: 'queue low, checked recently', state: { ...base, lastCheckAt: 1900, queuedMs: 200, window: { start: 2100, end: 2200 } }, check: false },
    { name: 'nothing learned: every doneEveryMs', state: { ...base, lastCheckAt: 1750 }, check: true },
    { name: 'no part yet: not right away', state: { ...base, partsSeen: 0, lastCheckAt: 1900 }, check: false },
    { name: 'too few tokens', state: { ...base, lastCheckAt: 1700, bucket: { tokens: 1.5, at: 2000 } }, check: false },
    { name: 'drained bucket, done unchecked for 4 periods: borrows the next token', state: { ...base, bucket: { tokens: 0.1, at: 2000 } }, check: true },
    { name: 'in debt: never', state: { ...base, bucket: { tokens: -0.5, at: 2000 } }, check: false },
  ])('$name → $check', ({ state, check }) => {
    expect(shouldCheckDone(state, T)).toBe(check);
  });
});

describe('queuedNow', () => {
  it.each([
    { name: 'report drains at real time', now: 1100, report: { ms: 500, at: 1000 }, own: 0, seen: 900, q: 400 },
    { name: 'report older than the last part: own estimate', now: 1100, report: { ms: 500, at: 1000 }, own: 2300, seen: 1050, q: 1200 },
    { name: 'no report yet', now: 1100, report: undefined, own: 2300, seen: 1050, q: 1200 },
    { name: 'never negative', now: 5000, report: { ms: 500, at: 1000 }, own: 0, seen: 900, q: 0 },
  ])('$name', ({ now, report, own, seen, q }) => {
    expect(queuedNow(now, report, own, seen)).toBe(q);
  });
});

/**
 * A deterministic simulation of the whole first-part wait on a virtual clock: parts land at a jittered
 * delay after the job starts, a GET takes `rtt` ms. Measures detection latency (land → GET returns) and
 * the request rate, for jobs after the model has warmed up.
 */
function simulate(jobs: number, delayOf: (job: number) => number, rtt = 3) {
  const model = new LandingModel(T.alpha);
  const latencies: number[] = [];
  let requests = 0;
  let waited = 0;
  for (let job = 0; job < jobs; job++) {
    const start = job * 10_000;
    const lands = start + delayOf(job);
    let bucket: Bucket = { tokens: T.initialTokens, at: start };
    let t = start + 30; // the job id comes back
    for (;;) {
      bucket = spend(bucket, t, T);
      requests += job >= 5 ? 1 : 0;
      if (t >= lands) {
        const seen = t + rtt;
        if (job >= 5) {
          latencies.push(seen - lands);
          waited += seen - start;
        }
        model.observeFirst(lands - start);
        break;
      }
      t += rtt;
      t += nextPollDelay({ now: t, first: true, queuedMs: 0, window: landingWindow(start, model.first, T), bucket }, T);
    }
  }
  latencies.sort((a, b) => a - b);
  const pct = (p: number) => latencies[Math.min(latencies.length - 1, Math.floor((p / 100) * latencies.length))]!;
  return { p50: pct(50), p99: pct(99), reqPerSec: (requests / waited) * 1000 };
}

describe('the schedule as a whole (virtual clock)', () => {
  // a deterministic pseudo-random jitter, ±60 ms around 450 ms
  const jitter = (job: number) => 450 + (((job * 7919) % 121) - 60);
  it('finds part 0 within ~15 ms p50 / 40 ms p99 of landing at ≤ 20 requests/s', () => {
    const r = simulate(200, jitter);
    console.log(`schedule simulation, 450±60 ms: p50 ${r.p50.toFixed(1)} ms, p99 ${r.p99.toFixed(1)} ms, ${r.reqPerSec.toFixed(1)} req/s`);
    expect(r.p50).toBeLessThanOrEqual(15);
    expect(r.p99).toBeLessThanOrEqual(40);
    expect(r.reqPerSec).toBeLessThanOrEqual(20);
  });

  it('a steady service is found fast and cheaply', () => {
    const r = simulate(50, () => 400);
    expect(r.p50).toBeLessThanOrEqual(12);
    expect(r.reqPerSec).toBeLessThanOrEqual(20);
  });

  it('a service that suddenly gets slower is still found within the late back-off', () => {
    const r = simulate(30, (job) => (job < 20 ? 300 : 900));
    expect(r.p99).toBeLessThanOrEqual(T.lateMaxMs + 3);
    expect(r.reqPerSec).toBeLessThanOrEqual(20);
  });
});
