// Where each bot reply on a media stream begins and ends, as the caller hears it: the simulated caller reacts per
// reply (listen, talk after it, talk over it, hang up) on one stream that stays open across turns.
//
// Model: Twilio plays outbound media in order, in real time; a reply is audio that starts while nothing was
// playing. It ends when its end mark (a mark named `…:end`, the host's convention) is echoed as played, when a
// `clear` empties the queue (the caller cut in, or the host gave up the reply), or, for hosts that send no end
// mark, when everything queued has played and nothing new came for QUIET_MS (a late TTS part leaves shorter gaps
// inside a reply). Pure: the caller of `audio`/`mark`/`clear`/`tick` gives the time; `due()` says when to tick.

/** Silence after the last queued audio that counts as the end of a reply without an end mark. */
export const QUIET_MS = 1500;

export type ReplyEvent = { type: 'start'; at: number } | { type: 'end'; at: number; outcome: 'played' | 'cleared' };

export class ReplyWatch {
  private playing = false;
  private playoutEndsAt = 0;

  /** Media the host sent (what the caller hears), `bytes` of mu-law 8 kHz. */
  audio(bytes: number, at: number): ReplyEvent | null {
    const start = !this.playing;
    this.playing = true;
    this.playoutEndsAt = Math.max(at, this.playoutEndsAt) + bytes / 8;
    return start ? { type: 'start', at } : null;
  }

  /** Twilio echoed a mark (its audio has played, or a clear flushed it). */
  mark(name: string, outcome: 'played' | 'cleared', at: number): ReplyEvent | null {
    if (!this.playing || outcome !== 'played' || !name.endsWith(':end')) return null;
    return this.end(at, 'played');
  }

  /** The host sent `clear`: what was queued is dropped. */
  clear(at: number): ReplyEvent | null {
    this.playoutEndsAt = at;
    return this.playing ? this.end(at, 'cleared') : null;
  }

  /** When to call `tick` next (null: nothing is playing). */
  due(): number | null {
    return this.playing ? this.playoutEndsAt + QUIET_MS : null;
  }

  tick(at: number): ReplyEvent | null {
    return this.playing && at >= this.playoutEndsAt + QUIET_MS ? this.end(this.playoutEndsAt, 'played') : null;
  }

  private end(at: number, outcome: 'played' | 'cleared'): ReplyEvent {
    this.playing = false;
    return { type: 'end', at, outcome };
  }
}
