// Echo guard: is this inbound sound the bot's own voice coming back from the caller's phone (speakerphone, no
// echo cancelling)? Pure: no clock, times are host-clock ms passed in. Model: the echo is the outbound audio, as
// played at the caller, delayed by a fixed L (40-480 ms: network both ways + the room) and scaled by a gain g.
// Envelopes are RMS amplitudes per 20 ms bin. Every 100 ms the last 1.5 s of inbound bins are correlated (Pearson)
// with the outbound envelope at each lag (every 250 ms once estimated); the best lag, when r >= 0.5 over enough of the bot's speech, gives L and
// g (median of inbound/outbound over the bins where the bot was loud: robust to the caller talking over part of
// it). Estimates are frozen while the caller is talking (double talk would bias them), except the first one. An inbound bin is the
// caller's own when it stands out from the expected echo (g x the outbound envelope around t - L, with a short
// reverb tail) by `margin`. Before any evidence (the start of the first reply) a prior is used: -8 dB over the
// whole lag range; once 400 ms of the bot's speech showed no correlation, there is no echo (nothing is expected).
import { decodeMulawSample } from '../../tts/mulaw';

export const BIN_MS = 20;
const LINEAR = Float32Array.from({ length: 256 }, (_, b) => decodeMulawSample(b));
/** LINEAR squared, per byte (the outbound envelope squares every sample of every frame sent). */
const SQUARE = Float64Array.from(LINEAR, (x) => x * x);
const TAIL = [1, 1, 0.7, 0.5, 0.35]; // bins L-20 … L+60 ms
const OUT_BINS = 512; // ~10 s of outbound envelope
const IN_BINS = 128; // ~2.5 s of inbound envelope

export interface EchoOptions {
  minLagMs: number;
  maxLagMs: number;
  /** Inbound history correlated at each estimate (ms). */
  windowMs: number;
  /** Re-estimate this often (ms of inbound). */
  everyMs: number;
  /** The caller's sound must be this many times the expected echo amplitude (2 = +6 dB). */
  margin: number;
  /** Expected echo before any evidence, as an amplitude ratio (0.4 = -8 dB). */
  priorGain: number;
  minCorrelation: number;
  /** Bins with the bot louder than `loudAmp` needed before an estimate counts (20 = 400 ms). */
  minLoudBins: number;
  /** Outbound RMS (16-bit units) that counts as the bot talking (~ -45 dBFS). */
  loudAmp: number;
}

export const DEFAULT_ECHO: EchoOptions = {
  minLagMs: 40,
  maxLagMs: 480,
  windowMs: 1500,
  everyMs: 100,
  margin: 1.6,
  priorGain: 0.4,
  minCorrelation: 0.5,
  minLoudBins: 20,
  loudAmp: 185,
};

export type EchoEstimate = { kind: 'prior' } | { kind: 'none' } | { kind: 'echo'; lagMs: number; gain: number; r: number };

export class EchoGuard {
  readonly options: EchoOptions;
  private readonly outSum = new Float64Array(OUT_BINS);
  private readonly outCount = new Float64Array(OUT_BINS);
  private readonly outId = new Float64Array(OUT_BINS).fill(-1);
  private readonly inAt = new Float64Array(IN_BINS);
  private readonly inAmp = new Float64Array(IN_BINS);
  private inCount = 0;
  private sinceEstimate = 0;
  estimate: EchoEstimate = { kind: 'prior' };
  /** Estimates are not updated while true (the caller is talking). */
  frozen = false;
  private x = new Float64Array(0);
  private idx = new Int32Array(0);
  private env = new Float64Array(0);

  constructor(options: Partial<EchoOptions> = {}) {
    this.options = { ...DEFAULT_ECHO, ...options };
  }

  /** Bot audio as it will be played at the caller from host time `playAt`. */
  outbound(mulaw: Uint8Array, playAt: number): void {
    for (let i = 0; i < mulaw.length; ) {
      const t = playAt + i / 8;
      const bin = Math.floor(t / BIN_MS);
      const end = Math.min(mulaw.length, i + Math.max(1, Math.ceil(((bin + 1) * BIN_MS - t) * 8)));
      let sum = 0;
      for (let j = i; j < end; j++) sum += SQUARE[mulaw[j]!]!;
      const k = bin % OUT_BINS;
      if (this.outId[k] !== bin) {
        this.outId[k] = bin;
        this.outSum[k] = 0;
        this.outCount[k] = 0;
      }
      this.outSum[k] += sum;
      this.outCount[k] += end - i;
      i = end;
    }
  }

  /** A clear at host time `at`: what was to be played after it never will be. */
  cleared(at: number): void {
    const first = Math.ceil(at / BIN_MS);
    for (let k = 0; k < OUT_BINS; k++) if (this.outId[k]! >= first) this.outId[k] = -1;
  }

  /** The bot's RMS amplitude at the caller around host time `t` (0 when nothing was played). */
  outAmp(t: number): number {
    const bin = Math.floor(t / BIN_MS);
    const k = bin % OUT_BINS;
    if (this.outId[k] !== bin || this.outCount[k] === 0) return 0;
    return Math.sqrt(this.outSum[k]! / this.outCount[k]!);
  }

  /** Expected echo amplitude in the inbound bin that started at host time `t`. */
  expected(t: number): number {
    const e = this.estimate;
    if (e.kind === 'none') return 0;
    if (e.kind === 'prior') {
      let max = 0;
      for (let lag = this.options.minLagMs; lag <= this.options.maxLagMs; lag += BIN_MS) max = Math.max(max, this.outAmp(t - lag));
      return this.options.priorGain * max;
    }
    let max = 0;
    for (let j = 0; j < TAIL.length; j++) max = Math.max(max, TAIL[j]! * this.outAmp(t - e.lagMs - (j - 1) * BIN_MS));
    return e.gain * max;
  }

