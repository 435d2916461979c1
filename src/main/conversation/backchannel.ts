// Is a final transcript only a listener's acknowledgement (네, 음, 아, 네네 …)? Korean callers say these while the
// bot talks; the barge-in detector already lets the reply go on for them (media/bargein), and the transcription's
// final for the same sound must not then cut the reply and be "answered". Only while the bot is speaking: after
// the bot has finished, 네 is an answer ("yes") and is a turn like any other. Pure.

/** Acknowledgements, normalised (no spaces or punctuation). Repeats (네네, 음음) are handled below. */
const ACKS = new Set(['네', '넵', '예', '응', '음', '으음', '흠', '아', '어', '오', '아하', '그렇죠', '그렇군요', '그래요', '맞아요', '알겠어요']);

/** At most this many characters in all: a longer final is a sentence, whatever its words. */
const MAX_CHARS = 10;

export function isBackchannel(text: string): boolean {
  const words = text
    .normalize('NFC')
    .replace(/[.,!?…~\-·'"]/g, ' ')
    .split(/\s+/)
    .filter(Boolean);
  if (words.length === 0 || words.join('').length > MAX_CHARS) return false;
  return words.every((w) => ACKS.has(w) || repeatOfAck(w));
}

/** 네네, 음음음: one acknowledgement said again and again without a space. */
function repeatOfAck(word: string): boolean {
  for (const ack of ACKS) {
    if (word.length % ack.length !== 0 || word.length === ack.length) continue;
    if (ack.repeat(word.length / ack.length) === word) return true;
  }
  return false;
}
