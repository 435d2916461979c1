// Operator handoff and hang-up through the real twilio client against the local REST stand-in:
// method, path, Basic auth, the Twiml form field, one dial per double click, Twilio errors in plain words.
import { connect } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { CallRegistry } from '../src/main/calls/registry';
import { testConfig } from '../src/main/config/load';
import { publicUrls } from '../src/main/config/urls';
import { silentLogger } from '../src/main/log';
import { startTwilioRestStandIn, type StandIn } from '../src/main/sim/twilio-rest-standin';
import { HandoffService } from '../src/main/twilio/handoff';
import { createTwilioRest, twilioRestFor } from '../src/main/twilio/rest';
import { ACCOUNT_SID, AUTH_TOKEN, CONNECT_DID, PUBLIC_URL, find, findAll, liveSettings, parseTwiml, randomSid, startHarness, type Harness } from './twiml-harness';

const stops: Array<() => Promise<void>> = [];
afterEach(async () => {
  while (stops.length) await stops.pop()!();
});

async function standIn(opts: Partial<Parameters<typeof startTwilioRestStandIn>[0]> = {}): Promise<StandIn> {
  const s = await startTwilioRestStandIn({ accountSid: ACCOUNT_SID, authToken: AUTH_TOKEN, ...opts });
  stops.push(() => s.stop());
  return s;
}

function setup(restUrl: string | null, settings: Record<string, string> = { CONNECT_DID }, token = AUTH_TOKEN) {
  const config = testConfig(liveSettings(settings));
  const registry = new CallRegistry();
  const rest = restUrl ? createTwilioRest({ accountSid: ACCOUNT_SID, authToken: token, baseUrl: restUrl }) : null;
  const handoff = new HandoffService({ config, registry, rest, urls: publicUrls(config, 5000), log: silentLogger() });
  const sid = randomSid();
  registry.apply(sid, { type: 'call.started', from: '+821012345678', to: '+15005550006', fromMasked: '', toMasked: '', mode: 'stream', simulated: false });
  return { registry, handoff, sid };
}

const basic = (user: string, pass: string) => 'Basic ' + Buffer.from(`${user}:${pass}`).toString('base64');

