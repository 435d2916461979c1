// A manual clock + timer API for unit tests of the pacer and sessions (no real time passes).
import type { TimerApi } from '../../src/main/media/pacer';

interface Pending {
  id: number;
  at: number;
  fn: () => void;
}

export class FakeTimers implements TimerApi {
  private pending: Pending[] = [];
  private nextId = 1;

  constructor(public t = 1_000_000) {}

  readonly now = (): number => this.t;

  set(fn: () => void, ms: number): unknown {
    const id = this.nextId++;
    this.pending.push({ id, at: this.t + Math.max(0, ms), fn });
    return id;
  }

  clear(handle: unknown): void {
    this.pending = this.pending.filter((p) => p.id !== handle);
  }

  /** Timers still scheduled. */
  get size(): number {
    return this.pending.length;
  }

  /** Advance the clock by `ms`, firing every timer that comes due, in order, at its own time. */
  advance(ms: number): void {
    const end = this.t + ms;
    for (;;) {
      this.pending.sort((a, b) => a.at - b.at || a.id - b.id);
      const first = this.pending[0];
      if (!first || first.at > end) break;
      this.pending.shift();
      this.t = Math.max(this.t, first.at);
      first.fn();
    }
    this.t = end;
  }

  /** Fire timers due now (0 ms timers), without moving the clock. */
  flush(): void {
    this.advance(0);
  }
}
