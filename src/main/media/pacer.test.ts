import { describe, expect, it } from 'vitest';
import { FakeTimers } from '../../../test/helpers/fake-timers';
import { bufferedMs, createPacer, earlyMsFor, wakeAheadMs, frameDeadline, framesDue, monotonicClock, newPaceState, serveStream, type PaceClock, type PacedStream, type PaceState } from './pacer';

describe('framesDue', () => {
  const T0 = 10_000;
  it.each<[string, PaceState, number, number, { due: number; rebase: boolean }]>([
    ['first frame: lead burst of lead/20 + 1 frames', { t0: NaN, sent: 0 }, T0, 100, { due: 6, rebase: true }],
    ['no lead: one frame at a time', { t0: NaN, sent: 0 }, T0, 0, { due: 1, rebase: true }],
    ['lead not a multiple of 20', { t0: NaN, sent: 0 }, T0, 150, { due: 8, rebase: true }],
    ['right after the burst: nothing due', { t0: T0, sent: 6 }, T0 + 5, 100, { due: 0, rebase: false }],
    ['next grid point: one frame', { t0: T0, sent: 6 }, T0 + 20, 100, { due: 1, rebase: false }],
    ['timer 1 ms early still counts', { t0: T0, sent: 6 }, T0 + 19, 100, { due: 1, rebase: false }],
    ['2 ms early does not', { t0: T0, sent: 6 }, T0 + 18, 100, { due: 0, rebase: false }],
    ['frame 7 (due at +40) late by 50 ms (< lead): catch up 3 frames', { t0: T0, sent: 7 }, T0 + 40 + 50, 100, { due: 3, rebase: false }],
    ['stall longer than the lead: re-base, no burst of missed audio', { t0: T0, sent: 7 }, T0 + 1000, 100, { due: 6, rebase: true }],
    ['buffer exactly drained: re-base', { t0: T0, sent: 10 }, T0 + 200, 100, { due: 6, rebase: true }],
  ])('%s', (_name, state, now, lead, expected) => {
    expect(framesDue(state, now, lead)).toEqual(expected);
  });

  // batch 3 (lead 100): the lead burst grows by 2 frames; then nothing until the next frame's deadline, and then
  // every frame due within the next 40 ms leaves with it
  it.each<[string, PaceState, number, number, { due: number; rebase: boolean }]>([
    ['batch 3, first frame: lead + 40 ms in one burst', { t0: NaN, sent: 0 }, T0, 1, { due: 8, rebase: true }],
    ['batch 3, next frame (8, due at +60) not yet due: nothing', { t0: T0, sent: 8 }, T0 + 58, 1, { due: 0, rebase: false }],
    ['batch 3, frame 8 due: frames 8, 9, 10 together', { t0: T0, sent: 8 }, T0 + 60, 1, { due: 3, rebase: false }],
    ['batch 3, early by up to earlyMs still serves the whole batch', { t0: T0, sent: 8 }, T0 + 50, 11, { due: 3, rebase: false }],
    ['batch 3, late by 30 ms: the late frames and a batch beyond them', { t0: T0, sent: 8 }, T0 + 90, 1, { due: 4, rebase: false }],
  ])('%s', (_name, state, now, earlyMs, expected) => {
    expect(framesDue(state, now, 100, 3, earlyMs)).toEqual(expected);
  });
});

describe('earlyMsFor', () => {
  it.each([
    [1, 1],
    [2, 6],
    [3, 11],
    [10, 11],
  ])('batch %i may serve a frame %i ms before its deadline', (batch, early) => {
    expect(earlyMsFor(batch)).toBe(early);
  });

  it.each([
    [1, 0],
    [2, 5],
    [5, 5],
  ])('batch %i wakes %i ms before the deadline, inside the early window', (batch, ahead) => {
    expect(wakeAheadMs(batch)).toBe(ahead);
    expect(wakeAheadMs(batch)).toBeLessThan(earlyMsFor(batch));
  });
});

describe('bufferedMs / frameDeadline', () => {
  it.each([
    [{ t0: NaN, sent: 0 }, 5, 0],
    [{ t0: 1000, sent: 6 }, 1000, 120],
    [{ t0: 1000, sent: 6 }, 1050, 70],
    [{ t0: 1000, sent: 6 }, 2000, 0],
  ])('bufferedMs(%o, %i) = %i', (state, now, ms) => expect(bufferedMs(state, now)).toBe(ms));

  it('deadlines: the lead burst leaves at t0, then one per 20 ms', () => {
    const s = { t0: 1000, sent: 0 };
    expect([0, 5, 6, 7].map((n) => frameDeadline(s, n, 100))).toEqual([1000, 1000, 1020, 1040]);
  });
});

