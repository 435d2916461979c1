// One shared clock that paces the outbound audio of every stream against absolute deadlines.
// Hand-written: the scheduling policy (lead, re-base, underrun) is ours; notes/s3-audio.md §4.
//
// Model: a stream's playout starts at t0 (first frame of a segment). Twilio plays frame n at about
// t0 + n·20 ms. We may send frame n once now ≥ t0 + n·20 − lead, so `lead` ms stay queued at Twilio.
// If the modelled Twilio buffer has drained (a stall longer than the lead, or a late part), the next
// frame starts a new segment (re-base) instead of bursting the missed audio.
//
// Clock: deadlines run on a monotonic clock (performance.now), so an NTP step of the wall clock neither silences
// every stream (a step back: deadlines in the "future") nor bursts and re-bases them all (a step forward). What leaves
// the pacer for events (marks, underruns, lateness samples) is converted to wall-clock epoch ms (PaceClock.wallAt).
//
// Underrun = what the caller hears: a frame whose send deadline passes with nothing queued only puts the lead at
// risk (Twilio still holds `lead` ms); the underrun is declared when the modelled Twilio buffer is empty.
//
// Batching: once a stream's next frame reaches its deadline, `batch` frames leave together (the socket is
// corked around them: one write instead of `batch`), so the buffer at Twilio swings between `lead` and
// lead + (batch − 1)·20 ms and the stream needs the clock every batch·20 ms. batch = 1 is one frame per 20 ms.

export const FRAME_MS = 20;
/** libuv timers can fire ~1 ms early: count a frame due within 1 ms of its deadline. */
const EARLY_MS = 1;

/** Per-stream pacing state, mutated by the pacer. t0 is NaN before the first frame. */
export interface PaceState {
  t0: number;
  /** Frames sent since t0. */
  sent: number;
  /** Frames were waiting when the stream was last served: if its buffer drains now, we stalled (not the TTS). */
  backlog?: boolean;
}

/** Why Twilio's buffer ran dry: the next part was late, or the host fell behind its own clock with frames ready. */
export type StarveCause = 'late-part' | 'stall';

export function newPaceState(): PaceState {
  return { t0: Number.NaN, sent: 0, backlog: false };
}

/** Audio (ms) sent but, by the model, not yet played at Twilio. */
export function bufferedMs(state: PaceState, now: number): number {
  if (Number.isNaN(state.t0)) return 0;
  return Math.max(0, state.sent * FRAME_MS - (now - state.t0));
}

/** When frame n of the current segment may leave (ideal send time). */
export function frameDeadline(state: PaceState, n: number, leadMs: number): number {
  return state.t0 + Math.max(0, n * FRAME_MS - leadMs);
}

export interface Due {
  /** Frames that may be sent now (before re-basing, counted from the new t0). */
  due: number;
  /** Start a new segment at now: t0 = now, sent = 0. */
  rebase: boolean;
}

/**
 * The pacing decision for one stream at `now`. Pure. Nothing is due until the next frame's deadline (within
 * earlyMs); then every frame whose deadline falls within the next (batch − 1)·20 ms goes too.
 */
export function framesDue(state: PaceState, now: number, leadMs: number, batch = 1, earlyMs = EARLY_MS): Due {
  const extra = (Math.max(1, batch) - 1) * FRAME_MS;
  if (Number.isNaN(state.t0) || bufferedMs(state, now) <= 0) {
    return { due: Math.floor((leadMs + extra) / FRAME_MS) + 1, rebase: true };
  }
  if (now + earlyMs < frameDeadline(state, state.sent, leadMs)) return { due: 0, rebase: false };
  const allowed = Math.floor((now - state.t0 + leadMs + extra + earlyMs) / FRAME_MS) + 1;
  return { due: Math.max(0, allowed - state.sent), rebase: false };
}

/** How early a wake-up may serve a frame: 1 ms (libuv timers fire up to ~1 ms early), and with batching up to
 *  10 ms more, so one timer wake-up serves every stream due in that span (ticks ≥ ~10 ms apart at 1,000 streams). */
export function earlyMsFor(batch: number): number {
  return batch > 1 ? EARLY_MS + Math.min(10, (batch - 1) * 5) : EARLY_MS;
}

/** The pacer's time: `now()` monotonic ms for every deadline; `wallAt(t)` the epoch ms of such an instant (events). */
export interface PaceClock {
  now(): number;
  wallAt(t: number): number;
}

/** performance.now for deadlines; events in wall-clock time as it is when they are converted (injectable for tests). */
export function monotonicClock(wall: () => number = Date.now, mono: () => number = () => performance.now()): PaceClock {
  return { now: mono, wallAt: (t) => wall() - (mono() - t) };
}

/** A stream the pacer serves. The session's playout queue implements it. */
export interface PacedStream {
  readonly pace: PaceState;
  /** Frames ready to send. */
  available(): number;
  /** True while more audio is expected (a frame due with an empty queue is then an underrun). */
  expectingMore(): boolean;
  /** Send `count` frames now (count ≤ available()); must advance pace.sent by count. */
  sendFrames(count: number, now: number, leadMs: number): void;
  /** The modelled Twilio buffer ran empty: no frame was ready ('late-part'), or the pacer was held up past the lead with frames ready ('stall'). */
  starved(now: number, cause: StarveCause): void;
  /** A frame's send deadline passed with nothing ready: Twilio still plays the lead, nobody hears a gap yet (optional). */
  atRisk?(now: number): void;
  /** The pacer's clock, given when the stream is added (optional): its times are the pacer's, not the wall clock. */
  attach?(clock: PaceClock): void;
  /** The stream threw in the pacer tick and was removed (optional): its owner must end it, not leave dead air. */
  failed?(err: unknown): void;
}

