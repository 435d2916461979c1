// kill -9 mid-call: a real host in a child process takes finished and live gather calls over signed webhooks,
// is SIGKILLed while the live calls are still talking, and restarts on the same DATA_DIR. Every finished call is
// in the history, every live one is there marked interrupted, and only events acknowledged in the last second
// before the kill may be missing (the flush interval is 250 ms). Prints the figures.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { HistoryStore } from '../src/main/history/store';
import { silentLogger } from '../src/main/log';
import { callSidOf, CHILD_ACCOUNT_SID, postSigned, startHostChild } from './helpers/host-child';

const FINISHED = 6;
const LIVE = 4;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const form = (sid: string, extra: Record<string, string> = {}) => ({ CallSid: sid, AccountSid: CHILD_ACCOUNT_SID, From: '+821012345678', To: '+827012345678', CallStatus: 'in-progress', ...extra });

describe('history across kill -9', () => {
  it('keeps every finished call, marks the interrupted ones, loses at most the last second', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'fd-kill9-'));
    const host = await startHostChild(dataDir);
    const port = host.ports.http;
    const ok = async (p: Promise<Response>) => expect((await p).status).toBeLessThan(300);

    for (let i = 0; i < FINISHED; i++) {
      const sid = callSidOf(i + 1);
      await ok(postSigned(port, '/voice_gather', form(sid)));
      await ok(postSigned(port, '/handle_speech', form(sid, { SpeechResult: `finished ${i}`, Confidence: '0.9' })));
      await ok(postSigned(port, '/call_status', form(sid, { CallStatus: 'completed', CallDuration: '3' })));
    }

    // live calls: one caller turn every ~50 ms each, acknowledged (200) = applied by the host's registry
    const acked = new Map<string, Array<{ text: string; at: number }>>();
    let killing = false;
    const talk = async (sid: string) => {
      await ok(postSigned(port, '/voice_gather', form(sid)));
      acked.set(sid, []);
      for (let n = 0; !killing; n++) {
        const text = `turn ${n}`;
        const res = await postSigned(port, '/handle_speech', form(sid, { SpeechResult: text })).catch(() => null);
        if (!res) break;
        if (res.status === 200) acked.get(sid)!.push({ text, at: Date.now() });
        await sleep(50);
      }
    };
    const liveSids = Array.from({ length: LIVE }, (_, i) => callSidOf(100 + i));
    const talking = liveSids.map(talk);
    await sleep(2500);
    const killAt = Date.now();
    killing = true;
    await host.kill9();
    await Promise.all(talking);

    const again = await startHostChild(dataDir);
    expect(await again.stop()).toBe(0);
    const log = again.output();

    const store = new HistoryStore({ dir: join(dataDir, 'history'), log: silentLogger() });
    expect(await store.open()).toMatchObject({ recovered: 0 }); // the restarted host did the recovery
    const calls = await store.list({ limit: 100 });
    const bySid = new Map(calls.map((c) => [c.callSid, c]));
    for (let i = 0; i < FINISHED; i++) expect(bySid.get(callSidOf(i + 1))).toMatchObject({ state: 'ended', endReason: 'completed' });
    for (let i = 0; i < FINISHED; i++) expect(bySid.get(callSidOf(i + 1))?.interrupted).toBeUndefined();

    let ackedTotal = 0;
    let lost = 0;
    let oldestLostMs = 0;
    for (const sid of liveSids) {
      expect(bySid.get(sid)).toMatchObject({ state: 'ended', interrupted: true });
      const said = new Set((await store.events(sid)).flatMap((e) => (e.type === 'transcript' ? [e.text] : [])));
      for (const a of acked.get(sid) ?? []) {
        ackedTotal++;
        if (said.has(a.text)) continue;
        lost++;
        oldestLostMs = Math.max(oldestLostMs, killAt - a.at);
      }
    }
    await store.close();
    const recovery = /"interrupted":(\d+)[^\n]*interrupted by the last shutdown/.exec(log);
    const figures = { finished: FINISHED, live: LIVE, ackedTurns: ackedTotal, lostTurns: lost, oldestLostMsBeforeKill: oldestLostMs, recoveredInterrupted: recovery ? Number(recovery[1]) : null, tornLinesCut: /cut off torn/.test(log) };
    console.log(`kill -9 figures: ${JSON.stringify(figures)}`);
    expect(ackedTotal).toBeGreaterThan(LIVE * 5);
    expect(figures.recoveredInterrupted).toBe(LIVE);
    expect(oldestLostMs).toBeLessThanOrEqual(1000);
  }, 120_000);
});