/** A stream with `frames` queued; records what the pacer asked of it. */
class FakeStream implements PacedStream {
  pace = newPaceState();
  sends: Array<{ at: number; count: number; lateness: number[] }> = [];
  starvedAt: number[] = [];
  causes: string[] = [];
  constructor(
    public frames: number,
    public more = false,
  ) {}
  available() {
    return this.frames;
  }
  expectingMore() {
    return this.more;
  }
  sendFrames(count: number, now: number, leadMs: number) {
    const lateness: number[] = [];
    for (let i = 0; i < count; i++) lateness.push(now - frameDeadline(this.pace, this.pace.sent + i, leadMs));
    this.pace.sent += count;
    this.frames -= count;
    this.sends.push({ at: now, count, lateness });
  }
  starved(now: number, cause: string) {
    this.starvedAt.push(now);
    this.causes.push(cause);
  }
  atRisk?: (now: number) => void;
  attach?: (clock: PaceClock) => void;
  get total() {
    return this.sends.reduce((n, s) => n + s.count, 0);
  }
}

describe('serveStream', () => {
  it('returns Infinity for an idle stream and never calls it starved', () => {
    const s = new FakeStream(0, true);
    expect(serveStream(s, 5, 100)).toBe(Infinity);
    expect(s.starvedAt).toEqual([]);
  });

  it('an empty queue at the send deadline only puts the lead at risk; the underrun is when Twilio has nothing left', () => {
    const s = new FakeStream(6, true);
    const risks: number[] = [];
    s.atRisk = (now: number) => void risks.push(now);
    expect(serveStream(s, 1000, 100)).toBe(1020); // 6 frames: Twilio holds 120 ms, empty at 1120
    expect(serveStream(s, 1010, 100)).toBe(1020);
    expect(serveStream(s, 1020, 100)).toBe(1120); // send deadline, nothing queued: at risk, not heard
    expect(risks).toEqual([1020]);
    expect(s.starvedAt).toEqual([]);
    expect(serveStream(s, 1119.5, 100)).toBe(Infinity); // within 1 ms of empty: the caller hears the gap
    expect(s.starvedAt).toEqual([1119.5]);
  });

  it('a part that comes while the lead plays out is caught up on the grid: no underrun, no re-base', () => {
    const s = new FakeStream(6, true);
    s.atRisk = () => undefined;
    serveStream(s, 1000, 100);
    serveStream(s, 1020, 100); // at risk
    s.frames = 20; // the late part lands at 1080, 40 ms before Twilio would run dry
    serveStream(s, 1080, 100);
    expect(s.starvedAt).toEqual([]);
    expect(s.pace.t0).toBe(1000);
    expect(s.sends.at(-1)!.count).toBe(4); // frames 6..9 (due by 1020..1080) at once: the lead is back to ~100 ms
  });

  it.each([
    ['a stall past the lead with frames ready is an underrun of ours', 200, ['stall']],
    ['a stall shorter than the lead is absorbed', 60, []],
  ])('%s', (_name, stallMs, causes) => {
    const s = new FakeStream(50, true);
    serveStream(s, 1000, 100); // lead burst: 6 frames, 120 ms buffered at Twilio
    serveStream(s, 1020, 100);
    serveStream(s, 1020 + stallMs, 100); // the event loop was held up
    expect(s.causes).toEqual(causes);
  });

  it('a new reply on an idle stream re-bases without counting an underrun', () => {
    const s = new FakeStream(3, false);
    serveStream(s, 1000, 100); // whole reply sent, nothing waiting
    s.frames = 10; // the next reply, seconds later
    s.more = true;
    serveStream(s, 9000, 100);
    expect(s.causes).toEqual([]);
    expect(s.pace.t0).toBe(9000);
  });

  it('stops asking for the clock when the reply is fully sent', () => {
    const s = new FakeStream(3, false);
    expect(serveStream(s, 1000, 100)).toBe(Infinity);
    expect(s.total).toBe(3);
  });
});

