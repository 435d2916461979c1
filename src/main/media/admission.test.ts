// Admission decisions, by table, on an injected clock: what a start needs (a grant this host issued, for this
// call and account, unexpired, unused, with no client-chosen text, no other live stream) and what it gets back.
import { describe, expect, it } from 'vitest';
import { silentLogger } from '../log';
import { createNoticeHub } from '../console/notices';
import { GRANT_TTL_MS, StreamAdmission, type StartClaim } from './admission';

const ACCOUNT = 'AC' + 'a'.repeat(32);
const CALL = 'CA' + '1'.repeat(32);
const OTHER = 'CA' + '2'.repeat(32);
const TEXT = '안녕하세요';

function setup() {
  let t = 1_000_000;
  const notices = createNoticeHub({ now: () => t });
  const a = new StreamAdmission({ accountSid: ACCOUNT, log: silentLogger(), notices, now: () => t });
  const grant = a.issue({ callSid: CALL, accountSid: ACCOUNT, text: TEXT });
  const claim = (p: Partial<StartClaim> = {}, params: Record<string, string> = { text: TEXT, grant }): StartClaim => ({
    callSid: CALL,
    accountSid: ACCOUNT,
    streamSid: 'MZ1',
    customParameters: params,
    ...p,
  });
  return { a, grant, claim, notices, advance: (ms: number) => (t += ms) };
}

describe('StreamAdmission', () => {
  it('admits the issued grant once, with the host’s text and the parameters minus the grant', () => {
    const { a, claim } = setup();
    expect(a.admit(claim({}, { ...claim().customParameters, replyId: 'r1' }), {})).toEqual({ ok: true, callSid: CALL, text: TEXT, parameters: { text: TEXT, replyId: 'r1' } });
    expect(a.liveStreams()).toBe(1);
  });

  it('takes the text from its own record when the start names none', () => {
    const { a, grant, claim } = setup();
    expect(a.admit(claim({}, { grant }), {})).toMatchObject({ ok: true, text: TEXT, parameters: {} });
  });

  it.each([
    ['no grant', (c: ReturnType<typeof setup>) => c.claim({}, { text: TEXT }), 'no-grant'],
    ['a malformed grant', (c: ReturnType<typeof setup>) => c.claim({}, { grant: 'hello' }), 'malformed-grant'],
    ['an unknown grant id', (c: ReturnType<typeof setup>) => c.claim({}, { grant: c.grant.replace(/^v1\.[^.]+/, 'v1.AAAAAAAAAAAAAAAAAAAAAA') }), 'unknown-grant'],
    ['a tampered mac', (c: ReturnType<typeof setup>) => c.claim({}, { grant: c.grant.slice(0, -2) + (c.grant.endsWith('AA') ? 'BB' : 'AA') }), 'bad-mac'],
    ['a tampered expiry', (c: ReturnType<typeof setup>) => c.claim({}, { grant: c.grant.replace(/\.(\d+)\./, (_m, e: string) => `.${Number(e) + 1}.`) }), 'bad-mac'],
    ['another call', (c: ReturnType<typeof setup>) => c.claim({ callSid: OTHER }), 'wrong-call'],
    ['another account', (c: ReturnType<typeof setup>) => c.claim({ accountSid: 'AC' + 'b'.repeat(32) }), 'wrong-account'],
    ['client-chosen text', (c: ReturnType<typeof setup>) => c.claim({}, { text: '다른 말', grant: c.grant }), 'client-text'],
  ] as const)('refuses %s', (_name, make, reason) => {
    const c = setup();
    const r = c.a.admit(make(c), {});
    expect(r).toMatchObject({ ok: false, reason, code: 4403 });
    expect(c.a.liveStreams()).toBe(0);
    expect(c.notices.recent()).toHaveLength(1);
    // the genuine start still works afterwards (a refusal does not burn the grant)
    expect(c.a.admit(c.claim(), {}).ok).toBe(true);
  });

  it('refuses an expired grant', () => {
    const c = setup();
    c.advance(GRANT_TTL_MS + 1);
    expect(c.a.admit(c.claim(), {})).toMatchObject({ ok: false, reason: 'expired' });
  });

  it('refuses a reused grant, and a second stream for a live call until the first is released', () => {
    const c = setup();
    const first = {};
    expect(c.a.admit(c.claim(), first).ok).toBe(true);
    expect(c.a.admit(c.claim(), {})).toMatchObject({ ok: false, reason: 'reused' });
    const again = c.a.issue({ callSid: CALL, accountSid: ACCOUNT, text: TEXT });
    expect(c.a.admit(c.claim({}, { grant: again }), {})).toMatchObject({ ok: false, reason: 'already-streaming' });
    c.a.release({}); // another socket's release frees nothing
    expect(c.a.liveStreams()).toBe(1);
    c.a.release(first);
    expect(c.a.admit(c.claim({}, { grant: again }), {}).ok).toBe(true);
  });

  it('without TWILIO_ACCOUNT_SID, requires the account of the webhook that asked for the stream', () => {
    const a = new StreamAdmission({ log: silentLogger() });
    const grant = a.issue({ callSid: CALL, accountSid: ACCOUNT, text: TEXT });
    const claim = (accountSid: string): StartClaim => ({ callSid: CALL, accountSid, streamSid: 'MZ1', customParameters: { grant } });
    expect(a.admit(claim('AC' + 'c'.repeat(32)), {})).toMatchObject({ ok: false, reason: 'wrong-account' });
    expect(a.admit(claim(ACCOUNT), {}).ok).toBe(true);
  });

  it('refuses a stream for a call that has ended (a replayed webhook’s fresh grant)', () => {
    const ended = new Set<string>();
    const a = new StreamAdmission({ accountSid: ACCOUNT, log: silentLogger(), callEnded: (sid) => ended.has(sid) });
    const grant = a.issue({ callSid: CALL, accountSid: ACCOUNT, text: TEXT });
    ended.add(CALL);
    expect(a.admit({ callSid: CALL, accountSid: ACCOUNT, streamSid: 'MZ1', customParameters: { grant } }, {})).toMatchObject({ ok: false, reason: 'call-ended' });
  });

  it('holds only the grants of the last TTL: 25 calls a second for 10 minutes keep ~one minute of them', () => {
    const c = setup();
    let most = 0;
    for (let i = 0; i < 25 * 600; i++) {
      c.advance(40);
      c.a.issue({ callSid: CALL, accountSid: ACCOUNT, text: TEXT });
      most = Math.max(most, c.a.grantsHeld());
    }
    expect(most).toBe(GRANT_TTL_MS / 40 + 1);
    const late = c.a.issue({ callSid: OTHER, accountSid: ACCOUNT, text: TEXT });
    expect(c.a.admit(c.claim({ callSid: OTHER }, { grant: late }), {}).ok).toBe(true); // the newest still work
  });

  it('a grant from another process (another key) does not verify', () => {
    const c = setup();
    const elsewhere = new StreamAdmission({ accountSid: ACCOUNT, log: silentLogger() });
    const foreign = elsewhere.issue({ callSid: CALL, accountSid: ACCOUNT, text: TEXT });
    expect(c.a.admit(c.claim({}, { grant: foreign }), {})).toMatchObject({ ok: false, reason: 'unknown-grant' });
  });
});
