// The operator speaks to the caller through a real host: on a Gather call a typed Korean sentence becomes a REST
// update (the twilio client against the REST stand-in) with <Say> and the call's Gather; on a streamed call it goes to
// the conversation's hook, and without the hook the answer says plainly it is not available on this call.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { CommandResult } from '../src/shared/model';
import { testConfig } from '../src/main/config/load';
import type { StreamOperator } from '../src/main/console/operator';
import { createHost, type Host } from '../src/main/host';
import { silentLogger } from '../src/main/log';
import { startTwilioRestStandIn, type StandIn } from '../src/main/sim/twilio-rest-standin';
import { postWebhook, randomSid, twilioCallParams } from '../src/main/sim/webhook-client';
import { ACCOUNT_SID, AUTH_TOKEN, CALLER, OUR_NUMBER, PUBLIC_URL, find, findAll, parseTwiml } from './twiml-harness';

const stops: Array<() => Promise<void>> = [];
afterEach(async () => {
  while (stops.length) await stops.pop()!();
});

async function liveHost(opts: { streamOperator?: StreamOperator; isLive?: (callSid: string) => boolean } = {}): Promise<{ host: Host; api: StandIn }> {
  const { streamOperator } = opts;
  const api = await startTwilioRestStandIn({ accountSid: ACCOUNT_SID, authToken: AUTH_TOKEN, ...(opts.isLive ? { isLive: opts.isLive } : {}) });
  const config = testConfig({
    DEMO: 'off',
    PUBLIC_URL,
    TWILIO_ACCOUNT_SID: ACCOUNT_SID,
    TWILIO_AUTH_TOKEN: AUTH_TOKEN,
    TWILIO_API_BASE_URL: api.url,
    HTTP_PORT: '0',
    WS_PORT: '0',
    HEALTH_INTERVAL_S: '3600',
    DATA_DIR: mkdtempSync(join(tmpdir(), 'fd-say-')),
  });
  const host = createHost({ config, log: silentLogger(), ...(streamOperator ? { streamOperator } : {}) });
  await host.start();
  stops.push(async () => {
    await host.stop();
    await api.stop();
  });
  return { host, api };
}

async function gatherCall(host: Host): Promise<string> {
  const callSid = randomSid();
  const res = await postWebhook({
    httpBase: `http://127.0.0.1:${host.ports.http}`,
    publicUrl: PUBLIC_URL,
    path: '/voice_gather',
    params: twilioCallParams({ callSid, accountSid: ACCOUNT_SID, from: CALLER, to: OUR_NUMBER }),
    authToken: AUTH_TOKEN,
  });
  expect(res.status).toBe(200);
  return callSid;
}

function streamCall(host: Host): string {
  const callSid = randomSid();
  host.registry.apply(callSid, { type: 'call.started', from: CALLER, to: OUR_NUMBER, fromMasked: '', toMasked: '', mode: 'stream', simulated: false });
  host.registry.apply(callSid, { type: 'stream.started', streamSid: 'MZ' + '0'.repeat(32), customParameters: {} });
  return callSid;
}

const TEXT = '잠시만 기다려 주세요. 담당자가 확인하고 있습니다.';

