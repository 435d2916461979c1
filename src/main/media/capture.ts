// The caller's inbound audio around a barge-in: a short pre-roll (speech is detected ~100 ms after it starts)
// plus everything until the utterance ends, bounded so a stuck stream cannot grow memory.

export interface CallerAudio {
  callSid: string;
  streamSid: string;
  /** Raw mu-law 8 kHz mono, pre-roll included. */
  audio: Buffer;
  durationMs: number;
}

/**
 * Pre-roll in a fixed byte ring (the caller's audio is copied in, 50 times a second per stream: no buffer is
 * kept alive past its frame, so nothing from the hot path is promoted into the old GC generation).
 */
export class CallerCapture {
  private readonly ring: Buffer;
  /** Bytes in the ring, and where the next byte goes. */
  private filled = 0;
  private at = 0;
  private chunks: Buffer[] = [];
  private bytes = 0;
  capturing = false;
  /** Audio was dropped because the capture reached maxBytes. */
  truncated = false;

  constructor(
    prerollChunks = 25,
    private readonly maxBytes = 8000 * 30,
    frameBytes = 160,
  ) {
    this.ring = Buffer.alloc(Math.max(1, prerollChunks * frameBytes));
  }

  /** The caller's audio; `audio` may be reused by the caller as soon as this returns. */
  push(audio: Uint8Array): void {
    if (!this.capturing) return this.intoRing(audio);
    if (this.bytes + audio.length > this.maxBytes) {
      this.truncated = true;
      return;
    }
    this.chunks.push(Buffer.from(audio));
    this.bytes += audio.length;
  }

  /** Start keeping audio, beginning with the pre-roll. */
  begin(): void {
    if (this.capturing) return;
    this.capturing = true;
    const preroll = Buffer.allocUnsafe(this.filled);
    const start = (this.at - this.filled + this.ring.length) % this.ring.length;
    const first = Math.min(this.filled, this.ring.length - start);
    this.ring.copy(preroll, 0, start, start + first);
    this.ring.copy(preroll, first, 0, this.filled - first);
    this.chunks = preroll.length ? [preroll] : [];
    this.bytes = preroll.length;
    this.filled = 0;
    this.at = 0;
  }

  /** Stop and return what was kept. */
  end(): Buffer {
    const audio = Buffer.concat(this.chunks);
    this.capturing = false;
    this.chunks = [];
    this.bytes = 0;
    return audio;
  }

  private intoRing(audio: Uint8Array): void {
    const size = this.ring.length;
    let src = audio.length > size ? audio.subarray(audio.length - size) : audio;
    while (src.length > 0) {
      const n = Math.min(src.length, size - this.at);
      this.ring.set(src.subarray(0, n), this.at);
      this.at = (this.at + n) % size;
      src = src.subarray(n);
    }
    this.filled = Math.min(size, this.filled + audio.length);
  }
}
