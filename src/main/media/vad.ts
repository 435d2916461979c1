// Caller-speech detector for 8 kHz telephone mu-law (barge-in). Deterministic: its output depends only on the
// audio and the media timestamps it is given (never on arrival time). Choice and evaluation: docs/PIPELINE.md.
//
// Per 20 ms frame: energy in dBFS against an adaptive noise floor (the quietest 200 ms block, by mean power, of
// the last ~2 s: minimum statistics, robust to noise whose 20 ms frames fluctuate a lot), plus a
// periodicity check (normalised autocorrelation at pitch lags) that separates voiced speech from noise bursts.
// Onset: ≥ onsetMs of loud frames (one short dip tolerated) containing at least one voiced frame.
// End: hangoverMs without a loud frame.
// Also the barge-in cascade's energy gate (`lastLoud`, bargein/detector.ts) and its fallback when the model is missing.
import { decodeMulawSample } from '../tts/mulaw';

const FRAME = 160; // 20 ms at 8 kHz
const FRAME_MS = 20;
const BLOCK_FRAMES = 10; // noise-floor blocks of 200 ms
const MIN_LAG = 20; // 400 Hz
const MAX_LAG = 160; // 50 Hz
const SILENT_DB = -100;

const LINEAR = Float32Array.from({ length: 256 }, (_, b) => decodeMulawSample(b));

export interface VadOptions {
  /** Frames quieter than this never count as speech (dBFS). */
  absFloorDb: number;
  /** How far above the noise floor a frame must be (dB). */
  marginDb: number;
  /** Loud audio needed before speech is declared (ms of media time). */
  onsetMs: number;
  /** Normalised autocorrelation at a pitch lag that marks a frame as voiced. */
  voicedThreshold: number;
  /** A quiet gap this long or shorter does not break an onset run (ms). */
  gapMs: number;
  /** Quiet time that ends an utterance (ms). */
  hangoverMs: number;
  /** Noise floor = the quietest 200 ms block in this window (ms). */
  floorWindowMs: number;
  /** Blocks heard during an utterance are kept out of the floor, unless it has lasted this long (a loud noise that
   *  started mid-call and never stops then becomes the floor instead of an endless utterance). */
  adaptAfterMs: number;
}

export const DEFAULT_VAD: VadOptions = {
  absFloorDb: -45,
  marginDb: 12,
  onsetMs: 80,
  voicedThreshold: 0.6,
  gapMs: 20,
  hangoverMs: 700,
  floorWindowMs: 2000,
  adaptAfterMs: 5000,
};

export type VadEvent =
  | { type: 'speech-start'; /** media time of the first loud frame */ onsetAt: number; /** media time the decision was possible (end of the deciding frame) */ detectedAt: number }
  | { type: 'speech-end'; startedAt: number; /** end of the last loud frame */ endedAt: number; durationMs: number; detectedAt: number };

const NO_EVENTS: readonly VadEvent[] = Object.freeze([]);

export class Vad {
  readonly options: VadOptions;
  private readonly cur = new Float32Array(FRAME);
  private readonly window = new Float32Array(2 * FRAME); // previous frame + current frame
  private fill = 0;
  private frameStart = 0;
  private readonly blockMins: Float64Array;
  private blockCount = 0;
  private blockPower = 0;
  private framesInBlock = 0;
  private firstBlockMin = Infinity;
  private blockHasSpeech = false;
  private runStart: number | null = null;
  private runEnd = 0;
  private runVoiced = false;
  private speechStart = 0;
  private lastLoudEnd = 0;
  /** True while an utterance is going on. */
  speaking = false;
  /** Last frame's energy, for diagnostics. */
  lastDb = SILENT_DB;
  /** Whether the last frame was loud (above the absolute floor and the noise floor + margin): the barge-in
   *  detector's energy gate. */
  lastLoud = false;

  constructor(options: Partial<VadOptions> = {}) {
    this.options = { ...DEFAULT_VAD, ...options };
    this.blockMins = new Float64Array(Math.max(1, Math.round(this.options.floorWindowMs / (BLOCK_FRAMES * FRAME_MS))));
  }

  /** Noise floor estimate in dBFS (Infinity before the first frame; the quietest frame until a block is complete). */
  get floorDb(): number {
    const n = Math.min(this.blockCount, this.blockMins.length);
    if (n === 0) return this.firstBlockMin;
    let min = Infinity;
    for (let i = 0; i < n; i++) if (this.blockMins[i]! < min) min = this.blockMins[i]!;
    return min;
  }

