// Faults of the TTS service, of the caller's stream and of Twilio's REST API, over real servers: the TTS stand-in,
// s3rver, the media server, TwilioMediaClient as Twilio, the REST stand-in through the real twilio client. Next to
// each faulty call a healthy one plays byte-exact; the operator sees the fault in words on the right call; nothing is
// left running (no paced stream, no socket, no S3 GET after the end, the TTS job cancelled when nobody will hear it).
import { afterEach, describe, expect, it, vi } from 'vitest';
import { Playout } from '../src/main/media/playout';
import { publicUrls } from '../src/main/config/urls';
import { silentLogger } from '../src/main/log';
import { startTwilioRestStandIn, type StandIn } from '../src/main/sim/twilio-rest-standin';
import { HandoffService } from '../src/main/twilio/handoff';
import { createTwilioRest } from '../src/main/twilio/rest';
import { ACCOUNT_SID, AUTH_TOKEN, until } from './media-rig';
import { arrivalOf, expectNothingLeft, expectPartsThenApology, expectWholeReply, failureOf, newCallSid, REPLY, useFaultRig, type Caller, type FaultRig } from './helpers/faults';

const start = useFaultRig();

const both = (a: Caller, b: Caller) => Promise.all([a.client.closed(), b.client.closed()]);
const jobOf = (f: FaultRig, callSid: string) => [...f.rig.standIn.jobs.values()].find((j) => j.callSid === callSid);

describe('the TTS service fails: the apology within 2 s, the failure in words', () => {
  it.each([
    ['answers 500', 'http500' as const, /^TTS service at 127\.0\.0\.1:\d+ answered HTTP 500.*synthesis backend unavailable/],
    ['answers without a job_id', 'no-job-id' as const, /^TTS service at 127\.0\.0\.1:\d+ answered without a job_id \(got keys: status\)/],
    ['is too slow (no answer within TTS_TIMEOUT_MS)', 'timeout' as const, /^TTS service at 127\.0\.0\.1:\d+ did not answer within 500 ms \(TTS_TIMEOUT_MS\)/],
  ])('%s', async (_name, fail, message) => {
    const badSid = newCallSid();
    const f = await start({ standIn: { fail: ({ callSid }) => (callSid === badSid ? fail : null) } });
    const [bad, good] = await Promise.all([f.call({ callSid: badSid }), f.call()]);
    await both(bad, good);
    expectWholeReply(good);
    expect(expectPartsThenApology(bad)).toBe(0);
    const failure = failureOf(bad);
    expect(failure.error).toMatch(message);
    expect(arrivalOf(bad, 0) - failure.at).toBeLessThan(2000);
    expect(f.rig.s3Gets.length).toBeGreaterThan(0); // the healthy call's
    await expectNothingLeft(f);
  });

  it('is down (connection refused): every call hears the apology, each with its own message', async () => {
    const f = await start({});
    await f.rig.standIn.stop();
    const [a, b] = await Promise.all([f.call(), f.call()]);
    await both(a, b);
    for (const c of [a, b]) {
      expect(expectPartsThenApology(c)).toBe(0);
      const failure = failureOf(c);
      expect(failure.error).toMatch(/^could not reach TTS service at 127\.0\.0\.1:\d+: ECONNREFUSED/);
      expect(arrivalOf(c, 0) - failure.at).toBeLessThan(2000);
    }
    expect(f.rig.s3Gets).toEqual([]);
    await expectNothingLeft(f);
  });
});

