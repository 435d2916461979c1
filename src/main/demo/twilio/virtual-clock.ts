// A virtual clock for tests of timed logic: sleeps resolve in due-time order when the test runs the clock.

interface Timer {
  due: number;
  seq: number;
  fire: () => void;
}

function abortError(): Error {
  const err = new Error('The operation was aborted');
  err.name = 'AbortError';
  return err;
}

/** Lets pending promise callbacks run (no real I/O is involved in what the clock drives). */
const flush = () => new Promise<void>((resolve) => setImmediate(resolve));

export class VirtualClock {
  private t: number;
  private seq = 0;
  private timers: Timer[] = [];

  constructor(start = 0) {
    this.t = start;
  }

  readonly now = (): number => this.t;

  readonly sleep = (ms: number, signal?: AbortSignal): Promise<void> =>
    new Promise<void>((resolve, reject) => {
      if (signal?.aborted) return reject(abortError());
      const timer: Timer = {
        due: this.t + Math.max(0, ms),
        seq: this.seq++,
        fire: () => {
          signal?.removeEventListener('abort', onAbort);
          resolve();
        },
      };
      const onAbort = () => {
        this.timers = this.timers.filter((x) => x !== timer);
        reject(abortError());
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      this.timers.push(timer);
    });

  /** Timers still waiting (a clean stop leaves none). */
  get pending(): number {
    return this.timers.length;
  }

  /** Advances virtual time timer by timer until `done` settles; throws if nothing is left to run. */
  async run<T>(done: Promise<T>, limitMs = 24 * 3600_000): Promise<T> {
    let settled = false;
    done.then(
      () => (settled = true),
      () => (settled = true),
    );
    for (;;) {
      await flush();
      await flush();
      if (settled) return done;
      const next = this.timers.reduce<Timer | undefined>((a, b) => (!a || b.due < a.due || (b.due === a.due && b.seq < a.seq) ? b : a), undefined);
      if (!next) throw new Error('virtual clock: nothing scheduled and the awaited work is not done');
      if (next.due > limitMs) throw new Error(`virtual clock: passed ${limitMs} ms without finishing`);
      this.timers = this.timers.filter((x) => x !== next);
      this.t = next.due;
      next.fire();
    }
  }

  /** Runs every timer due up to `ms` from now. */
  async advance(ms: number): Promise<void> {
    const until = this.t + ms;
    for (;;) {
      await flush();
      await flush();
      const next = this.timers.filter((x) => x.due <= until).sort((a, b) => a.due - b.due || a.seq - b.seq)[0];
      if (!next) break;
      this.timers = this.timers.filter((x) => x !== next);
      this.t = next.due;
      next.fire();
    }
    this.t = until;
  }
}
