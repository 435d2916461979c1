// Streams bound to calls, on a real media server fed by the real TTS pipeline: every refused start (replayed upgrade
// with another CallSid, no preceding webhook, forged or reused grant, wrong account, client-chosen text, a second
// stream for a live call), an idle socket and an upgrade over MAX_STREAMS are closed with a clear code and reason,
// logged and shown as a notice, with no TTS job started and nothing recorded, while a genuine call on the same
// server keeps playing byte-exact.
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import twilio from 'twilio';
import { describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { createLogger } from '../src/main/log';
import { CLOSE } from '../src/main/media/admission';
import { parseWav } from '../src/main/tts/wav';
import { ACCOUNT_SID, AUTH_TOKEN, until, useMediaRig, type MediaRig } from './media-rig';

const wav = Buffer.from(parseWav(readFileSync(join(__dirname, '../resources/audio/greeting.mulaw.wav'))).data);
/** Whole 20 ms frames, so what the caller hears is exactly these bytes (no silence padding on the last frame). */
const greeting = wav.subarray(0, wav.length - (wav.length % 160));
const start = useMediaRig(greeting);
const newCallSid = () => `CA${randomBytes(16).toString('hex')}`;

interface Attempt {
  code: number;
  reason: string;
  received: Array<{ event?: string }>;
}

/** A signed upgrade (the replayable header) and Twilio's connected + start, by hand; resolves when the server closes. */
async function attempt(r: MediaRig, claim: { callSid: string; accountSid?: string; customParameters: Record<string, string> } | null): Promise<Attempt> {
  const ws = new WebSocket(r.wsUrl, { headers: { 'X-Twilio-Signature': twilio.getExpectedTwilioSignature(AUTH_TOKEN, r.urls.media, {}) }, perMessageDeflate: false });
  const received: Attempt['received'] = [];
  ws.on('message', (d) => received.push(JSON.parse(String(d)) as { event?: string }));
  const closed = new Promise<Attempt>((resolve) => ws.on('close', (code, reason) => resolve({ code, reason: reason.toString(), received })));
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('unexpected-response', (_req, res) => reject(Object.assign(new Error(`HTTP ${res.statusCode}`), { statusCode: res.statusCode })));
    ws.once('error', reject);
  });
  ws.send(JSON.stringify({ event: 'connected', protocol: 'Call', version: '1.0.0' }));
  if (claim) {
    const streamSid = `MZ${randomBytes(16).toString('hex')}`;
    const mediaFormat = { encoding: 'audio/x-mulaw', sampleRate: 8000, channels: 1 };
    const body = { accountSid: claim.accountSid ?? ACCOUNT_SID, streamSid, callSid: claim.callSid, tracks: ['inbound'], customParameters: claim.customParameters, mediaFormat };
    ws.send(JSON.stringify({ event: 'start', sequenceNumber: '1', streamSid, start: body }));
  }
  return closed;
}

function logCapture() {
  const lines: Array<Record<string, unknown>> = [];
  const log = createLogger('info', { write: (s: string) => void lines.push(JSON.parse(s) as Record<string, unknown>) });
  return { log, lines };
}

/** Nothing started and nothing recorded for this call: no registry entry, no event, no TTS job. */
function untouched(r: MediaRig, callSid: string): void {
  expect(r.registry.get(callSid)).toBeUndefined();
  expect(r.eventsOf(callSid)).toEqual([]);
  expect([...r.standIn.jobs.values()].filter((j) => j.callSid === callSid)).toEqual([]);
}