describe('the caller goes away mid-part', () => {
  it.each([
    ['hangs up (stop, then close)', 'stop' as const, 'stop'],
    ['the socket dies without a stop', 'drop' as const, 'socket-closed-1006'],
  ])('%s: nothing more is sent, polling stops, the TTS job is cancelled at the service', async (_name, how, reason) => {
    const f = await start({ standIn: { partIntervalMs: 900 } }); // parts land at 150, 1050, 1950 ms
    const [bad, good] = await Promise.all([f.call(), f.call()]);
    await until(() => bad.frames.length >= 40, 'the bad call to be into part 0'); // ~1 s in: the job still writing
    if (how === 'stop') await bad.client.stop();
    else bad.client.drop();
    await both(bad, good);
    expectWholeReply(good);
    const out = bad.out();
    expect(out.length).toBeLessThan(REPLY.length);
    expect(Buffer.compare(out, REPLY.subarray(0, out.length))).toBe(0); // an exact prefix: no garbage, no apology
    await until(() => bad.ofType('stream.stopped').length === 1, 'the stream to be recorded as stopped');
    expect(bad.ofType('stream.stopped').map((e) => e.reason)).toEqual([reason]);
    expect(bad.ofType('tts.job').map((e) => e.status)).toEqual(['started', 'cancelled']);
    const alerts = bad.alerts().filter((a) => a.kind !== 'underrun');
    if (how === 'drop') {
      expect(alerts).toEqual([{ kind: 'stream_error', message: 'The media stream closed without a stop from Twilio (code 1006): the caller may have been cut off' }]);
    } else expect(alerts).toEqual([]);
    const job = jobOf(f, bad.callSid)!;
    await until(() => job.state === 'cancelled', 'the stand-in to stop writing the job');
    await expectNothingLeft(f);
    expect(job.parts.every((p) => p.putAt <= job.cancelledAt!)).toBe(true); // nothing written after the cancel
  });
});

describe('a stuck stream is closed', () => {
  it('an end mark Twilio never echoes: closed END_MARK_SLACK_MS after the reply should have played, with an error', async () => {
    const f = await start({});
    const [bad, good] = await Promise.all([f.call({ echoMarks: false }), f.call()]);
    const code = await bad.client.closed();
    await good.client.closed();
    expect(code).toBe(1000);
    expectWholeReply(good);
    expect(Buffer.compare(bad.out().subarray(0, REPLY.length), REPLY)).toBe(0); // it did play everything
    const message = bad.alerts().find((a) => a.kind === 'stream_error')?.message;
    expect(message).toMatch(/^The stream looks stuck: Twilio never confirmed that the end of the reply played \(mark R\w+:end, \d\.\d s\)\. The stream was closed\.$/);
    expect(bad.ofType('error').map((e) => e.code)).toEqual(['media-end-mark-overdue']);
    expect(bad.ofType('stream.stopped').map((e) => e.reason)).toEqual(['end-mark-overdue']);
    // closed after the audio's play time + slack (3.6 s + lead + 0.6 s), not never, and not before it played
    const endSent = bad.ofType('mark').find((e) => e.name.endsWith(':end') && e.outcome === 'sent')!.at;
    const stopped = bad.ofType('stream.stopped')[0]!.at;
    expect(stopped - endSent).toBeGreaterThanOrEqual(600);
    expect(stopped - endSent).toBeLessThan(600 + 1500);
    await expectNothingLeft(f);
  });
});

describe('a stream the pacer drops after an error is closed, not left as dead air', () => {
  afterEach(() => vi.restoreAllMocks());

  it('the session ends with a stream_error the operator sees; the other stream keeps its audio byte-exact', async () => {
    const f = await start({});
    const badSid = { streamSid: '' };
    const send = Playout.prototype.sendFrames;
    // the fault: this stream's playout throws in the pacer tick once it is 0.4 s in (as a bug or a broken socket would)
    vi.spyOn(Playout.prototype, 'sendFrames').mockImplementation(function (this: Playout, ...args: Parameters<Playout['sendFrames']>) {
      const sid = (this as unknown as { out: { streamSid: string } }).out.streamSid;
      if (sid === badSid.streamSid && this.framesSent >= 20) throw new Error('write after end');
      return send.apply(this, args);
    });
    const bad = await f.call();
    badSid.streamSid = bad.client.streamSid;
    const good = await f.call();
    const code = await bad.client.closed();
    expect(code).toBe(1000);
    await good.client.closed();
    expectWholeReply(good);
    const out = bad.out();
    expect(Buffer.compare(out, REPLY.subarray(0, out.length))).toBe(0); // what it heard was the reply, no garbage
    expect(bad.alerts().filter((a) => a.kind === 'stream_error').map((a) => a.message)).toEqual([
      "The bot's audio stopped: the pacer failed on this stream (Error: write after end). The stream was closed.",
    ]);
    expect(bad.ofType('stream.stopped').map((e) => e.reason)).toEqual(['pacer-error']);
    expect(bad.ofType('tts.job').map((e) => e.status)).toEqual(['started', 'cancelled']);
    await expectNothingLeft(f);
  });
});