  /** Record one inbound 20 ms bin (RMS amplitude, 16-bit units) that started at host time `t`; returns whether
   *  it stands out from the expected echo. */
  inbound(t: number, amp: number): boolean {
    const k = this.inCount % IN_BINS;
    this.inAt[k] = t;
    this.inAmp[k] = amp;
    this.inCount++;
    // before the first estimate often; afterwards the echo path changes slowly
    const every = this.estimate.kind === 'prior' ? this.options.everyMs : 2.5 * this.options.everyMs;
    if ((this.sinceEstimate += BIN_MS) >= every) {
      this.sinceEstimate = 0;
      if (!this.frozen || this.estimate.kind === 'prior') this.reestimate();
    }
    return amp > this.options.margin * this.expected(t);
  }

  private reestimate(): void {
    const o = this.options;
    const n = Math.min(this.inCount, IN_BINS, Math.round(o.windowMs / BIN_MS));
    if (n < 10) return;
    // inbound bins and, for every lag, the outbound bin each one pairs with: lags are whole bins, so the bot's
    // envelope is gathered once into `env` and each lag is an offset into it
    const minLag = Math.round(o.minLagMs / BIN_MS);
    const maxLag = Math.round(o.maxLagMs / BIN_MS);
    const x = this.x.length >= n ? this.x : (this.x = new Float64Array(n));
    const idx = this.idx.length >= n ? this.idx : (this.idx = new Int32Array(n));
    const first = Math.floor(this.inAt[(this.inCount - n) % IN_BINS]! / BIN_MS) - maxLag;
    const span = Math.floor(this.inAt[(this.inCount - 1) % IN_BINS]! / BIN_MS) - first + 1;
    if (span > 4 * IN_BINS) return; // a gap in the stream: wait for a contiguous window
    const env = this.env.length >= span ? this.env : (this.env = new Float64Array(span));
    for (let b = 0; b < span; b++) env[b] = this.outAmp((first + b) * BIN_MS);
    let sx = 0;
    let sxx = 0;
    for (let i = 0; i < n; i++) {
      const k = (this.inCount - n + i) % IN_BINS;
      x[i] = this.inAmp[k]!;
      idx[i] = Math.floor(this.inAt[k]! / BIN_MS) - first;
      sx += x[i]!;
      sxx += x[i]! * x[i]!;
    }
    let best = { lag: 0, r: -Infinity };
    let everyLag = true; // enough of the bot's speech at every lag: "no echo" can be concluded
    for (let l = minLag; l <= maxLag; l++) {
      let loud = 0;
      let sy = 0;
      let syy = 0;
      let sxy = 0;
      for (let i = 0; i < n; i++) {
        const y = env[idx[i]! - l]!;
        if (y > o.loudAmp) loud++;
        sy += y;
        syy += y * y;
        sxy += x[i]! * y;
      }
      if (loud < o.minLoudBins) {
        everyLag = false;
        continue;
      }
      const vx = sxx - (sx * sx) / n;
      const vy = syy - (sy * sy) / n;
      const r = vx > 0 && vy > 0 ? (sxy - (sx * sy) / n) / Math.sqrt(vx * vy) : 0;
      if (r > best.r) best = { lag: l * BIN_MS, r };
    }
    if (best.r === -Infinity) return; // not enough of the bot's speech in the window
    const e = this.estimate;
    const gainAt = (lag: number) => this.medianGain(x, idx, n, env, lag / BIN_MS);
    if (best.r >= o.minCorrelation) {
      const gain = gainAt(best.lag);
      this.estimate = e.kind === 'echo' && Math.abs(e.lagMs - best.lag) <= BIN_MS ? { kind: 'echo', lagMs: best.lag, gain: 0.7 * e.gain + 0.3 * gain, r: best.r } : { kind: 'echo', lagMs: best.lag, gain, r: best.r };
    } else if (e.kind === 'echo') {
      // no clear echo now: the echo may have gone (speakerphone off); only ever lower the gain here
      const gain = gainAt(e.lagMs);
      if (gain < e.gain) this.estimate = { ...e, gain };
    } else if (e.kind === 'prior' && everyLag) this.estimate = { kind: 'none' };
  }

  private medianGain(x: Float64Array, idx: Int32Array, n: number, env: Float64Array, lag: number): number {
    const ratios: number[] = [];
    for (let i = 0; i < n; i++) {
      const y = env[idx[i]! - lag] ?? 0;
      if (y > this.options.loudAmp) ratios.push(x[i]! / y);
    }
    ratios.sort((a, b) => a - b);
    return ratios.length ? ratios[Math.floor(ratios.length / 2)]! : 0;
  }
}

export function pearson(x: ArrayLike<number>, y: ArrayLike<number>): number {
  const n = x.length;
  let mx = 0;
  let my = 0;
  for (let i = 0; i < n; i++) {
    mx += x[i]!;
    my += y[i]!;
  }
  mx /= n;
  my /= n;
  let sxy = 0;
  let sxx = 0;
  let syy = 0;
  for (let i = 0; i < n; i++) {
    const a = x[i]! - mx;
    const b = y[i]! - my;
    sxy += a * b;
    sxx += a * a;
    syy += b * b;
  }
  return sxx > 0 && syy > 0 ? sxy / Math.sqrt(sxx * syy) : 0;
}
