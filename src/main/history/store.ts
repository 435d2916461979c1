// Call history on disk, one folder per UTC day (the day of the call's first event):
//   days/<YYYY-MM-DD>/calls/<callSid>.jsonl   the call's events, appended as they happen (flushed every flushMs);
//                                             a reply's pacing/marks/parts are written as one summary (summary.ts)
//   days/<YYYY-MM-DD>/index.jsonl             one line per finished call (list and search)
//   open/<callSid>                            a marker (content: the day) while the call is running
// Why: the index is never loaded whole (list() streams day files newest first and keeps one page), retention is
// "delete the folders of old days", and recovery after a crash only looks at the markers. Crash tolerance:
// append-only; on open each marked call's torn tail is cut off (repairTail) and the call is indexed, as
// interrupted unless its events say it ended. A finished call's file and the index line are fsynced.
// Writes: each call has its own queue (open once, appends, fsync + close at the end), so a slow or stuck file holds
// back only its own call; a timer tick skips a call whose last write is still in flight (no pile-up).
import { appendFile, mkdir, open, readdir, readFile, rename, rm, stat, unlink, writeFile, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import type { Call, CallEvent, CallRecord, HistoryQuery } from '../../shared/model';
import { applyEvent } from '../calls/transitions';
import type { Logger } from '../log';
import { readJsonl, repairTail, streamJsonl } from './jsonl';
import { ReplySummarizer } from './summary';

export interface HistoryEntry {
  call: Call;
  /** Caller and bot text, for search. */
  text: string;
}

export interface HistoryOptions {
  dir: string;
  log: Logger;
  flushMs?: number;
  now?: () => number;
  /** Delete the folders of days older than this many days (at open and daily); 0 keeps everything. */
  retentionDays?: number;
  /** Write every pacing window / mark / part instead of one summary per reply (tests of the raw stream). */
  raw?: boolean;
}

export interface OpenResult {
  /** Calls the last run left open, now indexed. */
  recovered: number;
  /** Of those, the ones that had not ended (marked interrupted). */
  interrupted: number;
  /** Lines cut off or skipped because they were torn or corrupt. */
  skippedLines: number;
  /** Bytes of torn tails cut off. */
  repairedBytes: number;
  /** Day folders deleted by retention. */
  deletedDays: number;
}

const SAFE_SID = /^[A-Za-z0-9_-]{1,64}$/;
const DAY = /^\d{4}-\d{2}-\d{2}$/;
const DAY_MS = 86_400_000;
/** Finished calls stay known (for late events: status callbacks after the end) this long. */
const FINISHED_KEPT_MS = 15 * 60_000;
const MAX_LIMIT = 1000;
const DEFAULT_LIMIT = 200;

export const dayOf = (at: number): string => new Date(at).toISOString().slice(0, 10);

interface Placed {
  day: string;
  marked: boolean;
  finishedAt?: number;
  /** Caller and bot text so far (the index line's search text, without re-reading the file). */
  text: string[];
}

export class HistoryStore {
  private readonly daysDir: string;
  private readonly openDir: string;
  private readonly placed = new Map<string, Placed>();
  private readonly pending = new Map<string, CallEvent[]>();
  /** One append handle per call still running: no open/close per flush (1,000 calls flush 4,000 times a second). */
  private readonly files = new Map<string, FileHandle>();
  private readonly summarizer = new ReplySummarizer();
  private timer: NodeJS.Timeout | null = null;
  private retentionTimer: NodeJS.Timeout | null = null;
  /** Each call's writes in order (open, appends, fsync + close at the end); absent when nothing is in flight. */
  private readonly queues = new Map<string, Promise<void>>();
  /** Finished calls in the order they finished (forgotten FINISHED_KEPT_MS later). */
  private readonly finishedOrder: Array<{ sid: string; at: number }> = [];
  private readonly flushMs: number;
  private readonly now: () => number;
  private retainedFrom = '';

  constructor(private readonly options: HistoryOptions) {
    this.daysDir = join(options.dir, 'days');
    this.openDir = join(options.dir, 'open');
    this.flushMs = options.flushMs ?? 250;
    this.now = options.now ?? Date.now;
  }

  /** Apply retention, recover calls the last run did not finish, start the flush and daily retention timers. */
  async open(): Promise<OpenResult> {
    await mkdir(this.daysDir, { recursive: true });
    await mkdir(this.openDir, { recursive: true });
    await this.migrateLegacy();
    const result: OpenResult = { recovered: 0, interrupted: 0, skippedLines: 0, repairedBytes: 0, deletedDays: await this.applyRetention() };
    for (const day of await this.days()) {
      const cut = await repairTail(this.indexPath(day));
      if (cut) result.skippedLines++;
      result.repairedBytes += cut;
    }
    for (const callSid of await readdir(this.openDir)) {
      if (!SAFE_SID.test(callSid)) continue;
      const marker = join(this.openDir, callSid);
      const day = (await readFile(marker, 'utf8').catch(() => '')).trim();
      const path = DAY.test(day) ? this.callPath(day, callSid) : '';
      const cut = path ? await repairTail(path) : 0;
      result.repairedBytes += cut;
      const read = path ? await readJsonl<CallEvent>(path) : { records: [], skipped: 0 };
      result.skippedLines += read.skipped + (cut ? 1 : 0);
      const call = reduce(read.records);
      if (call) {
        const ended: Call =
          call.state === 'ended'
            ? call
            : { ...call, state: 'ended', interrupted: true, endReason: 'host stopped during the call', endedAt: call.endedAt ?? lastAt(read.records) };
        await this.writeIndex(day, { call: ended, text: searchText(read.records).join('\n') });
        // late events for it this run (a status callback after the restart) are bookkeeping on the indexed call
        this.placed.set(callSid, { day, marked: false, finishedAt: this.now(), text: [] });
        result.recovered++;
        if (ended.interrupted) result.interrupted++;
      }
      await unlink(marker).catch(() => undefined);
    }
    this.timer = setInterval(() => this.tick(), this.flushMs);
    this.timer.unref();
    this.retentionTimer = setInterval(() => void this.applyRetention().catch((err) => this.options.log.error({ err }, 'history: retention failed')), 60 * 60_000);
    this.retentionTimer.unref();
    if (result.skippedLines) this.options.log.warn({ skippedLines: result.skippedLines, repairedBytes: result.repairedBytes }, 'history: cut off torn or corrupt lines');
    if (result.deletedDays) this.options.log.info({ deletedDays: result.deletedDays }, 'history: deleted days past retention');
    return result;
  }

  /** Queue one event for its call's file (written within flushMs; reply detail is summarised first). */
  append(event: CallEvent): void {
    if (!SAFE_SID.test(event.callSid)) return;
    let placed = this.placed.get(event.callSid);
    if (!placed) this.placed.set(event.callSid, (placed = { day: dayOf(event.at), marked: false, text: [] }));
    if (event.type === 'transcript' || event.type === 'bot.reply') placed.text.push(event.text);
    const out = this.options.raw || placed.finishedAt !== undefined ? [event] : this.summarizer.take(event);
    if (!out.length) return;
    const list = this.pending.get(event.callSid);
    if (list) list.push(...out);
    else this.pending.set(event.callSid, out);
  }

  /** Record a finished call in the index: its events written and fsynced, the index line fsynced, the handle closed. */
  async finish(call: Call): Promise<void> {
    if (!SAFE_SID.test(call.callSid)) return;
    const sid = call.callSid;
    const placed = this.placed.get(sid) ?? { day: dayOf(call.startedAt), marked: false, text: [] };
    this.placed.set(sid, placed);
    const tail = this.summarizer.end(sid);
    if (tail.length) this.pending.set(sid, [...(this.pending.get(sid) ?? []), ...tail]);
    // from here on, late events go straight to the file once the handle is closed (raw, no summarizer)
    placed.finishedAt = this.now();
    this.finishedOrder.push({ sid, at: placed.finishedAt });
    this.writeOut(sid);
    await this.enqueue(sid, async () => {
      const file = this.files.get(sid);
      this.files.delete(sid);
      if (!file) return;
      await file.sync().catch((err: unknown) => this.options.log.warn({ err, callSid: sid }, 'history: fsync failed'));
      await file.close().catch(() => undefined);
    });
    await this.writeIndex(placed.day, { call, text: placed.text.join('\n') });
    if (placed.marked) await unlink(join(this.openDir, sid)).catch(() => undefined);
    placed.marked = false;
    placed.text = [];
  }

  /** Everything appended so far, written (each call's file on its own queue: one slow call never holds the rest). */
  async flush(): Promise<void> {
    for (const sid of [...this.pending.keys()]) this.writeOut(sid);
    this.forgetFinished();
    await Promise.all([...this.queues.values()]);
  }

  /** One call's events appended so far, written. */
  private async flushCall(sid: string): Promise<void> {
    this.writeOut(sid);
    await this.queues.get(sid);
  }

  /** The timer's flush: a call whose last write is still in flight keeps collecting until the next tick. */
  private tick(): void {
    for (const sid of [...this.pending.keys()]) if (!this.queues.has(sid)) this.writeOut(sid);
    this.forgetFinished();
  }

  /** Queue the call's pending events for its file. */
  private writeOut(sid: string): void {
    const events = this.pending.get(sid);
    this.pending.delete(sid);
    const placed = this.placed.get(sid);
    if (!events?.length || !placed) return;
    const text = events.map((e) => JSON.stringify(e)).join('\n') + '\n';
    void this.enqueue(sid, () => this.write(sid, placed, text));
  }

  /** Run `step` after the call's earlier writes (per-call order), logging its failure. */
  private enqueue(sid: string, step: () => Promise<void>): Promise<void> {
    const next = (this.queues.get(sid) ?? Promise.resolve()).then(step).catch((err: unknown) => this.options.log.error({ err, callSid: sid }, 'history: could not write events'));
    this.queues.set(sid, next);
    void next.then(() => this.queues.get(sid) === next && this.queues.delete(sid));
    return next;
  }

  private async write(sid: string, placed: Placed, text: string): Promise<void> {
    let file = this.files.get(sid);
    if (!file && placed.finishedAt !== undefined) {
      await mkdir(join(this.daysDir, placed.day, 'calls'), { recursive: true });
      await appendFile(this.callPath(placed.day, sid), text); // late bookkeeping after the end
      return;
    }
    if (!file) {
      await mkdir(join(this.daysDir, placed.day, 'calls'), { recursive: true });
      if (!placed.marked) await writeFile(join(this.openDir, sid), placed.day);
      placed.marked = true;
      this.files.set(sid, (file = await open(this.callPath(placed.day, sid), 'a')));
    }
    await file.write(text);
  }

  /** A call's events as written (reply detail summarised). */
  async events(callSid: string): Promise<CallEvent[]> {
    const path = await this.locate(callSid);
    if (!path) return [];
    await this.flushCall(callSid);
    return (await readJsonl<CallEvent>(path.file)).records;
  }

  async get(callSid: string): Promise<CallRecord | null> {
    const path = await this.locate(callSid);
    if (!path) return null;
    await this.flushCall(callSid);
    const events = (await readJsonl<CallEvent>(path.file)).records;
    let indexed: Call | undefined;
    for await (const entry of streamJsonl<HistoryEntry>(this.indexPath(path.day))) {
      if (entry?.call?.callSid === callSid) indexed = entry.call;
    }
    const call = indexed ?? reduce(events);
    return call ? { call, events } : null;
  }

  /**
   * One page of finished calls, newest first (startedAt, then callSid, descending), after `query.cursor`.
   * Day files are streamed newest first and only the page being built is held in memory.
   */
  async list(asked: HistoryQuery = {}): Promise<Call[]> {
    const bound = (v: unknown) => (typeof v === 'number' && Number.isFinite(v) && Math.abs(v) < 8.64e15 ? v : undefined);
    const query = { ...asked, since: bound(asked?.since), until: bound(asked?.until) };
    const wanted = Number(query.limit ?? DEFAULT_LIMIT);
    const limit = Number.isFinite(wanted) ? Math.max(1, Math.min(MAX_LIMIT, Math.floor(wanted))) : DEFAULT_LIMIT;
    const cursor = parseCursor(query.cursor);
    const text = typeof query.text === 'string' ? query.text.trim().toLowerCase() : undefined;
    const digits = text?.replace(/[^\d]/g, '');
    const matches = ({ call, text: said }: HistoryEntry): boolean => {
      if (query.since !== undefined && call.startedAt < query.since) return false;
      if (query.until !== undefined && call.startedAt > query.until) return false;
      if (cursor && !before(call, cursor)) return false;
      if (!text) return true;
      const byNumber = digits && digits.length >= 3 && (call.from.includes(digits) || call.to.includes(digits));
      return Boolean(byNumber) || said.toLowerCase().includes(text) || call.callSid.toLowerCase().includes(text);
    };
    const newest = [query.until, cursor?.startedAt].filter((x): x is number => x !== undefined);
    const lastDay = newest.length ? dayOf(Math.min(...newest)) : null;
    const firstDay = query.since !== undefined ? dayOf(query.since) : null;
    const out: Call[] = [];
    for (const day of (await this.days()).reverse()) {
      if (lastDay && day > lastDay) continue;
      if (firstDay && day < firstDay) break;
      const room = limit - out.length;
      // the best `room` calls of the day; a later index line for the same call replaces the earlier one
      const page: Call[] = [];
      for await (const entry of streamJsonl<HistoryEntry>(this.indexPath(day))) {
        if (!entry?.call?.callSid) continue;
        const same = page.findIndex((c) => c.callSid === entry.call.callSid);
        if (same >= 0) page.splice(same, 1);
        if (!matches({ call: entry.call, text: entry.text ?? '' })) continue;
        insertSorted(page, entry.call);
        if (page.length > room) page.pop();
      }
      out.push(...page);
      if (out.length >= limit) break;
    }
    return out;
  }

  /** Delete day folders older than the retention (and markers pointing into them). Returns folders deleted. */
  async applyRetention(): Promise<number> {
    const days = this.options.retentionDays ?? 0;
    if (days <= 0) return 0;
    const keepFrom = dayOf(this.now() - days * DAY_MS);
    if (keepFrom === this.retainedFrom) return 0;
    let deleted = 0;
    for (const day of await this.days()) {
      if (day >= keepFrom) continue;
      await rm(join(this.daysDir, day), { recursive: true, force: true });
      deleted++;
    }
    this.retainedFrom = keepFrom;
    return deleted;
  }

  async close(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    if (this.retentionTimer) clearInterval(this.retentionTimer);
    this.timer = null;
    this.retentionTimer = null;
    // a clean stop keeps the reply detail of calls still running (they are recovered as interrupted at next open)
    for (const callSid of [...this.placed.keys()]) {
      const tail = this.summarizer.end(callSid);
      if (tail.length) this.pending.set(callSid, [...(this.pending.get(callSid) ?? []), ...tail]);
    }
    await this.flush();
    const files = [...this.files.values()];
    this.files.clear();
    await Promise.all(files.map(async (f) => f.sync().catch(() => undefined).then(() => f.close().catch(() => undefined))));
  }

  /** Open handles (calls running), for leak checks. */
  get openFiles(): number {
    return this.files.size;
  }

  private callPath(day: string, callSid: string): string {
    return join(this.daysDir, day, 'calls', `${callSid}.jsonl`);
  }

  private indexPath(day: string): string {
    return join(this.daysDir, day, 'index.jsonl');
  }

  private async writeIndex(day: string, entry: HistoryEntry): Promise<void> {
    await mkdir(join(this.daysDir, day), { recursive: true });
    const file = await open(this.indexPath(day), 'a');
    try {
      await file.write(JSON.stringify(entry) + '\n');
      await file.sync();
    } finally {
      await file.close();
    }
  }

  private async days(): Promise<string[]> {
    const names = await readdir(this.daysDir).catch(() => [] as string[]);
    return names.filter((d) => DAY.test(d)).sort();
  }

  private async locate(callSid: string): Promise<{ day: string; file: string } | null> {
    if (!SAFE_SID.test(callSid)) return null;
    const known = this.placed.get(callSid);
    if (known) return { day: known.day, file: this.callPath(known.day, callSid) };
    for (const day of (await this.days()).reverse()) {
      const file = this.callPath(day, callSid);
      if (await stat(file).then(() => true, () => false)) return { day, file };
    }
    return null;
  }

  private forgetFinished(): void {
    const cutoff = this.now() - FINISHED_KEPT_MS;
    while (this.finishedOrder.length && this.finishedOrder[0]!.at <= cutoff) {
      const { sid, at } = this.finishedOrder[0]!;
      if (this.pending.has(sid) || this.queues.has(sid)) break; // still writing: the next tick looks again
      this.finishedOrder.shift();
      if (this.placed.get(sid)?.finishedAt === at) this.placed.delete(sid);
    }
  }

  /** The layout before day folders (index.jsonl + calls/*.jsonl at the top): moved into day folders once. */
  private async migrateLegacy(): Promise<void> {
    const legacyIndex = join(this.options.dir, 'index.jsonl');
    const legacyCalls = join(this.options.dir, 'calls');
    const files = await readdir(legacyCalls).catch(() => [] as string[]);
    const indexed = new Map<string, string>();
    for await (const entry of streamJsonl<HistoryEntry>(legacyIndex)) {
      if (!entry?.call?.callSid || !SAFE_SID.test(entry.call.callSid)) continue;
      const day = dayOf(entry.call.startedAt);
      indexed.set(entry.call.callSid, day);
      await mkdir(join(this.daysDir, day), { recursive: true });
      await appendFile(this.indexPath(day), JSON.stringify(entry) + '\n');
    }
    for (const name of files) {
      const callSid = name.replace(/\.jsonl$/, '');
      if (!name.endsWith('.jsonl') || !SAFE_SID.test(callSid)) continue;
      const from = join(legacyCalls, name);
      const first = (await readJsonl<CallEvent>(from)).records[0];
      const day = indexed.get(callSid) ?? dayOf(first?.at ?? this.now());
      await mkdir(join(this.daysDir, day, 'calls'), { recursive: true });
      await rename(from, this.callPath(day, callSid));
      if (!indexed.has(callSid)) await writeFile(join(this.openDir, callSid), day);
    }
    if (indexed.size || files.length) {
      await rename(legacyIndex, `${legacyIndex}.migrated`).catch(() => undefined);
      await rm(legacyCalls, { recursive: true, force: true });
      this.options.log.info({ calls: files.length }, 'history: moved the old layout into day folders');
    }
  }
}

function reduce(events: CallEvent[]): Call | undefined {
  let call: Call | undefined;
  for (const e of events) call = applyEvent(call, e);
  return call;
}

function lastAt(events: CallEvent[]): number | undefined {
  return events.length ? events[events.length - 1]!.at : undefined;
}

function searchText(events: CallEvent[]): string[] {
  return events.flatMap((e) => (e.type === 'transcript' || e.type === 'bot.reply' ? [e.text] : []));
}

interface Cursor {
  startedAt: number;
  callSid: string;
}

function parseCursor(cursor: string | undefined): Cursor | null {
  const m = typeof cursor === 'string' ? /^(\d{1,16}):([A-Za-z0-9_-]{1,64})$/.exec(cursor) : null;
  return m ? { startedAt: Number(m[1]), callSid: m[2]! } : null;
}

/** True when `call` comes after the cursor in the list's order (newest first). */
function before(call: Call, cursor: Cursor): boolean {
  return call.startedAt < cursor.startedAt || (call.startedAt === cursor.startedAt && call.callSid < cursor.callSid);
}

function insertSorted(page: Call[], call: Call): void {
  let i = page.length;
  while (i > 0 && before(page[i - 1]!, call)) i--;
  page.splice(i, 0, call);
}