describe('stream admission', () => {
  it('refuses every start the host did not issue, while a genuine call keeps playing byte-exact', async () => {
    const { log, lines } = logCapture();
    const r = await start({ log });
    const good = await r.connect();
    const goodGrant = good.opts.customParameters!.grant!;
    await until(() => good.received.media.length > 5, 'audio on the genuine call');
    const text = '안녕하세요. 프론트도어 음성 안내입니다.';

    const other = newCallSid();
    const forOther = r.admission.issue({ callSid: other, accountSid: ACCOUNT_SID, text });
    const refusals: Array<{ name: string; callSid: string; run: (callSid: string) => Promise<Attempt>; reason: RegExp }> = [
      { name: 'no preceding webhook', callSid: newCallSid(), run: (c) => attempt(r, { callSid: c, customParameters: { text: '송금해 주세요' } }), reason: /no grant/ },
      { name: 'a forged grant', callSid: newCallSid(), run: (c) => attempt(r, { callSid: c, customParameters: { grant: `v1.${randomBytes(16).toString('base64url')}.${Date.now() + 60_000}.AAAA` } }), reason: /unknown grant/ },
      { name: 'a replayed upgrade with another CallSid (the genuine call’s grant)', callSid: newCallSid(), run: (c) => attempt(r, { callSid: c, customParameters: { text, grant: goodGrant } }), reason: /already used/ },
      { name: 'a replayed upgrade with another CallSid (an unused grant)', callSid: newCallSid(), run: (c) => attempt(r, { callSid: c, customParameters: { text, grant: forOther } }), reason: /another call/ },
      {
        name: 'the wrong account',
        callSid: newCallSid(),
        run: (c) => attempt(r, { callSid: c, accountSid: 'AC' + '9'.repeat(32), customParameters: { text, grant: r.admission.issue({ callSid: c, accountSid: ACCOUNT_SID, text }) } }),
        reason: /expected Twilio account/,
      },
      {
        name: 'client-chosen text',
        callSid: newCallSid(),
        run: (c) => attempt(r, { callSid: c, customParameters: { text: '비밀번호를 말씀해 주세요', grant: r.admission.issue({ callSid: c, accountSid: ACCOUNT_SID, text }) } }),
        reason: /text parameter differs/,
      },
    ];
    for (const f of refusals) {
      const result = await f.run(f.callSid);
      expect(result.code, f.name).toBe(CLOSE.refused);
      expect(result.reason, f.name).toMatch(f.reason);
      expect(result.received, f.name).toEqual([]);
      untouched(r, f.callSid);
    }
    // the genuine call's own grant, replayed for the genuine call, and a second grant for a call already streaming
    const reused = await attempt(r, { callSid: good.opts.callSid, customParameters: { text, grant: goodGrant } });
    expect([reused.code, reused.reason]).toEqual([CLOSE.refused, 'stream refused: grant already used']);
    const second = await attempt(r, { callSid: good.opts.callSid, customParameters: { text, grant: r.admission.issue({ callSid: good.opts.callSid, accountSid: ACCOUNT_SID, text }) } });
    expect([second.code, second.reason]).toEqual([CLOSE.refused, 'stream refused: the call already has a live stream']);

    expect(await good.closed()).toBe(1000);
    expect(Buffer.compare(Buffer.concat(good.received.media), greeting)).toBe(0);
    const goodEvents = r.eventsOf(good.opts.callSid);
    expect(goodEvents.filter((e) => e.type === 'stream.started')).toHaveLength(1);
    expect(goodEvents.filter((e) => e.type === 'error')).toEqual([]);
    // the grant never reaches the call's record
    expect(JSON.stringify(goodEvents)).not.toContain(goodGrant);
    expect([...r.standIn.jobs.values()].map((j) => j.callSid)).toEqual([good.opts.callSid]);

    const refusedLogs = lines.filter((l) => String(l.msg).startsWith('media stream refused'));
    expect(refusedLogs.map((l) => l.reason)).toEqual(['no-grant', 'unknown-grant', 'reused', 'wrong-call', 'wrong-account', 'client-text', 'reused', 'already-streaming']);
    const notices = r.notices.recent();
    expect(notices.every((n) => n.source === 'security' && n.level === 'warn')).toBe(true);
    // one notice per kind of refusal (repeats within the throttle window are counted, not repeated)
    expect(notices.map((n) => n.message)).toEqual([
      expect.stringMatching(/no grant/),
      expect.stringMatching(/unknown grant/),
      expect.stringMatching(/already used/),
      expect.stringMatching(/another call/),
      expect.stringMatching(/expected Twilio account/),
      expect.stringMatching(/text parameter differs/),
      expect.stringMatching(/already has a live stream/),
    ]);
  });

  it('closes a socket that sends no valid start in time (4408), with nothing recorded', async () => {
    const { log, lines } = logCapture();
    const r = await start({ log, settings: { STREAM_START_TIMEOUT_MS: '300' } });
    const good = await r.connect();
    const idle = await attempt(r, null);
    expect([idle.code, idle.reason]).toEqual([CLOSE.noStart, 'no valid start within 300 ms']);
    expect(idle.received).toEqual([]);
    expect(lines.some((l) => l.msg === 'media stream closed: no valid start within 300 ms')).toBe(true);
    expect(r.notices.recent()).toMatchObject([{ source: 'media', level: 'warn', message: 'Closed a media socket: no valid start within 300 ms' }]);
    // the admitted stream is not subject to the start timeout
    expect(await good.closed()).toBe(1000);
    expect(Buffer.compare(Buffer.concat(good.received.media), greeting)).toBe(0);
    expect(r.registry.list().map((c) => c.callSid)).toEqual([good.opts.callSid]);
    expect(r.standIn.jobs.size).toBe(1);
  });

  it('refuses the upgrade over MAX_STREAMS (503), logs it and tells the operator; a slot freed is usable again', async () => {
    const { log, lines } = logCapture();
    const r = await start({ log, settings: { MAX_STREAMS: '2' } });
    const good = await r.connect();
    const holder = await r.connect();
    await until(() => r.media.activeStreams() === 2, 'two streams');
    const over = await attempt(r, { callSid: newCallSid(), customParameters: {} }).then(
      () => null,
      (e: { statusCode?: number }) => e.statusCode,
    );
    expect(over).toBe(503);
    expect(lines.some((l) => l.msg === 'media upgrade refused: MAX_STREAMS streams are open' && l.max === 2)).toBe(true);
    expect(r.notices.recent()).toMatchObject([{ source: 'media', message: 'Refused a media stream: 2 streams are open (MAX_STREAMS)' }]);
    await holder.stop();
    await until(() => r.media.activeStreams() === 1, 'the slot freed');
    const next = await r.connect();
    expect(await Promise.all([good.closed(), next.closed()])).toEqual([1000, 1000]);
    expect(Buffer.compare(Buffer.concat(good.received.media), greeting)).toBe(0);
    expect(Buffer.compare(Buffer.concat(next.received.media), greeting)).toBe(0);
    expect(r.registry.list()).toHaveLength(3);
  });
});
