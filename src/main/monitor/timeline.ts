// One timeline for both legs of a call's recording. Sample 0 is the host time `t0` the recording started (the first
// stream's start); sample i is at t0 + i/8 ms. The caller's audio is placed by its media timestamp (gap-free and
// immune to network jitter), anchored to the host clock at each stream's first inbound frame; the bot's audio by the
// host time Twilio played it (PlayedAudio's playAt). A leg is append-only: a chunk due past the leg's end is preceded
// by silence, a chunk due before it (rounding, a timestamp that stepped back) goes right after it, shifted, so no
// byte is ever lost or written twice. Pure.

export const SAMPLES_PER_MS = 8;
/** A jump further than this ahead (a broken timestamp) is not filled with silence: the chunk is appended. */
export const MAX_GAP_SAMPLES = 8000 * 60 * 60;

export class RecordingTimeline {
  /** Host ms (relative to t0) of the current stream's media time 0; null until its first inbound frame. */
  private inboundOffset: number | null = null;

  constructor(readonly t0: number) {}

  /** A new stream of the same call: its media timestamps start again from 0. */
  newStream(): void {
    this.inboundOffset = null;
  }

  /** The sample position of caller audio with media timestamp `mediaMs` that arrived at host time `at`. */
  callerPosition(mediaMs: number, at: number): number {
    if (this.inboundOffset === null) this.inboundOffset = at - this.t0 - mediaMs;
    return Math.max(0, Math.round((this.inboundOffset + mediaMs) * SAMPLES_PER_MS));
  }

  /** The sample position of bot audio Twilio played from host time `playAt`. */
  botPosition(playAt: number): number {
    return Math.max(0, Math.round((playAt - this.t0) * SAMPLES_PER_MS));
  }
}

/** Where a chunk goes on an append-only leg: `pad` samples of silence first, then the chunk at `at`. */
export class LegTrack {
  length = 0;

  place(position: number, samples: number): { pad: number; at: number } {
    const wanted = position - this.length > MAX_GAP_SAMPLES ? this.length : position;
    const at = Math.max(wanted, this.length);
    const pad = at - this.length;
    this.length = at + samples;
    return { pad, at };
  }
}
