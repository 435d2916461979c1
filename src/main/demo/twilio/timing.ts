// How long speaking a text takes: the simulator waits this long for <Say> and for the caller's turn; and where the
// voice in a caller's audio ends (synthesised speech carries a few hundred ms of silence after the last word).
import { decodeMulawSample } from '../../tts/mulaw';

/** Korean read speech runs at roughly 6–7 syllables per second. */
export const SYLLABLES_PER_SECOND = 6.5;
const PUNCTUATION_PAUSE_MS = 250;

/** Estimated speaking time of `text` in ms at normal speed (Hangul syllables, digits, Latin words, pauses). */
export function speakingMs(text: string, syllablesPerSecond = SYLLABLES_PER_SECOND): number {
  const hangul = text.match(/[\uAC00-\uD7A3]/g)?.length ?? 0;
  const digits = text.match(/\d/g)?.length ?? 0;
  // a Latin word is about two syllables when read aloud
  const latinWords = (text.match(/[A-Za-z]+/g)?.length ?? 0) * 2;
  const pauses = text.match(/[.,!?…]+/g)?.length ?? 0;
  return Math.round(((hangul + digits + latinWords) / syllablesPerSecond) * 1000 + pauses * PUNCTUATION_PAUSE_MS);
}

const FRAME_BYTES = 160;
/** A 20 ms frame whose peak stays under this (of 32768) is silence. */
const VOICE_PEAK = 256;
const PEAK = Int16Array.from({ length: 256 }, (_, b) => Math.abs(decodeMulawSample(b)));

/** Where the voice in `mulaw` (8 kHz) ends, in ms: the end of its last 20 ms frame that is not silence. */
export function voicedMs(mulaw: Uint8Array): number {
  for (let end = mulaw.length; end > 0; end -= FRAME_BYTES) {
    for (let i = Math.max(0, end - FRAME_BYTES); i < end; i++) if (PEAK[mulaw[i]!]! > VOICE_PEAK) return end / 8;
  }
  return 0;
}
