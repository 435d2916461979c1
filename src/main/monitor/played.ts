// The bot's audio as Twilio plays it. The playout sends each 20 ms frame ahead of time (PACING_LEAD_MS) with the
// host time Twilio is expected to play its first byte (MediaTap.outbound's playAt); a `clear` makes Twilio drop
// whatever it had not played yet. Listen-in and recording must hear exactly that, so frames wait here until they
// have played out (playAt + duration <= now) and a clear at `at` cuts every byte due at or after `at`, to the
// sample. Pure (times passed in); holds only the lead's worth of audio.

/** 8 samples per millisecond (mu-law 8 kHz: one byte per sample). */
export const BYTES_PER_MS = 8;

interface Pending {
  audio: Buffer;
  playAt: number;
}

export class PlayedAudio {
  private queue: Pending[] = [];

  /** A frame as sent (copied: the caller may reuse its buffer). */
  sent(audio: Uint8Array, playAt: number): void {
    if (audio.length === 0) return;
    this.queue.push({ audio: Buffer.from(audio), playAt });
  }

  /** A clear at `at`: bytes due at or after `at` are never played. */
  cleared(at: number): void {
    const kept: Pending[] = [];
    for (const f of this.queue) {
      if (f.playAt >= at) continue;
      const playable = Math.floor((at - f.playAt) * BYTES_PER_MS);
      kept.push(playable >= f.audio.length ? f : { audio: f.audio.subarray(0, playable), playAt: f.playAt });
    }
    this.queue = kept;
  }

  /** Hand over every frame that finished playing by `now`, oldest first. */
  release(now: number, out: (audio: Buffer, playAt: number) => void): void {
    let n = 0;
    while (n < this.queue.length) {
      const f = this.queue[n]!;
      if (f.playAt + f.audio.length / BYTES_PER_MS > now) break;
      out(f.audio, f.playAt);
      n++;
    }
    if (n) this.queue.splice(0, n);
  }

  /** The stream ended at `now`: what had started playing is handed over (cut at `now`), the rest dropped. */
  end(now: number, out: (audio: Buffer, playAt: number) => void): void {
    this.cleared(now);
    this.release(Infinity, out);
  }

  /** Bytes waiting to be played. */
  get pendingBytes(): number {
    return this.queue.reduce((n, f) => n + f.audio.length, 0);
  }
}
