import { execFileSync } from 'node:child_process';
import { appendFileSync, closeSync, constants, existsSync, mkdirSync, mkdtempSync, openSync, readdirSync, readFileSync, readSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { historyCursor, type CallEvent, type CallEventBody, type HistoryQuery, type PacingWindow } from '../../shared/model';
import { silentLogger } from '../log';
import { parseJsonl, repairTail, tornTailLength } from './jsonl';
import { dayOf, HistoryStore } from './store';

let seq = 0;
const ev = (callSid: string, body: CallEventBody, at = 1000): CallEvent => ({ ...body, callSid, at, seq: ++seq }) as CallEvent;
const startedBody = (from: string): CallEventBody => ({ type: 'call.started', from, to: '+827000000000', fromMasked: 'x', toMasked: 'y', mode: 'gather', simulated: true });
const tmp = () => mkdtempSync(join(tmpdir(), 'fd-hist-'));
const T0 = Date.UTC(2026, 11, 1, 9, 0, 0);
const DAY = 86_400_000;

const pacing = (streamSid: string, from: number, frames: number, p99: number): CallEventBody => {
  const window: PacingWindow = {
    streamSid, from, to: from + 250, frames, samples: [[from, 1], [from + 100, p99]], latenessP50: 1, latenessP99: p99, latenessMax: p99 + 1,
    leadMs: 100, underruns: 0, marksSent: 1, marksPlayed: 1, marksCleared: 0,
  };
  return { type: 'pacing', window };
};

describe('jsonl', () => {
  it('skips a torn last line and counts it', () => {
    expect(parseJsonl('{"a":1}\n{"a":2}\n{"a":')).toEqual({ records: [{ a: 1 }, { a: 2 }], skipped: 1 });
    expect(parseJsonl('')).toEqual({ records: [], skipped: 0 });
  });

  it.each([
    ['', 0],
    ['{"a":1}\n', 0],
    ['{"a":1}\n{"a', 3],
    ['{"a', 3],
  ])('the torn tail of %j is %i bytes', (text, torn) => {
    expect(tornTailLength(Buffer.from(text))).toBe(torn);
  });

  it('repairTail cuts a torn line off so the next appended line is readable', async () => {
    const file = join(tmp(), 'x.jsonl');
    writeFileSync(file, '{"a":1}\n{"a":2}\n{"a":3,"b":"tor');
    expect(await repairTail(file)).toBe(15);
    appendFileSync(file, '{"a":4}\n');
    expect(parseJsonl(readFileSync(file, 'utf8'))).toEqual({ records: [{ a: 1 }, { a: 2 }, { a: 4 }], skipped: 0 });
    expect(await repairTail(file)).toBe(0);
    expect(await repairTail(join(tmp(), 'missing.jsonl'))).toBe(0);
  });
});

describe('HistoryStore', () => {
  it('writes events, indexes finished calls, searches by number and text, and survives a reopen', async () => {
    const dir = tmp();
    const store = new HistoryStore({ dir, log: silentLogger() });
    await store.open();
    [
      ev('CA1', startedBody('+821012345678'), T0),
      ev('CA1', { type: 'transcript', text: '환불 절차를 알고 싶어요', confidence: 0.9, source: 'gather' }, T0 + 1000),
      ev('CA1', { type: 'call.ended', reason: 'completed' }, T0 + 2000),
    ].forEach((e) => store.append(e));
    await store.finish({ ...(await store.get('CA1'))!.call });
    store.append(ev('CA2', startedBody('+821099998888'), T0 + 5000));
    await store.finish((await store.get('CA2'))!.call);
    expect(store.openFiles).toBe(0);
    expect(readdirSync(join(dir, 'open'))).toEqual([]);
    await store.close();

    const again = new HistoryStore({ dir, log: silentLogger() });
    expect(await again.open()).toMatchObject({ recovered: 0, interrupted: 0 });
    expect((await again.list()).map((c) => c.callSid)).toEqual(['CA2', 'CA1']);
    expect((await again.list({ text: '환불' })).map((c) => c.callSid)).toEqual(['CA1']);
    expect((await again.list({ text: '9999' })).map((c) => c.callSid)).toEqual(['CA2']);
    expect((await again.list({ since: T0 + 4000 })).map((c) => c.callSid)).toEqual(['CA2']);
    // odd queries from a console client: bounds ignored, a sane page size, never a throw
    const odd = { since: 'yesterday', until: Number.NaN, limit: Number.POSITIVE_INFINITY, text: 5 } as unknown as HistoryQuery;
    expect((await again.list(odd)).map((c) => c.callSid)).toEqual(['CA2', 'CA1']);
    const record = await again.get('CA1');
    expect(record?.events.map((e) => e.type)).toEqual(['call.started', 'transcript', 'call.ended']);
    expect(record?.call.state).toBe('ended');
    await again.close();
  });

  it('a call whose file is stuck holds back no other call, and loses none of its own events once it moves', async () => {
    // the stuck file is a FIFO with no reader: its open() blocks a libuv thread as a hung disk would
    const dir = tmp();
    const store = new HistoryStore({ dir, log: silentLogger(), flushMs: 10 });
    await store.open();
    const calls = join(dir, 'days', dayOf(T0), 'calls');
    mkdirSync(calls, { recursive: true });
    const fifo = join(calls, 'CASTUCK.jsonl');
    execFileSync('mkfifo', [fifo]);
    const stuck = Array.from({ length: 30 }, (_, i) => ev('CASTUCK', i ? { type: 'transcript', text: `말 ${i}`, confidence: 0.9, source: 'gather' } : startedBody('+821011112222'), T0 + i));
    for (const e of stuck) {
      store.append(e);
      await new Promise((r) => setTimeout(r, 12)); // the timer ticks between appends while the first open hangs
    }
    store.append(ev('CAOK', startedBody('+821033334444'), T0 + 100));
    store.append(ev('CAOK', { type: 'call.ended', reason: 'completed' }, T0 + 200));
    const within = <T,>(p: Promise<T>) => Promise.race([p, new Promise<'stuck'>((r) => setTimeout(() => r('stuck'), 3000))]);
    let reader: number | null = null;
    const unblock = () => (reader ??= openSync(fifo, constants.O_RDONLY | constants.O_NONBLOCK)); // the disk comes back
    try {
      const ok = await within(store.get('CAOK'));
      expect(ok).not.toBe('stuck');
      expect(await within(store.finish((ok as { call: Parameters<HistoryStore['finish']>[0] }).call))).not.toBe('stuck');
      expect((await store.list()).map((c) => c.callSid)).toEqual(['CAOK']);
      expect(store.openFiles).toBe(0); // CAOK's handle closed; CASTUCK's open has not returned yet
    } finally {
      unblock(); // also when an expectation failed: a libuv thread left blocked would stall the test worker
    }
    await store.close();
    const chunks: Buffer[] = [];
    for (let n = 1; n > 0; ) {
      const buf = Buffer.alloc(65536);
      n = readSync(unblock(), buf);
      chunks.push(buf.subarray(0, n));
    }
    closeSync(unblock());
    const written = Buffer.concat(chunks).toString('utf8').trim().split('\n').map((l) => (JSON.parse(l) as CallEvent).seq);
    expect(written).toEqual(stuck.map((e) => e.seq)); // every event, in order, nothing twice
  });

  it('lists page by page across days with a cursor, newest first, without repeating or skipping a call', async () => {
    const dir = tmp();
    const store = new HistoryStore({ dir, log: silentLogger() });
    await store.open();
    const starts: Array<[string, number]> = [];
    for (let i = 0; i < 25; i++) {
      const sid = `CA${String(i).padStart(3, '0')}`;
      const at = T0 + Math.floor(i / 10) * DAY + (i % 10) * 1000 - (i === 7 ? 1000 : 0); // 6 and 7 start together
      starts.push([sid, at]);
      store.append(ev(sid, startedBody('+8210' + String(i).padStart(8, '0')), at));
      store.append(ev(sid, { type: 'call.ended', reason: 'completed' }, at + 500));
    }
    for (const [sid] of [...starts].reverse()) await store.finish((await store.get(sid))!.call); // index order != start order
    expect(readdirSync(join(dir, 'days')).sort()).toEqual([dayOf(T0), dayOf(T0 + DAY), dayOf(T0 + 2 * DAY)]);
    const seen: string[] = [];
    let cursor: string | undefined;
    for (let page = 0; page < 10; page++) {
      const calls = await store.list({ limit: 4, cursor });
      seen.push(...calls.map((c) => c.callSid));
      if (calls.length < 4) break;
      cursor = historyCursor(calls[calls.length - 1]!);
    }
    const expected = [...starts].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? 1 : -1)).map(([sid]) => sid);
    expect(seen).toEqual(expected);
    expect(seen.slice(0, 3)).toEqual(['CA024', 'CA023', 'CA022']);
    expect(seen.indexOf('CA007')).toBe(seen.indexOf('CA006') - 1); // same startedAt: callSid descending
    await store.close();
  });

  it('repairs a call torn by kill -9: marked interrupted, the next appended line readable, counted once', async () => {
    const dir = tmp();
    const day = dayOf(T0);
    mkdirSync(join(dir, 'days', day, 'calls'), { recursive: true });
    mkdirSync(join(dir, 'open'), { recursive: true });
    const file = join(dir, 'days', day, 'calls', 'CA9.jsonl');
    writeFileSync(join(dir, 'open', 'CA9'), day);
    writeFileSync(file, JSON.stringify(ev('CA9', startedBody('+821011112222'), T0)) + '\n');
    appendFileSync(file, JSON.stringify(ev('CA9', { type: 'transcript', text: '여보세요', source: 'gather' }, T0 + 500)) + '\n{"type":"transcr');
    const store = new HistoryStore({ dir, log: silentLogger() });
    expect(await store.open()).toMatchObject({ recovered: 1, interrupted: 1, skippedLines: 1, repairedBytes: 16 });
    const [call] = await store.list();
    expect(call).toMatchObject({ callSid: 'CA9', state: 'ended', interrupted: true, lastTranscript: '여보세요', endedAt: T0 + 500 });
    expect(existsSync(join(dir, 'open', 'CA9'))).toBe(false);
    // a late event for the same call (a status callback after the restart) lands on a line of its own
    store.append(ev('CA9', { type: 'call.status', status: 'completed' }, T0 + 900));
    await store.close();
    expect(parseJsonl(readFileSync(file, 'utf8'))).toMatchObject({ skipped: 0, records: [{}, {}, { type: 'call.status' }] });
    const again = new HistoryStore({ dir, log: silentLogger() });
    expect(await again.open()).toMatchObject({ recovered: 0, interrupted: 0 });
    expect((await again.get('CA9'))?.call).toMatchObject({ interrupted: true });
    await again.close();
  });

  it('a call whose end was written but not indexed is recovered as ended, not interrupted', async () => {
    const dir = tmp();
    const store = new HistoryStore({ dir, log: silentLogger() });
    await store.open();
    store.append(ev('CA5', startedBody('+821055556666'), T0));
    store.append(ev('CA5', { type: 'call.ended', reason: 'completed' }, T0 + 100));
    await store.flush(); // the "crash": no finish()
    const again = new HistoryStore({ dir, log: silentLogger() });
    expect(await again.open()).toMatchObject({ recovered: 1, interrupted: 0 });
    expect((await again.list())[0]).toMatchObject({ callSid: 'CA5', endReason: 'completed' });
    expect((await again.list())[0]?.interrupted).toBeUndefined();
    await Promise.all([store.close(), again.close()]);
  });

  it('writes one summary per reply instead of every pacing window, mark and part', async () => {
    const dir = tmp();
    const store = new HistoryStore({ dir, log: silentLogger() });
    await store.open();
    const sid = 'CA7';
    const events: CallEvent[] = [ev(sid, startedBody('+821077778888'), T0)];
    for (const reply of ['r1', 'r2']) {
      events.push(ev(sid, { type: 'tts.job', replyId: reply, status: 'started', jobId: `j-${reply}` }, T0));
      for (let i = 0; i < 20; i++) {
        events.push(ev(sid, pacing('MZ1', T0 + i * 250, 12, i === 5 ? 40 : 3), T0 + i * 250));
        const part = { replyId: reply, jobId: `j-${reply}`, part: i % 3, key: 'k', bytes: 9600, audioMs: 1200, seenAt: T0, flags: [], lastFrameAt: T0 + i };
        events.push(ev(sid, { type: 'tts.part', part }, T0 + i * 250));
        events.push(ev(sid, { type: 'mark', name: `${reply}:part${i % 3}`, outcome: 'sent' }, T0 + i * 250));
      }
      events.push(ev(sid, { type: 'mark', name: `${reply}:end`, outcome: 'sent' }, T0 + 5000));
      events.push(ev(sid, { type: 'tts.job', replyId: reply, status: 'done', jobId: `j-${reply}` }, T0 + 5000));
      events.push(ev(sid, { type: 'mark', name: `${reply}:end`, outcome: 'played' }, T0 + 5100));
      events.push(ev(sid, { type: 'transcript', text: `after ${reply}`, source: 'stream' }, T0 + 5200));
    }
    events.push(ev(sid, { type: 'call.ended', reason: 'completed' }, T0 + 9000));
    events.forEach((e) => store.append(e));
    await store.finish((await store.get(sid))!.call);
    const written = (await store.events(sid)).map((e) => e.type);
    expect(written.filter((t) => t === 'pacing')).toHaveLength(2);
    expect(written.filter((t) => t === 'tts.part')).toHaveLength(6);
    expect(written.filter((t) => t === 'mark')).toHaveLength(2);
    expect(written.filter((t) => t === 'transcript')).toHaveLength(2);
    const summary = (await store.events(sid)).find((e) => e.type === 'pacing') as Extract<CallEvent, { type: 'pacing' }>;
    expect(summary.window).toMatchObject({ frames: 240, latenessP99: 40, latenessMax: 41, marksSent: 20, marksPlayed: 20, windows: 20, from: T0, to: T0 + 19 * 250 + 250 });
    const mark = (await store.events(sid)).find((e) => e.type === 'mark');
    expect(mark).toMatchObject({ name: 'r1:end', outcome: 'played' });
    expect((await store.events(sid)).length).toBeLessThan(events.length / 5);
    await store.close();
  });

  it('deletes the folders of days past HISTORY_RETENTION_DAYS at open', async () => {
    const dir = tmp();
    let now = T0 - 40 * DAY;
    const old = new HistoryStore({ dir, log: silentLogger(), now: () => now });
    await old.open();
    for (const [sid, at] of [['CAold', T0 - 40 * DAY], ['CAmid', T0 - 10 * DAY], ['CAnew', T0]] as const) {
      old.append(ev(sid, startedBody('+821000000000'), at));
      await old.finish((await old.get(sid))!.call);
    }
    await old.close();
    now = T0;
    const store = new HistoryStore({ dir, log: silentLogger(), now: () => now, retentionDays: 30 });
    expect(await store.open()).toMatchObject({ deletedDays: 1 });
    expect((await store.list()).map((c) => c.callSid)).toEqual(['CAnew', 'CAmid']);
    expect(await store.get('CAold')).toBeNull();
    now = T0 + 21 * DAY; // the daily pass
    expect(await store.applyRetention()).toBe(1);
    expect((await store.list()).map((c) => c.callSid)).toEqual(['CAnew']);
    await store.close();
  });

  it('moves the old single-folder layout into day folders', async () => {
    const dir = tmp();
    mkdirSync(join(dir, 'calls'), { recursive: true });
    const started = ev('CAleg', startedBody('+821012341234'), T0);
    writeFileSync(join(dir, 'calls', 'CAleg.jsonl'), JSON.stringify(started) + '\n');
    writeFileSync(join(dir, 'calls', 'CAopen.jsonl'), JSON.stringify(ev('CAopen', startedBody('+821012341235'), T0 + 5)) + '\n');
    writeFileSync(join(dir, 'index.jsonl'), JSON.stringify({ call: { callSid: 'CAleg', startedAt: T0, from: '+821012341234', to: '', state: 'ended', alerts: [] }, text: '' }) + '\n');
    const store = new HistoryStore({ dir, log: silentLogger() });
    expect(await store.open()).toMatchObject({ recovered: 1, interrupted: 1 });
    expect((await store.list()).map((c) => c.callSid)).toEqual(['CAopen', 'CAleg']);
    expect((await store.get('CAleg'))?.events).toHaveLength(1);
    expect(existsSync(join(dir, 'calls'))).toBe(false);
    await store.close();
  });

  it('refuses call ids that could escape its folder', async () => {
    const store = new HistoryStore({ dir: tmp(), log: silentLogger() });
    await store.open();
    store.append(ev('../../etc/passwd', { type: 'dtmf', digit: '1' }));
    await store.flush();
    expect(await store.get('../../etc/passwd')).toBeNull();
    expect(await store.list({ cursor: '../x' })).toEqual([]);
    await store.close();
  });
});
