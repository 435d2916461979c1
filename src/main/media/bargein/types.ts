// The barge-in detector's interface (docs/PIPELINE.md, "Barge-in"): the session feeds it what it feeds its media
// taps and reacts to its events. Times are host-clock ms (the `at` of MediaTap.inbound); onsetAt is mapped from
// media time. speech-start = yield (pause the bot), speech-confirmed = commit (interrupt the reply),
// speech-end without a confirmation = resume (verdict backchannel / noise / echo).
export interface BargeInDetector {
  /** Caller audio as received (mu-law 8 kHz), with its media timestamp and host arrival time. */
  inbound(mulaw: Uint8Array, mediaMs: number, at: number): void;
  /** Bot audio as sent, with the host time Twilio is expected to play its first byte (the echo reference). */
  outbound(mulaw: Uint8Array, playAt: number): void;
  /** A clear was sent at host time `at`: outbound audio after it will not be played. */
  cleared(at: number): void;
  close(): void;
}

export type SpeechVerdict = 'speech' | 'backchannel' | 'noise' | 'echo';

export type DetectorEvent =
  | { type: 'speech-start'; onsetAt: number; detectedAt: number; probability?: number }
  | { type: 'speech-confirmed'; onsetAt: number; speechMs: number; probability?: number; /** additive */ detectedAt?: number }
  | { type: 'speech-end'; onsetAt: number; durationMs: number; verdict: SpeechVerdict; /** additive */ detectedAt?: number };
