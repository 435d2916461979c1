// The caller's inbound audio around a barge-in: a short pre-roll (speech is detected ~100 ms after it starts)
// plus everything until the utterance ends, bounded so a stuck stream cannot grow memory.

export interface CallerAudio {
  callSid: string;
  streamSid: string;
  /** Raw mu-law 8 kHz mono, pre-roll included. */
  audio: Buffer;
  durationMs: number;
}

export class CallerCapture {
  private ring: Buffer[] = [];
  private chunks: Buffer[] = [];
  private bytes = 0;
  capturing = false;
  /** Audio was dropped because the capture reached maxBytes. */
  truncated = false;

  constructor(
    private readonly prerollChunks = 25,
    private readonly maxBytes = 8000 * 30,
  ) {}

  push(audio: Buffer): void {
    if (!this.capturing) {
      this.ring.push(audio);
      if (this.ring.length > this.prerollChunks) this.ring.shift();
      return;
    }
    if (this.bytes + audio.length > this.maxBytes) {
      this.truncated = true;
      return;
    }
    this.chunks.push(audio);
    this.bytes += audio.length;
  }

  /** Start keeping audio, beginning with the pre-roll. */
  begin(): void {
    if (this.capturing) return;
    this.capturing = true;
    this.chunks = this.ring;
    this.ring = [];
    this.bytes = this.chunks.reduce((n, c) => n + c.length, 0);
  }

  /** Stop and return what was kept. */
  end(): Buffer {
    const audio = Buffer.concat(this.chunks);
    this.capturing = false;
    this.chunks = [];
    this.bytes = 0;
    return audio;
  }
}
