// How long speaking a text takes: the simulator waits this long for <Say> and for the caller's turn.

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
