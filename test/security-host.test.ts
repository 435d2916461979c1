// The whole door on a real host (demo mode, ephemeral loopback ports, auto-demo off): the signed /voice_stream
// webhook's TwiML carries the grant; a stream that opens with what the TwiML said plays the host's greeting, while
// the same upgrade and TwiML parameters under another CallSid, or after the call ended, get nothing.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { XMLParser } from 'fast-xml-parser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testConfig } from '../src/main/config/load';
import { DEMO_ACCOUNT_SID } from '../src/main/demo/constants';
import { createHost, type Host } from '../src/main/host';
import { silentLogger } from '../src/main/log';
import { TwilioMediaClient } from '../src/main/sim/media-client';
import { postWebhook, randomSid, twilioCallParams } from '../src/main/sim/webhook-client';

let host: Host;
let dataDir: string;

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'fd-sec-host-'));
  // STREAM_STT=gather: the stream speaks its greeting and closes (admission is what is tested, not the conversation)
  host = createHost({ config: testConfig({ HTTP_PORT: '0', WS_PORT: '0', DATA_DIR: dataDir, AUTO_DEMO: 'false', STREAM_STT: 'gather' }), log: silentLogger() });
  await host.start();
});

afterAll(async () => {
  await host?.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

/** What Twilio does with the answer to /voice_stream: read the <Stream>'s <Parameter>s. */
async function answerCall(callSid: string): Promise<Record<string, string>> {
  const params = twilioCallParams({ callSid, accountSid: DEMO_ACCOUNT_SID, from: '+821055501234', to: '+827055500100' });
  const res = await postWebhook({ httpBase: `http://127.0.0.1:${host.ports.http}`, publicUrl: host.urls.base, path: '/voice_stream', params, authToken: host.authToken });
  expect(res.status).toBe(200);
  const stream = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '' }).parse(res.body).Response.Connect.Stream as { Parameter: Array<{ name: string; value: string }> };
  return Object.fromEntries(stream.Parameter.map((p) => [p.name, p.value]));
}

const open = (callSid: string, customParameters: Record<string, string>) =>
  TwilioMediaClient.connect({ url: `ws://127.0.0.1:${host.ports.ws}/media`, signedUrl: host.urls.media, authToken: host.authToken, accountSid: DEMO_ACCOUNT_SID, callSid, customParameters });

describe('the voice webhook binds its stream to the call', () => {
  it('issues a grant in the TwiML; only that call, once, while it lasts, gets a stream', { timeout: 60_000 }, async () => {
    const callSid = randomSid();
    const parameters = await answerCall(callSid);
    expect(Object.keys(parameters).sort()).toEqual(['grant', 'text']);
    expect(parameters.grant).toMatch(/^v1\.[\w-]+\.\d+\.[\w-]+$/);

    // the same TwiML parameters (and the replayable upgrade) under another CallSid: refused, nothing recorded
    const stranger = randomSid();
    const replay = await open(stranger, parameters);
    expect(await replay.closed()).toBe(4403);
    expect(host.registry.get(stranger)).toBeUndefined();

    const genuine = await open(callSid, parameters);
    expect(await genuine.closed()).toBe(1000); // the greeting played to its end mark
    expect(genuine.received.media.length).toBeGreaterThan(10);
    const events = host.registry.eventsOf(callSid);
    expect(events.filter((e) => e.type === 'tts.job' && e.status === 'started')).toHaveLength(1);
    expect(events.find((e) => e.type === 'stream.started')).toMatchObject({ customParameters: { text: parameters.text } });

    // used once: the same start again is refused and adds nothing to the call
    const before = host.registry.eventsOf(callSid).length;
    const again = await open(callSid, parameters);
    expect(await again.closed()).toBe(4403);
    // a fresh grant (a replayed webhook) after the call ended: refused too
    host.registry.apply(callSid, { type: 'call.ended', reason: 'test: the caller hung up' });
    const afterEnd = await open(callSid, await answerCall(callSid));
    expect(await afterEnd.closed()).toBe(4403);
    expect(host.registry.eventsOf(callSid).filter((e) => e.type === 'tts.job' && e.status === 'started')).toHaveLength(1);
    expect(host.registry.eventsOf(callSid).slice(before).map((e) => e.type)).not.toContain('stream.started');
  });
});
