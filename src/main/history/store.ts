// Call history on disk: every registry event appended to the call's own JSONL file as it happens
// (flushed at least every flushMs), plus an index line per finished call for fast listing and search.
// Crash tolerance: append-only; on open, calls with events but no index line are marked interrupted.
import { appendFile, mkdir, open, readdir, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import type { Call, CallEvent, CallRecord, HistoryQuery } from '../../shared/model';
import { applyEvent } from '../calls/transitions';
import type { Logger } from '../log';
import { readJsonl } from './jsonl';

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
}

const SAFE_SID = /^[A-Za-z0-9_-]{1,64}$/;

export class HistoryStore {
  private readonly callsDir: string;
  private readonly indexPath: string;
  private readonly index = new Map<string, HistoryEntry>();
  private readonly pending = new Map<string, string[]>();
  /** One append handle per call still running: no open/close per flush (1,000 calls flush 4,000 times a second). */
  private readonly files = new Map<string, FileHandle>();
  private timer: NodeJS.Timeout | null = null;
  private flushing: Promise<void> = Promise.resolve();
  private readonly flushMs: number;
  private readonly now: () => number;

  constructor(private readonly options: HistoryOptions) {
    this.callsDir = join(options.dir, 'calls');
    this.indexPath = join(options.dir, 'index.jsonl');
    this.flushMs = options.flushMs ?? 250;
    this.now = options.now ?? Date.now;
  }

  /** Load the index and recover calls the last run did not finish. */
  async open(): Promise<{ calls: number; interrupted: number; skippedLines: number }> {
    await mkdir(this.callsDir, { recursive: true });
    const { records, skipped } = await readJsonl<HistoryEntry>(this.indexPath);
    for (const entry of records) if (entry?.call?.callSid) this.index.set(entry.call.callSid, entry);
    let interrupted = 0;
    let skippedLines = skipped;
    for (const file of await readdir(this.callsDir)) {
      const callSid = file.replace(/\.jsonl$/, '');
      if (!file.endsWith('.jsonl') || this.index.has(callSid)) continue;
      const read = await readJsonl<CallEvent>(join(this.callsDir, file));
      skippedLines += read.skipped;
      const call = reduce(read.records);
      if (!call) continue;
      const ended: Call = call.state === 'ended' ? call : { ...call, state: 'ended', interrupted: true, endReason: 'host stopped during the call', endedAt: call.endedAt ?? lastAt(read.records) };
      if (ended.interrupted) interrupted++;
      await this.finish(ended, read.records);
    }
    this.timer = setInterval(() => void this.flush(), this.flushMs);
    this.timer.unref();
    if (skippedLines) this.options.log.warn({ skippedLines }, 'history: skipped torn or corrupt lines');
    return { calls: this.index.size, interrupted, skippedLines };
  }

  /** Queue one event for its call's file (written within flushMs). */
  append(event: CallEvent): void {
    if (!SAFE_SID.test(event.callSid)) return;
    let lines = this.pending.get(event.callSid);
    if (!lines) this.pending.set(event.callSid, (lines = []));
    lines.push(JSON.stringify(event));
  }

  /** Record a finished call in the index (after its events are flushed). */
  async finish(call: Call, events?: CallEvent[]): Promise<void> {
    await this.flush();
    await this.closeFile(call.callSid);
    const text = (events ?? (await this.events(call.callSid)))
      .map((e) => (e.type === 'transcript' || e.type === 'bot.reply' ? e.text : ''))
      .filter(Boolean)
      .join('\n');
    const entry: HistoryEntry = { call, text };
    this.index.set(call.callSid, entry);
    await appendFile(this.indexPath, JSON.stringify(entry) + '\n');
  }

  flush(): Promise<void> {
    this.flushing = this.flushing.then(async () => {
      const batch = [...this.pending];
      this.pending.clear();
      for (const [callSid, lines] of batch) {
        try {
          let file = this.files.get(callSid);
          if (!file) this.files.set(callSid, (file = await open(join(this.callsDir, `${callSid}.jsonl`), 'a')));
          await file.write(lines.join('\n') + '\n');
        } catch (err) {
          this.options.log.error({ err, callSid }, 'history: could not write events');
        }
      }
    });
    return this.flushing;
  }

  async events(callSid: string): Promise<CallEvent[]> {
    if (!SAFE_SID.test(callSid)) return [];
    await this.flush();
    return (await readJsonl<CallEvent>(join(this.callsDir, `${callSid}.jsonl`))).records;
  }

  async get(callSid: string): Promise<CallRecord | null> {
    const entry = this.index.get(callSid);
    const events = await this.events(callSid);
    const call = entry?.call ?? reduce(events);
    return call ? { call, events } : null;
  }

  list(query: HistoryQuery = {}): Call[] {
    const text = query.text?.trim().toLowerCase();
    const digits = text?.replace(/[^\d]/g, '');
    const out: Call[] = [];
    for (const { call, text: said } of this.index.values()) {
      if (query.since !== undefined && call.startedAt < query.since) continue;
      if (query.until !== undefined && call.startedAt > query.until) continue;
      if (text) {
        const byNumber = digits && digits.length >= 3 && (call.from.includes(digits) || call.to.includes(digits));
        const byText = said.toLowerCase().includes(text) || call.callSid.toLowerCase().includes(text);
        if (!byNumber && !byText) continue;
      }
      out.push(call);
    }
    out.sort((a, b) => b.startedAt - a.startedAt);
    return out.slice(0, query.limit ?? 500);
  }

  has(callSid: string): boolean {
    return this.index.has(callSid);
  }

  async close(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.flush();
    await Promise.all([...this.files.keys()].map((sid) => this.closeFile(sid)));
  }

  private async closeFile(callSid: string): Promise<void> {
    const file = this.files.get(callSid);
    this.files.delete(callSid);
    await file?.close().catch(() => undefined);
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
