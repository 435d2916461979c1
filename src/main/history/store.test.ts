import { appendFileSync, mkdtempSync, readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { CallEvent, CallEventBody } from '../../shared/model';
import { silentLogger } from '../log';
import { parseJsonl } from './jsonl';
import { HistoryStore } from './store';

let seq = 0;
const ev = (callSid: string, body: CallEventBody, at = 1000): CallEvent => ({ ...body, callSid, at, seq: ++seq }) as CallEvent;
const startedBody = (from: string): CallEventBody => ({ type: 'call.started', from, to: '+827000000000', fromMasked: 'x', toMasked: 'y', mode: 'gather', simulated: true });

describe('parseJsonl', () => {
  it('skips a torn last line and counts it', () => {
    expect(parseJsonl('{"a":1}\n{"a":2}\n{"a":')).toEqual({ records: [{ a: 1 }, { a: 2 }], skipped: 1 });
    expect(parseJsonl('')).toEqual({ records: [], skipped: 0 });
  });
});

describe('HistoryStore', () => {
  it('writes events, indexes finished calls, searches by number and text, and survives a reopen', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'fd-hist-'));
    const store = new HistoryStore({ dir, log: silentLogger() });
    await store.open();
    const events = [
      ev('CA1', startedBody('+821012345678'), 1000),
      ev('CA1', { type: 'transcript', text: '환불 절차를 알고 싶어요', confidence: 0.9, source: 'gather' }, 2000),
      ev('CA1', { type: 'call.ended', reason: 'completed' }, 3000),
    ];
    events.forEach((e) => store.append(e));
    await store.finish({ ...(await store.get('CA1'))!.call });
    store.append(ev('CA2', startedBody('+821099998888'), 5000));
    await store.finish((await store.get('CA2'))!.call);
    await store.close();

    const again = new HistoryStore({ dir, log: silentLogger() });
    expect(await again.open()).toMatchObject({ calls: 2, interrupted: 0 });
    expect(again.list().map((c) => c.callSid)).toEqual(['CA2', 'CA1']);
    expect(again.list({ text: '환불' }).map((c) => c.callSid)).toEqual(['CA1']);
    expect(again.list({ text: '9999' }).map((c) => c.callSid)).toEqual(['CA2']);
    expect(again.list({ since: 4000 }).map((c) => c.callSid)).toEqual(['CA2']);
    const record = await again.get('CA1');
    expect(record?.events.map((e) => e.type)).toEqual(['call.started', 'transcript', 'call.ended']);
    expect(record?.call.state).toBe('ended');
    await again.close();
  });

  it('marks a call the last run never finished as interrupted, skipping a torn tail (kill -9)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'fd-hist-'));
    mkdirSync(join(dir, 'calls'), { recursive: true });
    const file = join(dir, 'calls', 'CA9.jsonl');
    writeFileSync(file, JSON.stringify(ev('CA9', startedBody('+821011112222'), 1000)) + '\n');
    appendFileSync(file, JSON.stringify(ev('CA9', { type: 'transcript', text: '여보세요', source: 'gather' }, 1500)) + '\n{"type":"transcr');
    const store = new HistoryStore({ dir, log: silentLogger() });
    expect(await store.open()).toMatchObject({ calls: 1, interrupted: 1, skippedLines: 1 });
    const [call] = store.list();
    expect(call).toMatchObject({ callSid: 'CA9', state: 'ended', interrupted: true, lastTranscript: '여보세요', endedAt: 1500 });
    await store.close();
    // the recovery is recorded, so a second open does not count it again
    const again = new HistoryStore({ dir, log: silentLogger() });
    expect(await again.open()).toMatchObject({ calls: 1, interrupted: 0 });
    await again.close();
    expect(readFileSync(join(dir, 'index.jsonl'), 'utf8').trim().split('\n')).toHaveLength(1);
  });

  it('refuses call ids that could escape its folder', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'fd-hist-'));
    const store = new HistoryStore({ dir, log: silentLogger() });
    await store.open();
    store.append(ev('../../etc/passwd', { type: 'dtmf', digit: '1' }));
    await store.flush();
    expect(await store.get('../../etc/passwd')).toBeNull();
    await store.close();
  });
});
