// Stuck-stream watch for end marks: Twilio echoes a mark when the audio before it has played, so a reply's end mark
// that is not echoed by its play time + slack means the stream is stuck (Twilio stopped playing or stopped talking
// to us without closing). Nothing else would ever end such a stream: the session closes it with an error the
// operator sees. One timer per mark watched (a stream has at most one reply's end outstanding at a time).
import type { TimerApi } from './pacer';

export interface MarkWatchOptions {
  timers: TimerApi;
  /** How long after the mark's expected play time the echo may still come. */
  slackMs: number;
  /** The mark `name` was not echoed `waitedMs` after it was sent. */
  onOverdue(name: string, waitedMs: number): void;
}

export class MarkWatch {
  private readonly armed = new Map<string, unknown>();
  private closed = false;

  constructor(private readonly o: MarkWatchOptions) {}

  /** The mark left; by the pacing model the audio before it finishes playing in `playsInMs`. */
  sent(name: string, playsInMs: number): void {
    if (this.closed) return;
    this.echoed(name);
    const waitMs = Math.max(0, playsInMs) + this.o.slackMs;
    this.armed.set(
      name,
      this.o.timers.set(() => {
        this.armed.delete(name);
        if (!this.closed) this.o.onOverdue(name, Math.round(waitMs));
      }, waitMs),
    );
  }

  /** Twilio echoed it (played or cleared): nothing to watch. */
  echoed(name: string): void {
    const h = this.armed.get(name);
    if (h === undefined) return;
    this.o.timers.clear(h);
    this.armed.delete(name);
  }

  get size(): number {
    return this.armed.size;
  }

  close(): void {
    this.closed = true;
    for (const h of this.armed.values()) this.o.timers.clear(h);
    this.armed.clear();
  }
}
