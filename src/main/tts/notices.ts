// Part notices: the TTS service may tell us when a part has landed, instead of leaving us to find it by polling.
// The model: each reply that asks for notices gets an unguessable token and sends `notify_url = {base}/tts_part/{token}`
// with its job; the service POSTs {"part": N} after partN is uploaded and {"done": true} after the done marker, at
// least once and in any order (notes: S3 event notifications are too slow for this; a push from the writer is not).
// A notice only wakes the reply's poller for a GET at once; S3 stays the only source of the bytes, and polling goes
// on as a safety net at a slow rate, so a lost, late or forged notice can cost at most one GET, never audio.
// Why hand-written: a few lines of state per reply; the wire format is ours (docs/CONFIGURATION.md, TTS contract).
import { randomBytes } from 'node:crypto';
import { z } from 'zod';

/** What one notice says (the body of POST /tts_part/{token}). */
export const NoticeBody = z
  .object({
    part: z.number().int().min(0).max(100_000).optional(),
    done: z.boolean().optional(),
    job_id: z.string().max(200).optional(),
  })
  .refine((b) => b.part !== undefined || b.done === true, 'a notice says {"part": N} or {"done": true}');
export type Notice = z.infer<typeof NoticeBody>;

/** Everything the notices of one reply said since the poller last looked. */
export interface NoticesTaken {
  /** Highest part index announced (null: none). */
  part: number | null;
  done: boolean;
}

/** One reply's notices: the poller sleeps on it and takes what came. */
export class NoticeBox {
  private part: number | null = null;
  private done = false;
  private fresh = false;
  private wake: (() => void) | null = null;

  post(n: Notice): void {
    if (n.part !== undefined) this.part = Math.max(this.part ?? -1, n.part);
    if (n.done) this.done = true;
    this.fresh = true;
    this.wake?.();
  }

  /** Whether a notice came since the last take(). */
  pending(): boolean {
    return this.fresh;
  }

  /** What was announced so far (cumulative: the highest part, done once said), and clears the pending flag. */
  take(): NoticesTaken {
    this.fresh = false;
    return { part: this.part, done: this.done };
  }

  /** Resolves after `ms` ('timer'), at once when a notice is pending or comes ('notice'), or when `signal` aborts. */
  sleep(ms: number, signal: AbortSignal, timers: NoticeTimers = realTimers): Promise<'timer' | 'notice' | 'aborted'> {
    if (signal.aborted) return Promise.resolve('aborted');
    if (this.fresh) return Promise.resolve('notice');
    if (ms <= 0) return Promise.resolve('timer');
    return new Promise((resolve) => {
      const end = (how: 'timer' | 'notice' | 'aborted') => {
        timers.clear(handle);
        signal.removeEventListener('abort', onAbort);
        this.wake = null;
        resolve(how);
      };
      const onAbort = () => end('aborted');
      const handle = timers.set(() => end('timer'), ms);
      signal.addEventListener('abort', onAbort, { once: true });
      this.wake = () => end('notice');
    });
  }
}

export interface NoticeTimers {
  set(fn: () => void, ms: number): unknown;
  clear(handle: unknown): void;
}

const realTimers: NoticeTimers = { set: (fn, ms) => setTimeout(fn, ms), clear: (h) => clearTimeout(h as NodeJS.Timeout) };

/** How long the service counts as notifying after its last notice (new jobs then poll only as a safety net). */
export const NOTICE_TRUST_MS = 30_000;

/** Every reply's box by token, and whether the service has been notifying lately. */
export class NoticeBoard {
  private readonly boxes = new Map<string, NoticeBox>();
  private lastNoticeAt = -Infinity;

  /** `watch`: told of every token opened and released (the media thread's host answers the notice route). */
  constructor(
    private readonly now: () => number = Date.now,
    private readonly watch?: (token: string, open: boolean) => void,
  ) {}

  /** A box and its token for a new reply; release(token) when the reply has ended. */
  open(): { token: string; box: NoticeBox } {
    const token = randomBytes(16).toString('base64url');
    const box = new NoticeBox();
    this.boxes.set(token, box);
    this.watch?.(token, true);
    return { token, box };
  }

  release(token: string): void {
    if (this.boxes.delete(token)) this.watch?.(token, false);
  }

  /** Deliver a notice: false when no live reply has that token (a late notice, or a guess). */
  deliver(token: string, notice: Notice): boolean {
    const box = this.boxes.get(token);
    if (!box) return false;
    this.lastNoticeAt = this.now();
    box.post(notice);
    return true;
  }

  /** The service notified within NOTICE_TRUST_MS: a new job may wait for its first notice instead of polling densely. */
  trusted(): boolean {
    return this.now() - this.lastNoticeAt <= NOTICE_TRUST_MS;
  }

  get size(): number {
    return this.boxes.size;
  }
}
