// The I/O loop of one TTS job: GET only the next part key on the schedule from schedule.ts, parse it,
// hand it on, and end on the done marker or the idle timeout. Every GET goes through `request`, which
// refuses to start once the reply is cancelled and carries a deadline from the reply's budget: a part GET (with the
// store's own retries and backoff) is aborted when JOB_IDLE_TIMEOUT_MS runs out since the last part (or the job's
// start), so a hanging S3 can never hold the caller longer than that; a done-marker GET gets at most one
// readTimeoutMs (and 1 s) and never past the same deadline (a done check that hangs is only a miss).
// With part notices (notices.ts) a notice wakes the loop for a GET of the announced part at once, and the schedule
// becomes a safety net (no GET closer than noticeSafetyMs) once the job — or, lately, the service — has notified.
import { setTimeout as delay } from 'node:timers/promises';
import { doneKey, partKey, type KeyScheme } from './keys';
import {
  landingWindow,
  nextPollDelay,
  shouldCheckDone,
  spend,
  type Bucket,
  type LandingModel,
  type PollTuning,
} from './schedule';
import type { NoticeBox } from './notices';
import { TransientStoreError, TtsError, type AudioPart, type PartStore } from './types';
import { parseWav, toMulawPart, WavError, type ParsedWav } from './wav';

export interface PollerDeps {
  store: PartStore;
  scheme: KeyScheme;
  jobId: string;
  /** When the job was requested (the clock the landing model learns against). */
  startedAt: number;
  model: LandingModel;
  tuning: PollTuning;
  idleTimeoutMs: number;
  now: () => number;
  signal: AbortSignal;
  /** Audio queued but not yet sent, ms, as the reply estimates it now. */
  queuedMs: (now: number) => number;
  onRequest: (key: string) => void;
  onPart: (part: AudioPart) => void;
  /** The request budget, shared by every reply of one stream; a new one (starting with tuning.initialTokens) when absent. */
  bucket?: { current: Bucket };
  /** Transient store failures in a row before the job fails. */
  maxFailures?: number;
  sleep?: (ms: number, signal: AbortSignal) => Promise<void>;
  /** The service writes a done marker after the last part (default true): going quiet without it is a cut-short reply. */
  requireDone?: boolean;
  /** Longest done-marker GET (default: the idle deadline only), e.g. S3_REQUEST_TIMEOUT_MS. */
  readTimeoutMs?: number;
  /** Deadline timers (default setTimeout). */
  timers?: { set(fn: () => void, ms: number): unknown; clear(handle: unknown): void };
  /** This job's part notices (the reply asked the service for them); the loop sleeps on them. */
  notices?: NoticeBox;
  /** The service has been notifying lately: poll only as a safety net from the job's start. */
  noticesTrusted?: boolean;
}

export type PollEnd = 'done' | 'idle' | 'cancelled';

const CANCELLED = Symbol('cancelled');
/** The GET's deadline passed before it answered (its in-flight request was aborted). */
const LATE = Symbol('late');
/** A transient store failure (worth another try): never a miss, so never "the job is done". */
const FAILED = Symbol('failed');

/** The longest a done-marker GET may take (it is one small object; a slow one is only a miss). */
const DONE_READ_MAX_MS = 1000;

const defaultTimers = { set: (fn: () => void, ms: number): unknown => setTimeout(fn, ms), clear: (h: unknown) => clearTimeout(h as NodeJS.Timeout) };

async function abortableSleep(ms: number, signal: AbortSignal): Promise<void> {
  await delay(ms, undefined, { signal }).catch(() => undefined);
}

