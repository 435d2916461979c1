// MediaTap: what else may see a stream's audio (listen-in, recording, the barge-in detector's echo reference).
// The session asks `deps.taps?.(callSid, streamSid)` once per stream and feeds every tap: caller audio as received,
// bot audio as sent (with the host time Twilio is expected to play its first byte), clears, and the close.
// Buffers passed in may be reused after the call returns: a tap that keeps audio copies it.

export interface MediaTap {
  /** Caller audio as received (mu-law 8 kHz), with its media timestamp and host arrival time. */
  inbound(mulaw: Uint8Array, mediaMs: number, at: number): void;
  /** Bot audio as sent, with the host time Twilio is expected to play its first byte. */
  outbound(mulaw: Uint8Array, playAt: number): void;
  /** A clear was sent: outbound audio after `at` that was not yet played is discarded by Twilio. */
  cleared(at: number): void;
  close(): void;
}

/** The taps of one stream (none: an empty list). */
export type MediaTaps = (callSid: string, streamSid: string) => MediaTap[];