describe('say to the caller', () => {
  it('on a Gather call: a REST update with <Say> the text, then the Gather, and a bot.reply of kind operator', async () => {
    const { host, api } = await liveHost();
    const callSid = await gatherCall(host);
    const result = await host.api.say(callSid, `  ${TEXT}\n`);
    expect(result).toMatchObject({ ok: true, callSid });
    const update = api.requests.find((r) => r.method === 'POST' && r.path.endsWith(`/Calls/${callSid}.json`));
    expect(update, 'the REST stand-in saw the update').toBeTruthy();
    const twiml = parseTwiml(update!.form.Twiml!);
    expect(twiml.children[0]).toMatchObject({ name: 'Say', text: TEXT, attrs: { language: 'ko-KR' } });
    const gather = find(twiml, 'Gather');
    expect(gather.attrs).toMatchObject({ input: 'speech', action: `${PUBLIC_URL}/handle_speech` });
    expect(findAll(twiml, 'Hangup')).toHaveLength(1); // the goodbye fallback after the Gather, as on every Gather turn
    const replies = host.registry.eventsOf(callSid).filter((e) => e.type === 'bot.reply');
    expect(replies.at(-1)).toMatchObject({ text: TEXT, via: 'say', kind: 'operator' });
  });

  it('refuses empty or too long text, an ended call and Mute on a Gather call, without calling Twilio', async () => {
    const { host, api } = await liveHost();
    const callSid = await gatherCall(host);
    const before = api.requests.length;
    expect(await host.api.say(callSid, '   ')).toMatchObject({ ok: false, message: 'Type what to say' });
    expect(await host.api.say(callSid, '가'.repeat(401))).toMatchObject({ ok: false, message: expect.stringMatching(/at most 400/) });
    expect(await host.api.setBotMuted(callSid, true)).toMatchObject({ ok: false, message: expect.stringMatching(/^Not available on this call/) });
    expect(await host.api.say('CA-not-a-call', TEXT)).toMatchObject({ ok: false, message: 'Unknown call' });
    host.registry.apply(callSid, { type: 'call.ended', reason: 'caller hung up' });
    expect(await host.api.say(callSid, TEXT)).toMatchObject({ ok: false, message: 'The call has already ended' });
    expect(api.requests.length).toBe(before);
  });

  it('a Twilio refusal comes back in plain words (21220: the caller already hung up)', async () => {
    const { host } = await liveHost({ isLive: () => false });
    const callSid = await gatherCall(host);
    expect(await host.api.say(callSid, TEXT)).toMatchObject({ ok: false, code: 21220, message: expect.stringMatching(/already hung up/) });
    expect(host.registry.eventsOf(callSid).some((e) => e.type === 'bot.reply' && e.kind === 'operator')).toBe(false);
  });

  it('on a streamed call the host has no conversation for: a plain refusal, nothing sent over REST', async () => {
    const { host, api } = await liveHost();
    const callSid = streamCall(host);
    expect(await host.api.say(callSid, TEXT)).toEqual({ ok: false, message: 'This call has no streamed conversation', callSid });
    expect(await host.api.setBotMuted(callSid, true)).toEqual({ ok: false, message: 'This call has no streamed conversation', callSid });
    expect(api.requests.filter((r) => r.method === 'POST')).toHaveLength(0);
  });

  it('on a streamed call with the hook: the text goes to conversations.say, Mute to setMuted (which records bot.muted)', async () => {
    const said: Array<[string, string]> = [];
    const muted: Array<[string, boolean]> = [];
    const hook: StreamOperator = {
      say: async (sid, text): Promise<CommandResult> => (said.push([sid, text]), { ok: true, message: 'Speaking on the stream' }),
      setMuted: (sid, on) => (muted.push([sid, on]), { ok: true, message: on ? 'held' : 'resumed' }),
    };
    const { host, api } = await liveHost({ streamOperator: hook });
    const callSid = streamCall(host);
    expect(await host.api.say(callSid, TEXT)).toMatchObject({ ok: true, callSid });
    expect(said).toEqual([[callSid, TEXT]]);
    expect(await host.api.setBotMuted(callSid, true)).toMatchObject({ ok: true });
    expect(await host.api.setBotMuted(callSid, false)).toMatchObject({ ok: true });
    expect(muted).toEqual([
      [callSid, true],
      [callSid, false],
    ]);
    // once the stream has stopped (a Gather after the stream), Say goes over REST again
    host.registry.apply(callSid, { type: 'stream.stopped', streamSid: 'MZ' + '0'.repeat(32), reason: 'barge-in' });
    expect(await host.api.say(callSid, TEXT)).toMatchObject({ ok: true });
    expect(said).toHaveLength(1);
    expect(api.requests.some((r) => r.path.endsWith(`/Calls/${callSid}.json`) && r.form.Twiml?.includes(TEXT))).toBe(true);
  });
});