export interface TimerApi {
  set(fn: () => void, ms: number): unknown;
  clear(handle: unknown): void;
}

export const realTimers: TimerApi = {
  set: (fn, ms) => setTimeout(fn, ms),
  clear: (h) => clearTimeout(h as ReturnType<typeof setTimeout>),
};

export interface Pacer {
  readonly leadMs: number;
  /** The pacer's clock (monotonic deadlines, wall-clock events). */
  readonly clock: PaceClock;
  readonly batchFrames: number;
  add(stream: PacedStream): void;
  remove(stream: PacedStream): void;
  /** Frames became available: serve streams now (on the next turn of the event loop). */
  kick(): void;
  /** Number of streams registered. */
  readonly size: number;
  stop(): void;
}

export interface PacerOptions {
  leadMs: number;
  /** Frames sent per wake-up once the next one is due (default 1). */
  batchFrames?: number;
  /** A monotonic clock (default performance.now). Tests pass a fake one; without `wallAt` it is also the event clock. */
  now?: () => number;
  /** Epoch ms of a `now()` instant (default: converted through Date.now when `now` is not given, else the same). */
  wallAt?: (t: number) => number;
  timers?: TimerApi;
  /** A stream that throws is removed and reported here; the others keep going. */
  onError?: (err: unknown, stream: PacedStream) => void;
}

/** Serve one stream at `now`; returns when it next needs the clock (Infinity = only when kicked). */
export function serveStream(s: PacedStream, now: number, leadMs: number, batch = 1): number {
  const pace = s.pace;
  const available = s.available();
  if (available === 0) {
    if (Number.isNaN(pace.t0) || !s.expectingMore()) return Infinity;
    const sendBy = frameDeadline(pace, pace.sent, leadMs);
    const emptyAt = pace.t0 + pace.sent * FRAME_MS; // Twilio has played everything sent: the caller hears the gap
    if (now + EARLY_MS >= emptyAt) {
      s.starved(now, 'late-part');
      return Infinity;
    }
    if (now + EARLY_MS >= sendBy) {
      s.atRisk?.(now);
      return emptyAt;
    }
    return sendBy;
  }
  const decision = framesDue(pace, now, leadMs, batch, earlyMsFor(batch));
  if (decision.rebase) {
    // frames were ready last time and the buffer still ran dry: the caller heard a gap that is ours
    if (pace.backlog && !Number.isNaN(pace.t0)) s.starved(now, 'stall');
    pace.t0 = now;
    pace.sent = 0;
  }
  const count = Math.min(decision.due, available);
  if (count > 0) s.sendFrames(count, now, leadMs);
  pace.backlog = s.available() > 0;
  if (s.available() === 0 && !s.expectingMore()) return Infinity;
  return frameDeadline(pace, pace.sent, leadMs) - wakeAheadMs(batch);
}

/** With batching, ask for the clock a few ms before the deadline (still inside earlyMs), so a timer that fires
 *  late by as much — the usual event-loop jitter — still sends on time. Without batching nothing is due earlier. */
export function wakeAheadMs(batch: number): number {
  return batch > 1 ? Math.min(5, earlyMsFor(batch) - 1) : 0;
}

export function createPacer(options: PacerOptions): Pacer {
  const leadMs = options.leadMs;
  const batch = Math.max(1, Math.floor(options.batchFrames ?? 1));
  const clock: PaceClock = options.now ? { now: options.now, wallAt: options.wallAt ?? ((t) => t) } : monotonicClock();
  const now = clock.now;
  const timers = options.timers ?? realTimers;
  const streams = new Set<PacedStream>();
  let handle: unknown = null;
  let wakeAt = Infinity;
  let stopped = false;

  const schedule = (at: number, t: number) => {
    if (stopped || at === Infinity) return;
    if (handle !== null && wakeAt <= at) return;
    if (handle !== null) timers.clear(handle);
    wakeAt = at;
    handle = timers.set(tick, Math.max(0, Math.ceil(at - t)));
  };

  function tick(): void {
    handle = null;
    wakeAt = Infinity;
    if (stopped) return;
    const t = now();
    let next = Infinity;
    for (const s of streams) {
      try {
        const n = serveStream(s, t, leadMs, batch);
        if (n < next) next = n;
      } catch (err) {
        streams.delete(s);
        options.onError?.(err, s);
        try {
          s.failed?.(err); // its owner ends the stream with an error the operator sees
        } catch (again) {
          options.onError?.(again, s);
        }
      }
    }
    schedule(next, t);
  }

  return {
    leadMs,
    clock,
    batchFrames: batch,
    add(stream) {
      if (stopped) return;
      stream.attach?.(clock);
      streams.add(stream);
    },
    remove(stream) {
      streams.delete(stream);
      if (streams.size === 0 && handle !== null) {
        timers.clear(handle);
        handle = null;
        wakeAt = Infinity;
      }
    },
    kick() {
      const t = now();
      schedule(t, t);
    },
    get size() {
      return streams.size;
    },
    stop() {
      stopped = true;
      streams.clear();
      if (handle !== null) timers.clear(handle);
      handle = null;
    },
  };
}
