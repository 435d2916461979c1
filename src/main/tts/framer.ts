// Cuts a reply's mu-law audio into fixed 20 ms frames, carrying leftovers across parts so no silence is
// inserted mid-sentence; only the final flush may pad (with mu-law silence).
import { MULAW_SILENCE } from './mulaw';

/** 20 ms of 8 kHz mu-law. */
export const FRAME_BYTES = 160;

export class Framer {
  private carry: Buffer = Buffer.alloc(0);

  constructor(readonly frameBytes = FRAME_BYTES) {
    if (!Number.isInteger(frameBytes) || frameBytes <= 0) throw new RangeError(`frameBytes must be a positive integer (got ${frameBytes})`);
  }

  /** Whole frames from the carried bytes plus `audio`; the remainder is kept for the next push. */
  push(audio: Buffer): Buffer[] {
    const bytes = this.carry.length ? Buffer.concat([this.carry, audio]) : audio;
    const whole = bytes.length - (bytes.length % this.frameBytes);
    const frames: Buffer[] = [];
    for (let at = 0; at < whole; at += this.frameBytes) frames.push(bytes.subarray(at, at + this.frameBytes));
    // copy the tail: the caller may reuse `audio`, and a view would pin the whole part in memory
    this.carry = Buffer.from(bytes.subarray(whole));
    return frames;
  }

  /** The last, short frame of the job: padded to a whole frame with 0xFF when `pad`, as is otherwise; null when nothing is left. */
  flush(pad: boolean): Buffer | null {
    if (this.carry.length === 0) return null;
    const rest = this.carry;
    this.carry = Buffer.alloc(0);
    if (!pad) return rest;
    const frame = Buffer.alloc(this.frameBytes, MULAW_SILENCE);
    rest.copy(frame);
    return frame;
  }

  /** Bytes carried, waiting for the next push or the flush. */
  get pending(): number {
    return this.carry.length;
  }
}
