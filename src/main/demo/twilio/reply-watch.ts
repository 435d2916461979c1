// Where each bot reply on a media stream begins and ends, as the caller hears it: the simulated caller reacts per
// reply (listen, talk after it, talk over it, hang up) on one stream that stays open across turns.
//
// Model: Twilio plays outbound media in order, in real time; a reply is audio that starts while nothing was
// playing. It ends when its end mark (a mark named `…:end`, the host's convention) is echoed as played, when a
// `clear` empties the queue after the caller cut in, or, for hosts that send no end mark, when everything queued
// has played and nothing new came for QUIET_MS (a late TTS part leaves shorter gaps inside a reply). A `clear`
// the caller did not cause (they said nothing, or only 네 / 음) may be a pause: the host yields while it tells a
// backchannel from a turn, then resumes the same reply; it counts as the end only if no audio follows within
// QUIET_MS. Pure: the caller of `audio`/`mark`/`clear`/`tick` gives the time; `due()` says when to tick.

/** Silence after the last queued audio that counts as the end of a reply without an end mark. */
export const QUIET_MS = 1500;

export type ReplyEvent = { type: 'start'; at: number } | { type: 'end'; at: number; outcome: 'played' | 'cleared' };

export class ReplyWatch {
  private playing = false;
  private playoutEndsAt = 0;
  /** A clear that may be a pause: when it came. */
  private pausedAt: number | null = null;

  /** Media the host sent (what the caller hears), `bytes` of mu-law 8 kHz. */
  audio(bytes: number, at: number): ReplyEvent | null {
    const start = !this.playing;
    this.playing = true;
    this.pausedAt = null; // resumed: the same reply goes on
    this.playoutEndsAt = Math.max(at, this.playoutEndsAt) + bytes / 8;
    return start ? { type: 'start', at } : null;
  }

  /** Twilio echoed a mark (its audio has played, or a clear flushed it). */
  mark(name: string, outcome: 'played' | 'cleared', at: number): ReplyEvent | null {
    if (!this.playing || outcome !== 'played' || !name.endsWith(':end')) return null;
    return this.end(at, 'played');
  }

  /** The host sent `clear`: what was queued is dropped. `mayResume`: the caller did not cut in (a pause?). */
  clear(at: number, mayResume = false): ReplyEvent | null {
    this.playoutEndsAt = at;
    if (!this.playing) return null;
    if (!mayResume) return this.end(at, 'cleared');
    this.pausedAt ??= at;
    return null;
  }

  /** When to call `tick` next (null: nothing is playing). */
  due(): number | null {
    return this.playing ? this.playoutEndsAt + QUIET_MS : null;
  }

  tick(at: number): ReplyEvent | null {
    if (!this.playing || at < this.playoutEndsAt + QUIET_MS) return null;
    return this.pausedAt !== null ? this.end(this.pausedAt, 'cleared') : this.end(this.playoutEndsAt, 'played');
  }

  /** Whether a reply is playing (or paused by a clear that may be resumed). */
  get active(): boolean {
    return this.playing;
  }

  private end(at: number, outcome: 'played' | 'cleared'): ReplyEvent {
    this.playing = false;
    this.pausedAt = null;
    return { type: 'end', at, outcome };
  }
}
