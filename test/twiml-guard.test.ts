// Webhook security and bad input: signatures checked against PUBLIC_URL, 403/415/413/400 with nothing registered,
// JSON errors without stack traces, secrets never logged, and the app keeps serving.
import twilio from 'twilio';
import { afterEach, describe, expect, it } from 'vitest';
import { DEMO_AUTH_TOKEN } from '../src/main/demo/constants';
import { postWebhook, twilioCallParams } from '../src/main/sim/webhook-client';
import { ACCOUNT_SID, AUTH_TOKEN, PUBLIC_URL, liveSettings, parseTwiml, randomSid, startHarness, type Harness } from './twiml-harness';

let h: Harness | null = null;
afterEach(async () => {
  await h?.stop();
  h = null;
});

function callParams(callSid: string): Record<string, string> {
  return twilioCallParams({ callSid, accountSid: ACCOUNT_SID, from: '+821012345678', to: '+15005550006' });
}

async function raw(base: string, path: string, init: RequestInit) {
  const res = await fetch(base + path, init);
  return { status: res.status, body: await res.text(), contentType: res.headers.get('content-type') ?? '' };
}

function expectCleanJsonError(res: { body: string; contentType: string }) {
  expect(res.contentType).toMatch(/^application\/json/);
  const body = JSON.parse(res.body) as { error: string };
  expect(typeof body.error).toBe('string');
  expect(res.body).not.toMatch(/\n\s+at |node_modules|\.ts:\d+/);
}

describe('X-Twilio-Signature', () => {
  it.each([
    ['unsigned', { token: null }, 'missing X-Twilio-Signature header'],
    ['signed with another token', { token: 'some-other-token-123' }, 'signature does not match'],
    ['signed over the local URL instead of PUBLIC_URL', { publicUrl: 'http://127.0.0.1:5000' }, 'signature does not match'],
  ] as const)('refuses a webhook %s with 403, logs why, registers nothing', async (_what, opts, reason) => {
    h = await startHarness(liveSettings());
    const sid = randomSid();
    const res = await h.post('/voice_gather', sid, {}, opts);
    expect(res.status).toBe(403);
    expectCleanJsonError(res);
    expect(h.registry.has(sid)).toBe(false);
    const logged = h.logLines.join('\n');
    expect(logged).toContain(reason);
    expect(logged).toContain(sid);
    expect(logged).not.toContain(AUTH_TOKEN);
  });

  it('refuses a tampered parameter, and never logs the signature', async () => {
    h = await startHarness(liveSettings());
    const sid = randomSid();
    const params = callParams(sid);
    const signature = twilio.getExpectedTwilioSignature(AUTH_TOKEN, `${PUBLIC_URL}/handle_speech`, { ...params, SpeechResult: '안녕' });
    const res = await raw(h.base, '/handle_speech', {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-twilio-signature': signature },
      body: new URLSearchParams({ ...params, SpeechResult: '상담원' }).toString(),
    });
    expect(res.status).toBe(403);
    expect(h.registry.has(sid)).toBe(false);
    expect(h.logLines.join('\n')).not.toContain(signature);
  });

  it('validates against PUBLIC_URL, not the Host the request came in on (tunnels)', async () => {
    h = await startHarness(liveSettings());
    // the request goes to 127.0.0.1:<port> but is signed over https://frontdoor…/voice_gather, as Twilio would
    const res = await h.post('/voice_gather', randomSid());
    expect(res.status).toBe(200);
    expect(new URL(h.base).host).not.toBe(new URL(PUBLIC_URL).host);
  });

  it('accepts the :443 form Twilio sometimes signs', async () => {
    h = await startHarness(liveSettings());
    const res = await h.post('/voice_gather', randomSid(), {}, { publicUrl: 'https://frontdoor.example.ngrok.app:443' });
    expect(res.status).toBe(200);
  });

  it('demo mode signs and checks with the demo token', async () => {
    h = await startHarness({});
    expect(h.config.mode).toBe('demo');
    const ok = await h.post('/voice_gather', randomSid(), {}, { token: DEMO_AUTH_TOKEN });
    expect(ok.status).toBe(200);
    expect((await h.post('/voice_gather', randomSid(), {}, { token: null })).status).toBe(403);
  });

  it('SKIP_SIGNATURE_VALIDATION=true accepts unsigned webhooks and warns at start', async () => {
    h = await startHarness(liveSettings({ SKIP_SIGNATURE_VALIDATION: 'true' }));
    expect(h.logLines.join('\n')).toContain('SKIP_SIGNATURE_VALIDATION=true');
    const res = await h.post('/voice_gather', randomSid(), {}, { token: null });
    expect(res.status).toBe(200);
  });
});

describe('bad input', () => {
  it('415 for JSON, nothing registered, and the app keeps serving', async () => {
    h = await startHarness(liveSettings());
    const sid = randomSid();
    const res = await raw(h.base, '/voice_gather', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(callParams(sid)) });
    expect(res.status).toBe(415);
    expectCleanJsonError(res);
    expect(h.registry.has(sid)).toBe(false);
    expect((await h.post('/voice_gather', sid)).status).toBe(200);
  });

  it('415 for a form in a charset other than utf-8', async () => {
    h = await startHarness(liveSettings());
    const res = await raw(h.base, '/voice_gather', { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded; charset=koi8-r' }, body: 'a=b' });
    expect(res.status).toBe(415);
    expectCleanJsonError(res);
  });

  it('413 for a body over 200 KB, then keeps serving', async () => {
    h = await startHarness(liveSettings());
    const sid = randomSid();
    const res = await raw(h.base, '/handle_speech', {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ ...callParams(sid), SpeechResult: '가'.repeat(80_000) }).toString(),
    });
    expect(res.status).toBe(413);
    expectCleanJsonError(res);
    expect(h.registry.has(sid)).toBe(false);
    expect((await h.post('/voice_gather', sid)).status).toBe(200);
  });

  it.each([
    ['no CallSid', {}],
    ['a malformed CallSid', { CallSid: 'CA123' }],
  ])('400 for a signed webhook with %s', async (_what, params) => {
    h = await startHarness(liveSettings());
    const res = await postWebhook({ httpBase: h.base, publicUrl: PUBLIC_URL, path: '/voice_gather', params: params as Record<string, string>, authToken: AUTH_TOKEN });
    expect(res.status).toBe(400);
    expectCleanJsonError(res);
    expect(res.body).toContain('CallSid');
    expect(h.registry.list()).toHaveLength(0);
  });

  it('405 for GET on a webhook, 404 elsewhere, both JSON', async () => {
    h = await startHarness(liveSettings());
    const get = await raw(h.base, '/voice_gather', { method: 'GET' });
    expect(get.status).toBe(405);
    expectCleanJsonError(get);
    const missing = await raw(h.base, '/nope', { method: 'POST' });
    expect(missing.status).toBe(404);
    expectCleanJsonError(missing);
  });

  it('keeps Hangul and XML special characters intact through the TwiML round trip', async () => {
    h = await startHarness(liveSettings());
    const said = '주문번호 <A&B> "123"';
    const res = await h.post('/handle_speech', randomSid(), { SpeechResult: said });
    expect(res.status).toBe(200);
    const doc = parseTwiml(res.body);
    const say = doc.children[0].children[0];
    expect(say.name).toBe('Say');
    expect(say.text).toContain(said); // the XML parser decodes the entities twilio wrote
    expect(res.body).toContain('&lt;A&amp;B&gt;');
  });
});