/** Polls one job to its end. Resolves how it ended; rejects with TtsError (store, part or timeout). */
export async function pollJob(d: PollerDeps): Promise<PollEnd> {
  const { scheme, jobId, tuning, signal, now, model } = d;
  const sleep = d.sleep ?? abortableSleep;
  const maxFailures = d.maxFailures ?? 3;
  const bucket = d.bucket ?? { current: { tokens: tuning.initialTokens, at: d.startedAt } };
  let n = scheme.firstIndex;
  let partsSeen = 0;
  let lastPartSeenAt: number | undefined;
  let prevLanding = d.startedAt;
  let lastMissAt: number | undefined;
  let lastDoneCheckAt = d.startedAt;
  let doneSeen = false;
  let failures = 0;
  let lastTransient: string | undefined;
  const timers = d.timers ?? defaultTimers;
  const requireDone = d.requireDone ?? true;
  const idleDeadline = () => (lastPartSeenAt ?? d.startedAt) + d.idleTimeoutMs;

  /** The job went quiet: before part 0 the reply never started; after it the reply was cut short (unless done is optional). */
  const quiet = (): TtsError | 'idle' => {
    const last = lastTransient ? `; the last S3 read failed: ${lastTransient}` : '';
    if (partsSeen === 0) {
      return new TtsError(`no part at ${partKey(scheme, jobId, n)} within JOB_IDLE_TIMEOUT_MS (${d.idleTimeoutMs} ms) of starting TTS job ${jobId}${last}`, 'timeout');
    }
    if (!requireDone) return 'idle';
    return new TtsError(
      `part ${partKey(scheme, jobId, n)} did not come within JOB_IDLE_TIMEOUT_MS (${d.idleTimeoutMs} ms) of the previous one and the TTS service wrote no done marker${last}`,
      'timeout',
    );
  };

  /** One GET; CANCELLED when the reply was cancelled; LATE past its deadline; FAILED on a transient failure worth another try; null on a miss. */
  const request = async (
    key: string,
    deadline: number,
  ): Promise<{ bytes: Buffer; lastModified?: number } | null | typeof CANCELLED | typeof LATE | typeof FAILED> => {
    if (signal.aborted) return CANCELLED;
    const left = deadline - now();
    if (left <= 0) return LATE;
    bucket.current = spend(bucket.current, now(), tuning);
    d.onRequest(key);
    // the store sees one signal: the reply's cancel or this GET's deadline, whichever comes first
    const budget = new AbortController();
    const onCancel = () => budget.abort(signal.reason);
    signal.addEventListener('abort', onCancel, { once: true });
    const timer = timers.set(() => budget.abort(new Error(`no answer before the reply's deadline (${Math.round(left)} ms)`)), left);
    try {
      const hit = await d.store.get(key, budget.signal);
      failures = 0;
      if (signal.aborted) return CANCELLED;
      return budget.signal.aborted ? LATE : hit;
    } catch (err) {
      if (signal.aborted) return CANCELLED;
      if (budget.signal.aborted) return LATE;
      if (err instanceof TransientStoreError) {
        lastTransient = err.message;
        if (++failures < maxFailures) return FAILED;
      }
      if (err instanceof TtsError) throw err;
      throw new TtsError(`reading ${key} from ${d.store.describe()} failed: ${err instanceof Error ? err.message : String(err)}`, 'store', err);
    } finally {
      timers.clear(timer);
      signal.removeEventListener('abort', onCancel);
    }
  };

  const currentWindow = () =>
    landingWindow(partsSeen === 0 ? d.startedAt : prevLanding, partsSeen === 0 ? model.first : model.gap, tuning);
  let pollNow = false;
  // notices: the highest part announced, and whether polling is only the safety net now
  const box = d.notices;
  let announced = -1;
  /** The last part fetched at once on a notice: a notice that runs ahead of its part (a miss) earns one GET, not a loop. */
  let rushed = -1;
  let noticed = box !== undefined && d.noticesTrusted === true;
  const hear = () => {
    if (!box?.pending()) return;
    const said = box.take();
    noticed = true;
    if (said.part !== null) announced = Math.max(announced, said.part);
    if (said.done && !doneSeen) doneSeen = pollNow = true; // the last part may be there already: look at once
  };
  for (;;) {
    hear();
    const rush = () => announced >= n && rushed < n;
    if (rush()) {
      rushed = n;
      pollNow = true;
    }
    if (!pollNow) {
      // wait on the schedule before every GET, the first one too (with nothing queued and no token, that is a wait)
      const at = now();
      let wait = nextPollDelay({ now: at, first: partsSeen === 0, queuedMs: d.queuedMs(at), window: currentWindow(), bucket: bucket.current }, tuning);
      if (noticed) wait = Math.max(wait, tuning.noticeSafetyMs);
      if (failures > 0) wait = Math.max(wait, 100 * failures); // the SDK already retried: give the store a moment
      const ms = Math.max(0, Math.min(wait, idleDeadline() - at));
      const woke = box ? await box.sleep(ms, signal, timers) : (await sleep(ms, signal), 'timer');
      if (signal.aborted) return 'cancelled';
      if (woke === 'notice') {
        hear();
        // a notice about a part we already have says nothing new: back to the schedule, no GET
        if (rush()) rushed = n;
        else if (!pollNow) continue;
      }
    }
    pollNow = false;
    if (now() >= idleDeadline()) {
      const end = quiet();
      if (end === 'idle') return end;
      throw end;
    }
    const key = partKey(scheme, jobId, n);
    const sentAt = now();
    const deadline = idleDeadline();
    const hit = await request(key, deadline);
    if (hit === CANCELLED) return 'cancelled';
    if (hit === LATE) {
      const end = quiet();
      if (end === 'idle') return end;
      throw end;
    }
    // a failed read says nothing about the part (nor, after done, that there is none): try again after a pause
    if (hit === FAILED) continue;
    if (hit) {
      const part = await readPart(key, n, hit, now(), async () => {
        const again = await request(key, deadline);
        return again === LATE || again === FAILED ? null : again;
      }, sleep, d);
      if (part === CANCELLED) return 'cancelled';
      const landing = estimateLanding(lastMissAt, sentAt, part.seenAt, hit.lastModified);
      if (partsSeen === 0) model.observeFirst(landing - d.startedAt);
      else model.observeGap(landing - prevLanding);
      prevLanding = landing;
      partsSeen++;
      lastPartSeenAt = part.seenAt;
      lastMissAt = undefined;
      n++;
      d.onPart(part);
      if (doneSeen) pollNow = true; // the service said it is done: the next GET is only the last look
      continue;
    }
    lastMissAt = sentAt;
    if (doneSeen) return 'done';
    const at = now();
    const doneState = { now: at, partsSeen, lastCheckAt: lastDoneCheckAt, window: currentWindow(), queuedMs: d.queuedMs(at), bucket: bucket.current };
    if (shouldCheckDone(doneState, tuning)) {
      lastDoneCheckAt = at;
      // a done check must never hold up the part: at most one read timeout, and never more than DONE_READ_MAX_MS
      const doneDeadline = Math.min(idleDeadline(), at + Math.min(d.readTimeoutMs ?? Infinity, DONE_READ_MAX_MS));
      const done = await request(doneKey(scheme, jobId), doneDeadline);
      if (done === CANCELLED) return 'cancelled';
      if (done === LATE || done === FAILED) continue; // a done check that hangs or fails is a miss: the part GET and the idle deadline decide
      // the last part may have landed between our two GETs: look for it once more, at once
      if (done) doneSeen = pollNow = true;
    }
  }
}