describe('operator handoff over REST', () => {
  it('POSTs the Dial TwiML to Calls/{CallSid}.json with Basic auth and records requested → accepted', async () => {
    const updates: Array<[string, Record<string, string>]> = [];
    const twilioApi = await standIn({ onUpdate: (sid, form) => void updates.push([sid, form]) });
    const { registry, handoff, sid } = setup(twilioApi.url);

    const result = await handoff.request(sid, 'operator');
    expect(result).toMatchObject({ ok: true });
    expect(twilioApi.requests).toHaveLength(1);
    const req = twilioApi.requests[0];
    expect(req.method).toBe('POST');
    expect(req.path).toBe(`/2010-04-01/Accounts/${ACCOUNT_SID}/Calls/${sid}.json`);
    expect(req.auth).toBe(basic(ACCOUNT_SID, AUTH_TOKEN));
    expect(Object.keys(req.form)).toEqual(['Twiml']);
    expect(updates).toEqual([[sid, req.form]]);

    const doc = parseTwiml(req.form.Twiml);
    const dial = find(doc, 'Dial');
    expect(dial.attrs.action).toBe(`${PUBLIC_URL}/dial_status`);
    expect(Number(dial.attrs.timeout)).toBeGreaterThanOrEqual(5);
    expect(find(dial, 'Number').text).toBe(CONNECT_DID);
    expect(doc.children.at(-1)?.name).toBe('Dial');
    expect(req.form.Twiml).toBe(handoff.dialTwiml(sid)); // the one builder, same as the keyword path

    const statuses = registry.eventsOf(sid).flatMap((e) => (e.type === 'handoff' ? [`${e.status}/${e.source}`] : []));
    expect(statuses).toEqual(['requested/operator', 'accepted/operator']);
    expect(registry.get(sid)?.state).toBe('handing_off');
  });

  it('a double click dials once; a later click says it is already in progress', async () => {
    const twilioApi = await standIn();
    const { handoff, sid } = setup(twilioApi.url);
    const [a, b] = await Promise.all([handoff.request(sid, 'operator'), handoff.request(sid, 'operator')]);
    expect(a.ok && b.ok).toBe(true);
    const c = await handoff.request(sid, 'operator');
    expect(c).toMatchObject({ ok: true, message: expect.stringContaining('already in progress') });
    expect(twilioApi.requests).toHaveLength(1);
  });

  it('21220 (caller already hung up) → failed handoff in plain words; a retry is allowed', async () => {
    let live = false;
    const twilioApi = await standIn({ isLive: () => live });
    const { registry, handoff, sid } = setup(twilioApi.url);
    const result = await handoff.request(sid, 'operator');
    expect(result).toEqual({ ok: false, message: 'The caller already hung up (Twilio 21220)', code: 21220 });
    expect(registry.get(sid)?.handoff).toMatchObject({ status: 'failed', code: 21220, message: 'The caller already hung up (Twilio 21220)' });
    expect(registry.get(sid)?.alerts.map((a) => a.kind)).toContain('handoff_failed');
    live = true;
    expect((await handoff.request(sid, 'operator')).ok).toBe(true);
    expect(twilioApi.requests).toHaveLength(2);
  });

  it('bad credentials → 20003 in plain words', async () => {
    const twilioApi = await standIn();
    const { handoff, sid } = setup(twilioApi.url, { CONNECT_DID }, 'wrong-token-123456');
    const result = await handoff.request(sid, 'operator');
    expect(result).toMatchObject({ ok: false, code: 20003 });
    expect(result.message).toContain('TWILIO_AUTH_TOKEN');
  });

  it('Twilio unreachable → a network message, not a crash', async () => {
    const twilioApi = await startTwilioRestStandIn({ accountSid: ACCOUNT_SID, authToken: AUTH_TOKEN });
    await twilioApi.stop();
    const { handoff, sid } = setup(twilioApi.url);
    const result = await handoff.request(sid, 'operator');
    expect(result).toEqual({ ok: false, message: 'Could not reach Twilio: connection refused' });
  });

  it('refuses without a REST call when CONNECT_DID is unset, REST is not configured, or the call is over', async () => {
    const twilioApi = await standIn();
    const noDid = setup(twilioApi.url, {});
    expect(await noDid.handoff.request(noDid.sid, 'operator')).toEqual({ ok: false, message: 'CONNECT_DID is not set' });
    const noRest = setup(null);
    expect((await noRest.handoff.request(noRest.sid, 'operator')).message).toMatch(/TWILIO_ACCOUNT_SID/);
    const ended = setup(twilioApi.url);
    ended.registry.apply(ended.sid, { type: 'call.ended', reason: 'completed' });
    expect(await ended.handoff.request(ended.sid, 'operator')).toMatchObject({ ok: false, message: 'The call has already ended' });
    expect((await ended.handoff.request(randomSid(), 'operator')).ok).toBe(false);
    expect(twilioApi.requests).toHaveLength(0);
  });
});

