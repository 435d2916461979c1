// Inbound framing for the barge-in detector. Pure and chunking-independent: bytes in, in order, with their media
// timestamps; out come 20 ms frames (the energy gate's and the echo guard's unit) and 32 ms Silero windows of
// 256 new samples with the previous 32 samples prepended as context (the v5 recipe at 8 kHz), as floats in
// [-1, 1]. Each frame and window carries the media time of its first new sample.
import { decodeMulawSample } from '../../tts/mulaw';
import { SILERO_CONTEXT, SILERO_INPUT, SILERO_WINDOW } from './silero';

export const FRAME = 160;
const FLOAT = Float32Array.from({ length: 256 }, (_, b) => decodeMulawSample(b) / 32768);

export interface FrameSink {
  /** A 20 ms frame: its mu-law bytes (a scratch view, copy if kept) and RMS amplitude in 16-bit units. */
  frame(mulaw: Uint8Array, startMs: number, rms: number): void;
  /** A Silero window (a new array, the caller may keep it). */
  window(input: Float32Array, startMs: number): void;
}

export class Framer {
  private readonly frameBuf = new Uint8Array(FRAME);
  private frameFill = 0;
  private frameSum = 0;
  private frameStart = 0;
  private win = new Float32Array(SILERO_INPUT);
  private winFill = SILERO_CONTEXT; // the first window's context is silence
  private winStart = 0;

  constructor(private readonly sink: FrameSink) {}

  push(mulaw: Uint8Array, mediaMs: number): void {
    for (let i = 0; i < mulaw.length; i++) {
      const b = mulaw[i]!;
      const x = FLOAT[b]!;
      if (this.frameFill === 0) {
        this.frameStart = mediaMs + i / 8;
        this.frameSum = 0;
      }
      this.frameBuf[this.frameFill++] = b;
      this.frameSum += x * x;
      if (this.frameFill === FRAME) {
        this.frameFill = 0;
        this.sink.frame(this.frameBuf, this.frameStart, Math.sqrt(this.frameSum / FRAME) * 32768);
      }
      if (this.winFill === SILERO_CONTEXT) this.winStart = mediaMs + i / 8;
      this.win[this.winFill++] = x;
      if (this.winFill === SILERO_INPUT) {
        const done = this.win;
        this.win = new Float32Array(SILERO_INPUT);
        this.win.set(done.subarray(SILERO_WINDOW), 0);
        this.winFill = SILERO_CONTEXT;
        this.sink.window(done, this.winStart);
      }
    }
  }
}