  /** Feed inbound mu-law audio that starts at media time `timestampMs`. Any length; analysed in 20 ms frames. */
  push(mulaw: Uint8Array, timestampMs: number): readonly VadEvent[] {
    let events: VadEvent[] | null = null;
    for (let i = 0; i < mulaw.length; i++) {
      if (this.fill === 0) this.frameStart = timestampMs + i / 8;
      this.cur[this.fill++] = LINEAR[mulaw[i]!]!;
      if (this.fill === FRAME) {
        this.fill = 0;
        const event = this.frame(this.frameStart);
        if (event) (events ??= []).push(event);
      }
    }
    return events ?? NO_EVENTS;
  }

  private frame(start: number): VadEvent | null {
    this.window.copyWithin(0, FRAME);
    this.window.set(this.cur, FRAME);
    let sum = 0;
    for (let i = 0; i < FRAME; i++) sum += this.cur[i]! * this.cur[i]!;
    const power = sum / FRAME / (32768 * 32768);
    const db = toDb(power);
    this.lastDb = db;
    const floor = this.floorDb;
    if (this.blockCount === 0 && db < this.firstBlockMin) this.firstBlockMin = db;
    const o = this.options;
    const loud = db >= o.absFloorDb && db >= floor + o.marginDb;
    this.lastLoud = loud;
    const event = this.decide(start, loud);
    if (this.speaking && start - this.speechStart < o.adaptAfterMs) this.blockHasSpeech = true;
    this.updateFloor(power);
    return event;
  }

  private decide(start: number, loud: boolean): VadEvent | null {
    const o = this.options;
    const end = start + FRAME_MS;

    if (this.speaking) {
      if (loud) {
        this.lastLoudEnd = end;
        return null;
      }
      if (end - this.lastLoudEnd < o.hangoverMs) return null;
      this.speaking = false;
      this.runStart = null;
      return { type: 'speech-end', startedAt: this.speechStart, endedAt: this.lastLoudEnd, durationMs: this.lastLoudEnd - this.speechStart, detectedAt: end };
    }

    if (!loud) {
      if (this.runStart !== null && end - this.runEnd > o.gapMs) this.runStart = null;
      return null;
    }
    if (this.runStart === null || start - this.runEnd > o.gapMs) {
      this.runStart = start;
      this.runVoiced = false;
    }
    this.runEnd = end;
    if (!this.runVoiced && periodicity(this.window, o.voicedThreshold) >= o.voicedThreshold) this.runVoiced = true;
    if (this.runVoiced && end - this.runStart >= o.onsetMs) {
      this.speaking = true;
      this.speechStart = this.runStart;
      this.lastLoudEnd = end;
      return { type: 'speech-start', onsetAt: this.runStart, detectedAt: end };
    }
    return null;
  }

  private updateFloor(power: number): void {
    this.blockPower += power;
    if (++this.framesInBlock < BLOCK_FRAMES) return;
    if (!this.blockHasSpeech) {
      this.blockMins[this.blockCount % this.blockMins.length] = toDb(this.blockPower / BLOCK_FRAMES);
      this.blockCount++;
    }
    this.blockPower = 0;
    this.framesInBlock = 0;
    this.blockHasSpeech = false;
  }
}

function toDb(power: number): number {
  return power > 0 ? Math.max(SILENT_DB, 10 * Math.log10(power)) : SILENT_DB;
}

/** Highest normalised autocorrelation over pitch lags (50–400 Hz) of a 40 ms window (1 = perfectly periodic);
 *  stops early once `enough` is reached (a voiced frame usually does at its pitch lag). */
export function periodicity(x: Float32Array, enough = Infinity): number {
  const n = x.length;
  let mean = 0;
  for (let i = 0; i < n; i++) mean += x[i]!;
  mean /= n;
  let best = 0;
  for (let lag = MIN_LAG; lag <= MAX_LAG && lag < n; lag++) {
    let num = 0;
    let e1 = 0;
    let e2 = 0;
    for (let j = lag; j < n; j++) {
      const a = x[j]! - mean;
      const b = x[j - lag]! - mean;
      num += a * b;
      e1 += a * a;
      e2 += b * b;
    }
    const den = Math.sqrt(e1 * e2);
    if (den > 0 && num / den > best) {
      best = num / den;
      if (best >= enough) break;
    }
  }
  return best;
}
