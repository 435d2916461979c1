// The two pacing baselines the issue asks for, as per-stream frame senders. Pure over an injected timer API
// so they are tested without real time. Both send one 160-byte frame per media message, like ours, so the
// comparison isolates timing.
//  - timeout-chain: send one frame, then setTimeout(20) for the next (relative delays: drift accumulates).
//  - burst: send every frame the moment it is available (Twilio buffers it all).

export type BaselineKind = 'timeout-chain' | 'burst';

export interface FrameSink {
  /** One frame out (the caller builds the media message). */
  frame(frame: Buffer): void;
}

export interface Timers {
  set(fn: () => void, ms: number): unknown;
  clear(handle: unknown): void;
}

export interface Sender {
  push(frames: Buffer[]): void;
  /** No more frames will come; `drained` runs once everything was sent. */
  end(drained: () => void): void;
  /** Frames queued, not sent yet. */
  readonly queued: number;
  stop(): void;
}

export const FRAME_MS = 20;

export function createSender(kind: BaselineKind, sink: FrameSink, timers: Timers): Sender {
  return kind === 'burst' ? burstSender(sink) : timeoutChainSender(sink, timers);
}

function burstSender(sink: FrameSink): Sender {
  let stopped = false;
  return {
    push(frames) {
      if (!stopped) for (const f of frames) sink.frame(f);
    },
    end(drained) {
      if (!stopped) drained();
    },
    queued: 0,
    stop() {
      stopped = true;
    },
  };
}

function timeoutChainSender(sink: FrameSink, timers: Timers): Sender {
  const queue: Buffer[] = [];
  let handle: unknown = null;
  let ended: (() => void) | null = null;
  let stopped = false;

  const step = () => {
    handle = null;
    if (stopped) return;
    const f = queue.shift();
    if (f) {
      sink.frame(f);
      handle = timers.set(step, FRAME_MS); // the naive relative delay this baseline stands for
    } else if (ended) {
      const done = ended;
      ended = null;
      done();
    }
    // empty and not ended: idle until the next push restarts the chain
  };

  return {
    push(frames) {
      if (stopped) return;
      queue.push(...frames);
      if (handle === null) step();
    },
    end(drained) {
      if (stopped) return;
      ended = drained;
      if (handle === null) step();
    },
    get queued() {
      return queue.length;
    },
    stop() {
      stopped = true;
      queue.length = 0;
      if (handle !== null) timers.clear(handle);
      handle = null;
    },
  };
}