/**
 * When the part most likely landed: its LastModified when that has sub-second precision (the folder store)
 * and is plausible, else the middle of the last miss → this hit bracket, else (no miss before it) our GET.
 */
export function estimateLanding(lastMissAt: number | undefined, sentAt: number, seenAt: number, lastModified?: number): number {
  const from = lastMissAt ?? -Infinity;
  if (lastModified !== undefined && lastModified % 1000 !== 0 && lastModified >= from - 5 && lastModified <= seenAt) return lastModified;
  return lastMissAt === undefined ? sentAt : (lastMissAt + sentAt) / 2;
}

type Read = { ok: true; parsed: ParsedWav } | { ok: false; error: WavError };

function tryParse(bytes: Buffer): Read {
  try {
    return { ok: true, parsed: parseWav(bytes) };
  } catch (error) {
    if (error instanceof WavError) return { ok: false, error };
    throw error;
  }
}

const complete = (r: Read) => r.ok && !r.parsed.flags.includes('short-data');

/** Parses a part; a part shorter than it says (a non-atomic store mid-write) is read once more, then played as it is and flagged. */
async function readPart(
  key: string,
  n: number,
  hit: { bytes: Buffer; lastModified?: number },
  seenAt: number,
  again: () => Promise<{ bytes: Buffer; lastModified?: number } | null | typeof CANCELLED>,
  sleep: (ms: number, signal: AbortSignal) => Promise<void>,
  d: PollerDeps,
): Promise<AudioPart | typeof CANCELLED> {
  let read = tryParse(hit.bytes);
  const extra: string[] = [];
  if (!complete(read) && (read.ok || read.error.code === 'truncated' || read.error.code === 'empty')) {
    await sleep(d.tuning.denseMs, d.signal);
    const second = await again();
    if (second === CANCELLED) return CANCELLED;
    const reread = second ? tryParse(second.bytes) : read;
    if (complete(reread)) {
      read = reread;
      seenAt = d.now();
    } else {
      if (reread.ok) read = reread;
      if (read.ok) extra.push('partial-read');
    }
  }
  if (!read.ok) throw new TtsError(`TTS part ${key} is unreadable: ${read.error.message}`, 'part', read.error);
  let audio: { audio: Buffer; flags: string[] };
  try {
    audio = toMulawPart(read.parsed);
  } catch (err) {
    throw new TtsError(`TTS part ${key}: ${err instanceof Error ? err.message : String(err)}`, 'part', err);
  }
  return {
    part: n,
    key,
    audio: audio.audio,
    bytes: audio.audio.length,
    audioMs: audio.audio.length / 8,
    landedAt: hit.lastModified,
    seenAt,
    flags: [...audio.flags, ...extra],
  };
}