describe('createPacer (injected clock)', () => {
  function setup(leadMs = 100) {
    const timers = new FakeTimers();
    const pacer = createPacer({ leadMs, now: timers.now, timers });
    return { timers, pacer };
  }

  it('sends one frame per 20 ms on absolute deadlines after the lead burst, with zero lateness', () => {
    const { timers, pacer } = setup(100);
    const s = new FakeStream(50);
    pacer.add(s);
    pacer.kick();
    timers.flush();
    expect(s.sends[0]!.count).toBe(6);
    timers.advance(20 * 44);
    expect(s.total).toBe(50);
    expect(s.sends.slice(1).every((x) => x.count === 1)).toBe(true);
    expect(s.sends.flatMap((x) => x.lateness).every((l) => l === 0)).toBe(true);
    const gaps = s.sends.slice(2).map((x, i) => x.at - s.sends[i + 1]!.at);
    expect(new Set(gaps)).toEqual(new Set([20]));
    expect(timers.size).toBe(0);
  });

  it('batch 3: three frames per wake-up, never later than the deadline, the buffer between lead and lead + 40 ms', () => {
    const timers = new FakeTimers();
    const pacer = createPacer({ leadMs: 100, batchFrames: 3, now: timers.now, timers });
    const s = new FakeStream(50);
    pacer.add(s);
    pacer.kick();
    timers.flush();
    expect(s.sends[0]!.count).toBe(8);
    timers.advance(20 * 50);
    expect(s.total).toBe(50);
    expect(s.sends.slice(1, -1).every((x) => x.count === 3)).toBe(true);
    expect(s.sends.flatMap((x) => x.lateness).every((l) => l <= 0)).toBe(true);
    const gaps = s.sends.slice(2, -1).map((x, i) => x.at - s.sends[i + 1]!.at);
    expect(new Set(gaps)).toEqual(new Set([60]));
    // woken 5 ms ahead of each batch's first deadline: a timer up to 5 ms late still sends on time
    expect(s.sends.slice(1, -1).every((x) => x.lateness[0] === -5)).toBe(true);
    for (const x of s.sends.slice(1)) {
      // buffered at Twilio just before this send: never below the lead (minus the 11 ms early window)
      const t0 = s.sends[0]!.at;
      const sentBefore = s.sends.filter((y) => y.at < x.at).reduce((a, y) => a + y.count, 0);
      expect(sentBefore * 20 - (x.at - t0)).toBeGreaterThanOrEqual(100 - 11);
    }
  });

  it('serves many streams from one timer', () => {
    const { timers, pacer } = setup(60);
    const streams = Array.from({ length: 20 }, () => new FakeStream(30));
    for (const s of streams) pacer.add(s);
    pacer.kick();
    timers.flush();
    expect(timers.size).toBe(1);
    timers.advance(1000);
    expect(streams.every((s) => s.total === 30)).toBe(true);
  });

  it('re-bases after a stall longer than the lead instead of bursting the missed audio', () => {
    const { timers, pacer } = setup(100);
    const s = new FakeStream(200);
    pacer.add(s);
    pacer.kick();
    timers.advance(200);
    const before = s.total;
    // The event loop is blocked for 700 ms: the pending timer fires late.
    timers.t += 700;
    timers.flush();
    const burst = s.sends.at(-1)!;
    expect(burst.count).toBe(6);
    expect(s.total - before).toBe(6);
    expect(s.pace.t0).toBe(timers.t);
  });

  it('catches up a stall shorter than the lead on the same grid', () => {
    const { timers, pacer } = setup(100);
    const s = new FakeStream(200);
    pacer.add(s);
    pacer.kick();
    timers.advance(200);
    const t0 = s.pace.t0;
    // Blocked for 60 ms: frame 16 was due at t0+220, now is t0+260 → frames 16..18 leave at once.
    timers.t += 60;
    timers.flush();
    expect(s.sends.at(-1)!.count).toBe(3);
    expect(s.pace.t0).toBe(t0);
    expect(s.sends.at(-1)!.lateness).toEqual([40, 20, 0]);
  });

  it('starves, then resumes when kicked with new frames', () => {
    const { timers, pacer } = setup(100);
    const s = new FakeStream(10, true);
    pacer.add(s);
    pacer.kick();
    timers.advance(500);
    expect(s.starvedAt.length).toBe(1);
    expect(timers.size).toBe(0);
    s.frames = 10;
    pacer.kick();
    timers.flush();
    expect(s.sends.at(-1)!.count).toBe(6); // buffer had drained: a new segment
  });

  it('keeps serving the other streams when one throws', () => {
    const errors: unknown[] = [];
    const timers = new FakeTimers();
    const pacer = createPacer({ leadMs: 40, now: timers.now, timers, onError: (e) => errors.push(e) });
    const bad = new FakeStream(10);
    bad.sendFrames = () => {
      throw new Error('socket gone');
    };
    const good = new FakeStream(10);
    pacer.add(bad);
    pacer.add(good);
    pacer.kick();
    timers.advance(400);
    expect(errors).toHaveLength(1);
    expect(good.total).toBe(10);
    expect(pacer.size).toBe(1);
  });

  it('stop() leaves no timer behind and ignores later kicks', () => {
    const { timers, pacer } = setup(100);
    pacer.add(new FakeStream(100));
    pacer.kick();
    timers.advance(100);
    expect(timers.size).toBe(1);
    pacer.stop();
    expect(timers.size).toBe(0);
    pacer.kick();
    expect(timers.size).toBe(0);
    expect(pacer.size).toBe(0);
  });

  it('removing the last stream clears the timer', () => {
    const { timers, pacer } = setup(100);
    const s = new FakeStream(100);
    pacer.add(s);
    pacer.kick();
    timers.advance(40);
    pacer.remove(s);
    expect(timers.size).toBe(0);
  });
});

