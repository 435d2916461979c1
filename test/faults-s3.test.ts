// S3 faults over real servers: s3rver behind a fault-injecting proxy, the TTS stand-in writing parts, the real
// pipeline and media server, TwilioMediaClient as Twilio. Two calls at once: the faulty one and a healthy one.
// In each: the caller hears the parts that came (exactly), then the apology (exactly) — never garbage; the operator
// sees the failure in words on the right call (tts.job failed + a tts_error alert); the healthy call plays byte-exact;
// nothing is left running. Times: the apology's first frame within 2 s of the failure (generous; measured far less).
import { describe, expect, it } from 'vitest';
import type { Fault } from './helpers/fault-proxy';
import { arrivalOf, expectNothingLeft, expectPartsThenApology, expectWholeReply, failureOf, newCallSid, useFaultRig, type Caller } from './helpers/faults';

const start = useFaultRig();

/** A fault on every GET of the bad call's job (from part `fromPart` on; done checks too). */
const onBadCall = (bad: string, fault: Fault, fromPart = 0) => (path: string, callSid: string | undefined) => {
  if (callSid !== bad) return 'pass';
  const m = /part(\d+)\.wav$/.exec(path);
  if (m && Number(m[1]) < fromPart) return 'pass';
  return fault;
};

async function both(bad: Caller, good: Caller) {
  await Promise.all([bad.client.closed(), good.client.closed()]);
}

describe('S3 fails before the first part: the apology within 2 s of the failure', () => {
  it.each([
    ['503 SlowDown on every GET', 'slowdown' as const, /^The reply never started: .*HTTP 503 SlowDown/],
    ['GETs that stall (no answer)', 'stall' as const, /^The reply never started: .*(S3 did not answer|within JOB_IDLE_TIMEOUT_MS)/],
    ['connections reset', 'reset' as const, /^The reply never started: .*S3 unreachable reading .*(ECONNRESET|socket hang up)/],
  ])('%s', async (_name, fault, message) => {
    const badSid = newCallSid();
    const f = await start({ fault: onBadCall(badSid, fault) });
    const [bad, good] = await Promise.all([f.call({ callSid: badSid }), f.call()]);
    await both(bad, good);
    expectWholeReply(good);
    const k = expectPartsThenApology(bad);
    expect(k).toBe(0);
    const failure = failureOf(bad);
    expect(failure.error).toMatch(message);
    expect(arrivalOf(bad, 0) - failure.at).toBeLessThan(2000);
    // the failure is known within the reply's budget (JOB_IDLE_TIMEOUT_MS 1500 ms from the job's start), not 3 × 3 × timeout
    const job = bad.ofType('tts.job')[0]!;
    expect(failure.at - job.at).toBeLessThan(1500 + 1000);
    expect(bad.ofType('stream.stopped').map((e) => e.reason)).toEqual(['reply-played']);
    expect(f.rig.registry.get(good.callSid)!.alerts).toEqual([]);
    await expectNothingLeft(f);
  });
});

describe('S3 fails after some parts: the reply ends cleanly and says so', () => {
  it('a part GET that hangs (S3 never answers, S3_REQUEST_TIMEOUT_MS longer than the budget): JOB_IDLE_TIMEOUT_MS ends it', async () => {
    const badSid = newCallSid();
    const f = await start({ fault: onBadCall(badSid, 'stall', 1), settings: { S3_REQUEST_TIMEOUT_MS: '10000' } });
    const [bad, good] = await Promise.all([f.call({ callSid: badSid }), f.call()]);
    await both(bad, good);
    expectWholeReply(good);
    expect(expectPartsThenApology(bad)).toBe(9600);
    const failure = failureOf(bad);
    expect(failure.error).toMatch(/^The reply was cut short after 1 part \(1\.2 s of audio\): part .*part1\.wav did not come within JOB_IDLE_TIMEOUT_MS \(1500 ms\)/);
    const part0 = bad.ofType('tts.part')[0]!.part;
    expect(failure.at - part0.seenAt).toBeLessThan(1500 + 1000); // not 10 s × 3 attempts
    await expectNothingLeft(f);
  });

  it('a part that never comes (the service stops writing, no done marker)', async () => {
    const badSid = newCallSid();
    const f = await start({ standIn: { fail: ({ callSid }) => (callSid === badSid ? 'parts-stop' : null), partMs: 800, partIntervalMs: 300 } });
    const [bad, good] = await Promise.all([f.call({ callSid: badSid }), f.call()]);
    await both(bad, good);
    expectWholeReply(good);
    const k = expectPartsThenApology(bad);
    expect(k).toBe(12_800); // 2 of the 4 800 ms parts
    expect(failureOf(bad).error).toMatch(/^The reply was cut short after 2 parts \(1\.6 s of audio\): part .*part2\.wav did not come .*no done marker/);
    expect(bad.ofType('tts.job').map((e) => e.status)).toEqual(['started', 'failed']);
    await expectNothingLeft(f);
  });

  it.each([
    ['cut short of its Content-Length on every read (truncated)', 'truncate' as const, /^The reply was cut short after 1 part .*part1\.wav.*(body cut short|ECONNRESET)/],
    ['corrupt (200, right length, no WAV)', 'corrupt' as const, /^The reply was cut short after 1 part .*TTS part .*part1\.wav is unreadable/],
  ])('a part %s: never played, the reply says so and the service is told to stop', async (_name, fault, message) => {
    const badSid = newCallSid();
    const f = await start({ fault: onBadCall(badSid, fault, 1) });
    const [bad, good] = await Promise.all([f.call({ callSid: badSid }), f.call()]);
    await both(bad, good);
    expectWholeReply(good);
    expect(expectPartsThenApology(bad)).toBe(9600);
    expect(failureOf(bad).error).toMatch(message);
    const job = [...f.rig.standIn.jobs.values()].find((j) => j.callSid === badSid)!;
    expect(job.cancelledAt).toBeGreaterThan(0);
    await expectNothingLeft(f);
  });
});