describe('hang-up over REST', () => {
  it('sends Status=completed and ends the call; the registry then refuses a second hang-up without calling Twilio', async () => {
    const twilioApi = await standIn();
    const { registry, handoff, sid } = setup(twilioApi.url);
    expect(await handoff.hangup(sid)).toEqual({ ok: true, message: 'Call hung up' });
    expect(twilioApi.requests[0].form).toEqual({ Status: 'completed' });
    expect(registry.get(sid)).toMatchObject({ state: 'ended', endReason: 'operator hung up' });
    expect(await handoff.hangup(sid)).toMatchObject({ ok: false, message: 'The call has already ended' });
    expect(twilioApi.requests).toHaveLength(1);
  });

  it('a call Twilio says is over (21220) is ended in the registry too', async () => {
    const twilioApi = await standIn({ isLive: () => false });
    const { registry, handoff, sid } = setup(twilioApi.url);
    expect(await handoff.hangup(sid)).toMatchObject({ ok: false, code: 21220 });
    expect(registry.get(sid)).toMatchObject({ state: 'ended', endReason: 'The caller already hung up (Twilio 21220)' });
  });

  it('the stand-in remembers calls it hung up: a later redirect gets 21220 like Twilio', async () => {
    const twilioApi = await standIn();
    const first = setup(twilioApi.url);
    await first.handoff.hangup(first.sid);
    // a second host view of the same call (its registry never heard of the hang-up)
    const config = testConfig(liveSettings({ CONNECT_DID }));
    const registry = new CallRegistry();
    registry.apply(first.sid, { type: 'call.started', from: '', to: '+15005550006', fromMasked: '', toMasked: '', mode: 'gather', simulated: false });
    const rest = createTwilioRest({ accountSid: ACCOUNT_SID, authToken: AUTH_TOKEN, baseUrl: twilioApi.url });
    const other = new HandoffService({ config, registry, rest, urls: publicUrls(config, 5000), log: silentLogger() });
    expect(await other.request(first.sid, 'operator')).toMatchObject({ ok: false, code: 21220 });
  });
});

describe('twilio REST stand-in', () => {
  it('answers unknown paths 404/20404 and stop() closes the port', async () => {
    const twilioApi = await startTwilioRestStandIn({ accountSid: ACCOUNT_SID, authToken: AUTH_TOKEN });
    const res = await fetch(`${twilioApi.url}/2010-04-01/Accounts/${ACCOUNT_SID}/Messages.json`, {
      method: 'POST',
      headers: { authorization: basic(ACCOUNT_SID, AUTH_TOKEN) },
    });
    expect(res.status).toBe(404);
    expect(await res.json()).toMatchObject({ code: 20404, status: 404 });
    await twilioApi.stop();
    const port = Number(new URL(twilioApi.url).port);
    const refused = await new Promise<boolean>((resolve) => {
      const socket = connect(port, '127.0.0.1');
      socket.once('connect', () => (socket.destroy(), resolve(false)));
      socket.once('error', () => resolve(true));
    });
    expect(refused).toBe(true);
  });

  it('twilioRestFor uses TWILIO_API_BASE_URL from the settings', async () => {
    const twilioApi = await standIn();
    const config = testConfig(liveSettings({ TWILIO_API_BASE_URL: twilioApi.url }));
    await twilioRestFor(config)!.hangup(randomSid());
    expect(twilioApi.requests).toHaveLength(1);
    expect(twilioRestFor(testConfig(liveSettings({ TWILIO_ACCOUNT_SID: '' })))).toBeNull();
  });
});

describe('operator handoff, then Twilio reports progress to the webhooks', () => {
  let h: Harness | null = null;
  afterEach(async () => {
    await h?.stop();
    h = null;
  });

  it('requested → accepted → dialing → connected, from the button to /dial_status', async () => {
    const twilioApi = await standIn();
    h = await startHarness(liveSettings({ CONNECT_DID }), createTwilioRest({ accountSid: ACCOUNT_SID, authToken: AUTH_TOKEN, baseUrl: twilioApi.url }));
    const sid = randomSid();
    await h.post('/voice_stream', sid);
    expect((await h.handoff.request(sid, 'operator')).ok).toBe(true);
    const twiml = parseTwiml(twilioApi.requests[0].form.Twiml);
    expect(findAll(twiml, 'Number')[0].attrs.statusCallback).toBe(`${PUBLIC_URL}/dial_status`);
    await h.post('/dial_status', randomSid(), { ParentCallSid: sid, CallStatus: 'ringing' });
    await h.post('/dial_status', randomSid(), { ParentCallSid: sid, CallStatus: 'in-progress' });
    const statuses = h.registry.eventsOf(sid).flatMap((e) => (e.type === 'handoff' ? [`${e.status}/${e.source}`] : []));
    expect(statuses).toEqual(['requested/operator', 'accepted/operator', 'dialing/operator', 'connected/operator']);
    expect(h.registry.get(sid)?.state).toBe('with_agent');
  });
});
