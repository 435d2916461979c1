// Status callbacks: /call_status ordering, /dial_status child-leg progress vs Dial action outcome, /stream_status errors.
import { afterEach, describe, expect, it } from 'vitest';
import { KOREAN } from '../src/main/twiml/build';
import { CONNECT_DID, PUBLIC_URL, find, liveSettings, parseTwiml, randomSid, startHarness, typesOf, type Harness } from './twiml-harness';

let h: Harness | null = null;
afterEach(async () => {
  await h?.stop();
  h = null;
});

async function harness(): Promise<Harness> {
  h = await startHarness(liveSettings({ CONNECT_DID }));
  return h;
}

/** A call that asked for a person on the keyword path: its handoff is "requested". */
async function callHandingOff(x: Harness): Promise<string> {
  const sid = randomSid();
  await x.post('/voice_gather', sid);
  await x.post('/handle_speech', sid, { SpeechResult: '상담원' });
  expect(x.registry.get(sid)?.handoff?.status).toBe('requested');
  return sid;
}

function childLeg(x: Harness, parentSid: string, callStatus: string) {
  return x.post('/dial_status', randomSid(), { ParentCallSid: parentSid, CallStatus: callStatus, Direction: 'outbound-dial', To: CONNECT_DID });
}

describe('/call_status', () => {
  it('applies statuses in SequenceNumber order, drops late and repeated ones, ends the call once', async () => {
    const x = await harness();
    const sid = randomSid();
    await x.post('/voice_gather', sid);
    const post = (status: string, seq: string, extra: Record<string, string> = {}) =>
      x.post('/call_status', sid, { CallStatus: status, SequenceNumber: seq, CallbackSource: 'call-progress-events', ...extra });

    expect((await post('ringing', '0')).status).toBe(204);
    expect((await post('in-progress', '1')).status).toBe(204);
    await post('completed', '3', { CallDuration: '42' });
    await post('in-progress', '2'); // arrived late
    await post('completed', '3', { CallDuration: '42' }); // Twilio retried

    const statuses = x.registry.eventsOf(sid).filter((e) => e.type === 'call.status').map((e) => (e.type === 'call.status' ? e.status : ''));
    expect(statuses).toEqual(['ringing', 'in-progress', 'completed']);
    expect(typesOf(x.registry, sid).filter((t) => t === 'call.ended')).toHaveLength(1);
    expect(x.registry.get(sid)).toMatchObject({ state: 'ended', twilioStatus: 'completed' });
    expect(x.registry.eventsOf(sid).find((e) => e.type === 'call.ended')).toMatchObject({ reason: 'completed after 42 s' });
  });

  it('without SequenceNumber, a repeat of the current status is dropped', async () => {
    const x = await harness();
    const sid = randomSid();
    await x.post('/call_status', sid, { CallStatus: 'busy' });
    await x.post('/call_status', sid, { CallStatus: 'busy' });
    expect(typesOf(x.registry, sid)).toEqual(['call.started', 'call.status', 'call.ended']);
  });

  it('400 without CallStatus', async () => {
    const x = await harness();
    const res = await x.post('/call_status', randomSid(), { CallStatus: '' });
    expect(res.status).toBe(400);
  });
});