describe('Twilio REST fails on a handoff: the stream keeps playing, the failure in words', () => {
  const DID = '+8225551234';
  const rest = async (f: FaultRig, variant: '401' | '404' | '21220' | 'network' | 'ok', onUpdate?: (callSid: string) => void) => {
    let api: StandIn | null = null;
    if (variant !== 'network') {
      api = await startTwilioRestStandIn({ accountSid: ACCOUNT_SID, authToken: AUTH_TOKEN, isLive: () => variant !== '21220', onUpdate: (sid) => onUpdate?.(sid) });
    }
    const client = createTwilioRest({
      accountSid: ACCOUNT_SID,
      authToken: variant === '401' ? 'wrong-token' : AUTH_TOKEN,
      // 404: a path Twilio does not serve (as for an unknown call or account)
      baseUrl: api ? `${api.url}${variant === '404' ? '/unknown' : ''}` : 'http://127.0.0.1:1',
      timeoutMs: 2000,
    });
    const handoff = new HandoffService({ config: f.rig.config, registry: f.rig.registry, rest: client, urls: publicUrls(f.rig.config, 5000), log: silentLogger() });
    return { handoff, stop: () => api?.stop() };
  };

  it.each([
    ['401 (bad credentials)', '401' as const, 'Twilio refused the credentials: check TWILIO_ACCOUNT_SID and TWILIO_AUTH_TOKEN (Twilio 20003)'],
    ['404 (unknown call or account)', '404' as const, 'Twilio does not know this call (Twilio 20404)'],
    ['21220 (the call is no longer in progress)', '21220' as const, 'The caller already hung up (Twilio 21220)'],
    ['a network error (Twilio unreachable)', 'network' as const, 'Could not reach Twilio: connection refused'],
  ])('%s', async (_name, variant, plain) => {
    const f = await start({ settings: { CONNECT_DID: DID } });
    const r = await rest(f, variant);
    try {
      const [bad, good] = await Promise.all([f.call(), f.call()]);
      await until(() => bad.frames.length >= 10, 'the bad call to be speaking');
      const result = await r.handoff.request(bad.callSid, 'operator');
      expect(result).toMatchObject({ ok: false, message: plain });
      await both(bad, good);
      expectWholeReply(good);
      // the caller hears the whole reply: a failed handoff changes nothing on the stream
      expect(Buffer.compare(bad.out().subarray(0, REPLY.length), REPLY)).toBe(0);
      expect(bad.out().length - REPLY.length).toBeLessThan(160);
      expect(bad.ofType('tts.job').map((e) => e.status)).toEqual(['started', 'done']);
      expect(bad.alerts().filter((a) => a.kind !== 'underrun')).toEqual([{ kind: 'handoff_failed', message: plain }]);
      expect(bad.ofType('handoff').map((e) => [e.status, e.message])).toEqual([
        ['requested', 'Asking Twilio to dial Amazon Connect'],
        ['failed', plain],
      ]);
      expect(f.rig.registry.get(bad.callSid)!.handoff).toMatchObject({ status: 'failed', message: plain });
      expect(good.ofType('handoff')).toEqual([]);
      await expectNothingLeft(f);
    } finally {
      await r.stop();
    }
  });

  it('a handoff Twilio accepts ends the stream with its stop, and the TTS job nobody will hear is cancelled', async () => {
    const f = await start({ settings: { CONNECT_DID: DID }, standIn: { partIntervalMs: 700 } });
    let bad: Caller | null = null;
    const r = await rest(f, 'ok', () => void bad?.client.stop()); // like Twilio: the redirect stops the stream
    try {
      const calls = await Promise.all([f.call(), f.call()]);
      bad = calls[0];
      const good = calls[1];
      await until(() => bad!.frames.length >= 40, 'the call to be speaking');
      expect(await r.handoff.request(bad.callSid, 'operator')).toMatchObject({ ok: true });
      await both(bad, good);
      expectWholeReply(good);
      expect(bad.ofType('tts.job').map((e) => e.status)).toEqual(['started', 'cancelled']);
      const job = jobOf(f, bad.callSid)!;
      await until(() => job.state === 'cancelled', 'the stand-in to stop writing the job');
      await expectNothingLeft(f);
    } finally {
      await r.stop();
    }
  });
});