describe('pacing on a monotonic clock (an NTP step of the wall clock)', () => {
  /** 10 s of frames on one stream; the wall clock steps by `stepMs` after 1 s. */
  function run(stepMs: number, pacerOnWall: boolean) {
    const timers = new FakeTimers(); // its time is the monotonic clock
    let offset = 1_700_000_000_000 - timers.t;
    const wall = () => timers.t + offset;
    const clock = monotonicClock(wall, timers.now);
    const pacer = pacerOnWall ? createPacer({ leadMs: 100, now: wall, timers }) : createPacer({ leadMs: 100, now: clock.now, wallAt: clock.wallAt, timers });
    const s = new FakeStream(500, true);
    let attached: PaceClock | undefined;
    s.attach = (c: PaceClock) => void (attached = c);
    pacer.add(s);
    pacer.kick();
    timers.advance(1000);
    offset += stepMs;
    const atStep = s.total;
    const stepWall = wall();
    timers.advance(1000);
    pacer.stop();
    return { sentAfterStep: s.total - atStep, causes: s.causes, attached, stepWall };
  }

  it.each([
    ['back 1 h', -3_600_000],
    ['forward 1 h', 3_600_000],
  ])('a wall-clock step %s neither silences nor bursts: 50 frames in the next second, no underrun', (_name, step) => {
    const r = run(step, false);
    expect(r.sentAfterStep).toBeGreaterThanOrEqual(49);
    expect(r.sentAfterStep).toBeLessThanOrEqual(51);
    expect(r.causes).toEqual([]);
    // event times stay wall-clock: the pacer's "now" converts to the stepped wall clock
    expect(Math.abs(r.attached!.wallAt(r.attached!.now()) - (r.stepWall + 1000))).toBeLessThan(1);
  });

  it('(the same step on a pacer driven by the wall clock: a step back silences the stream, a step forward bursts and re-bases)', () => {
    expect(run(-3_600_000, true).sentAfterStep).toBe(0);
    const forward = run(3_600_000, true);
    expect(forward.causes).toContain('stall');
  });
});

describe('a stream that throws in the tick', () => {
  it('is removed and told (failed), so its owner ends it with an error; the other streams keep their grid', () => {
    const timers = new FakeTimers();
    const errors: unknown[] = [];
    const pacer = createPacer({ leadMs: 40, now: timers.now, timers, onError: (e) => errors.push(e) });
    const broken = new FakeStream(50, true);
    const failures: unknown[] = [];
    broken.sendFrames = () => {
      throw new Error('socket gone');
    };
    (broken as PacedStream).failed = (err) => void failures.push(err);
    const healthy = new FakeStream(50, true);
    pacer.add(broken);
    pacer.add(healthy);
    pacer.kick();
    timers.advance(200);
    expect(failures).toHaveLength(1);
    expect(String(failures[0])).toMatch(/socket gone/);
    expect(errors).toHaveLength(1);
    expect(pacer.size).toBe(1);
    expect(healthy.total).toBeGreaterThanOrEqual(12); // 3 lead frames + one per 20 ms
    pacer.stop();
  });
});