describe('/dial_status', () => {
  it('child leg ringing → dialing, answered → connected; a late ringing does not go back', async () => {
    const x = await harness();
    const sid = await callHandingOff(x);
    expect((await childLeg(x, sid, 'initiated')).status).toBe(204);
    await childLeg(x, sid, 'ringing');
    expect(x.registry.get(sid)?.handoff).toMatchObject({ status: 'dialing', source: 'keyword' });
    await childLeg(x, sid, 'in-progress');
    await childLeg(x, sid, 'ringing');
    const call = x.registry.get(sid)!;
    expect(call).toMatchObject({ state: 'with_agent', handoff: { status: 'connected' } });
    const statuses = x.registry.eventsOf(sid).flatMap((e) => (e.type === 'handoff' ? [e.status] : []));
    expect(statuses).toEqual(['requested', 'dialing', 'connected']);
    expect(call.alerts.map((a) => a.kind)).not.toContain('agent_requested');
  });

  it('Dial action completed: records the outcome once, hangs up, ends the call; repeats answer the same', async () => {
    const x = await harness();
    const sid = await callHandingOff(x);
    await childLeg(x, sid, 'in-progress');
    const action = { DialCallStatus: 'completed', DialCallSid: randomSid(), DialCallDuration: '95', DialBridged: 'true' };
    const first = await x.post('/dial_status', sid, action);
    const again = await x.post('/dial_status', sid, action);
    for (const res of [first, again]) {
      expect(res.status).toBe(200);
      expect(parseTwiml(res.body).children.map((c) => c.name)).toEqual(['Hangup']);
    }
    const outcomes = x.registry.eventsOf(sid).filter((e) => e.type === 'handoff' && e.dialCallStatus);
    expect(outcomes).toHaveLength(1);
    expect(outcomes[0]).toMatchObject({ status: 'connected', dialCallStatus: 'completed', message: 'Agent call ended after 95 s' });
    expect(x.registry.get(sid)).toMatchObject({ state: 'ended', endReason: 'agent call ended' });
  });

  it.each([
    ['busy', 'busy'],
    ['no-answer', 'did not answer within 30 s'],
    ['failed', 'Geo Permissions'],
    ['canceled', 'cancelled'],
  ])('Dial action %s: handoff failed in plain words, apology in Korean, conversation goes on', async (dialCallStatus, words) => {
    const x = await harness();
    const sid = await callHandingOff(x);
    const res = await x.post('/dial_status', sid, { DialCallStatus: dialCallStatus });
    await x.post('/dial_status', sid, { DialCallStatus: dialCallStatus });
    const gather = find(parseTwiml(res.body), 'Gather');
    expect(gather.attrs.action).toBe(`${PUBLIC_URL}/handle_speech`);
    expect(find(gather, 'Say').text).toBe(KOREAN.handoffFailed);
    const call = x.registry.get(sid)!;
    expect(call.state).toBe('in_conversation');
    expect(call.handoff).toMatchObject({ status: 'failed', source: 'keyword' });
    expect(call.handoff?.message).toContain(words);
    expect(call.alerts.map((a) => a.kind)).toContain('handoff_failed');
    expect(x.registry.eventsOf(sid).filter((e) => e.type === 'handoff' && e.status === 'failed')).toHaveLength(1);
  });

  it('a late child-leg ringing after a failed Dial does not revive the handoff', async () => {
    const x = await harness();
    const sid = await callHandingOff(x);
    await x.post('/dial_status', sid, { DialCallStatus: 'no-answer' });
    await childLeg(x, sid, 'ringing');
    expect(x.registry.get(sid)?.handoff?.status).toBe('failed');
  });

  it('a child leg of an unknown call registers nothing; a report that is neither kind is a 400', async () => {
    const x = await harness();
    const parent = randomSid();
    expect((await childLeg(x, parent, 'ringing')).status).toBe(204);
    expect(x.registry.list()).toHaveLength(0);
    expect((await x.post('/dial_status', randomSid())).status).toBe(400);
  });
});

describe('/stream_status', () => {
  it('records a stream error as an error event and an alert; start/stop are left to the media socket', async () => {
    const x = await harness();
    const sid = randomSid();
    await x.post('/voice_stream', sid);
    const before = typesOf(x.registry, sid).length;
    expect((await x.post('/stream_status', sid, { StreamSid: randomSid('MZ'), StreamEvent: 'stream-started' })).status).toBe(204);
    expect(typesOf(x.registry, sid)).toHaveLength(before);
    await x.post('/stream_status', sid, { StreamSid: randomSid('MZ'), StreamEvent: 'stream-error', StreamError: 'Connection refused' });
    expect(x.registry.eventsOf(sid).find((e) => e.type === 'error')).toMatchObject({ message: 'Media stream error: Connection refused' });
    expect(x.registry.get(sid)?.alerts.map((a) => a.kind)).toEqual(['stream_error']);
  });

  it('ignores status for calls it does not know', async () => {
    const x = await harness();
    await x.post('/stream_status', randomSid(), { StreamEvent: 'stream-error', StreamError: 'x' });
    expect(x.registry.list()).toHaveLength(0);
  });
});
