// Inbound framing for the barge-in detector. Pure and chunking-independent: bytes in, in order, with their media
// timestamps; out come 20 ms frames (the energy gate's and the echo guard's unit) and 32 ms Silero windows of
// 256 new samples with the previous 32 samples prepended as context (the v5 recipe at 8 kHz), as floats in
// [-1, 1]. Each frame and window carries the media time of its first new sample. Allocation-free: the frame and
// the window handed to the sink are scratch buffers, valid until the next call (copy what you keep).
import { decodeMulawSample } from '../../tts/mulaw';
import { SILERO_CONTEXT, SILERO_INPUT, SILERO_WINDOW } from './silero';

export const FRAME = 160;
const FLOAT = Float32Array.from({ length: 256 }, (_, b) => decodeMulawSample(b) / 32768);

export interface FrameSink {
  /** A 20 ms frame: its mu-law bytes (scratch) and RMS amplitude in 16-bit units. */
  frame(mulaw: Uint8Array, startMs: number, rms: number): void;
  /** A Silero window (scratch: copy it to keep it). */
  window(input: Float32Array, startMs: number): void;
}

export class Framer {
  private readonly frameBuf = new Uint8Array(FRAME);
  private frameFill = 0;
  private frameSum = 0;
  private frameStart = 0;
  private readonly win = new Float32Array(SILERO_INPUT);
  private winFill = SILERO_CONTEXT; // the first window's context is silence
  private winStart = 0;

  constructor(private readonly sink: FrameSink) {}

  push(mulaw: Uint8Array, mediaMs: number): void {
    const n = mulaw.length;
    // byte runs up to the next frame or window boundary, so frames and windows are emitted in sample order
    // (a frame before a window that ends on the same sample) whatever the chunking
    for (let i = 0; i < n; ) {
      if (this.frameFill === 0) {
        this.frameStart = mediaMs + i / 8;
        this.frameSum = 0;
      }
      if (this.winFill === SILERO_CONTEXT) this.winStart = mediaMs + i / 8;
      const end = Math.min(n, i + FRAME - this.frameFill, i + SILERO_INPUT - this.winFill);
      let sum = this.frameSum;
      let ff = this.frameFill;
      let wf = this.winFill;
      for (; i < end; i++) {
        const b = mulaw[i]!;
        const x = FLOAT[b]!;
        this.frameBuf[ff++] = b;
        this.win[wf++] = x;
        sum += x * x;
      }
      this.frameSum = sum;
      this.frameFill = ff;
      this.winFill = wf;
      if (ff === FRAME) {
        this.frameFill = 0;
        this.sink.frame(this.frameBuf, this.frameStart, Math.sqrt(sum / FRAME) * 32768);
      }
      if (wf === SILERO_INPUT) {
        this.sink.window(this.win, this.winStart);
        this.win.copyWithin(0, SILERO_WINDOW, SILERO_INPUT);
        this.winFill = SILERO_CONTEXT;
      }
    }
  }
}
