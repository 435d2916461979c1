// The media thread's half of the seam with a recording `post` and a fake clock: registry events batched and posted
// before anything else, the admission round trip, attach() and its listener, speak / control commands to the stream,
// the handoff mirror, listen-in taps (copied audio, only while listened) and what the main thread says of a call.
import { describe, expect, it, vi } from 'vitest';
import type { CallEventBody, ReplyKind } from '../../../shared/model';
import { FakeTimers } from '../../../../test/helpers/fake-timers';
import type { Admission, StartClaim } from '../admission';
import type { DetectorEvent } from '../bargein/energy';
import type { ReplyOutcome, ReplyTimes } from '../reply-tracker';
import type { ReplyHandle, StreamControl } from '../session';
import { BATCH_MS, MediaSide } from './media-side';
import type { FromMedia, ToMedia } from './protocol';

const CALL = 'CA00000000000000000000000000000001';
const STREAM = 'MZ00000000000000000000000000000001';
const ACCOUNT = 'AC00000000000000000000000000000001';

function setup() {
  const timers = new FakeTimers(1_000_000);
  const posted: FromMedia[] = [];
  let streams = 0;
  const partNotice = vi.fn((_token: string, _notice: unknown) => true);
  const callEnded = vi.fn((_callSid: string) => undefined);
  const side = new MediaSide({
    post: (m) => posted.push(m),
    timers,
    streams: () => streams,
    partNotice,
    callEnded,
  });
  const types = () => posted.map((m) => m.type);
  const of = <T extends FromMedia['type']>(type: T) =>
    posted.filter((m): m is Extract<FromMedia, { type: T }> => m.type === type);
  const setStreams = (n: number) => (streams = n);
  return { timers, posted, side, partNotice, callEnded, types, of, setStreams };
}

type Harness = ReturnType<typeof setup>;

const claim = (callSid = CALL, streamSid = STREAM): StartClaim =>
  ({ callSid, accountSid: ACCOUNT, streamSid, customParameters: { grant: 'g1' } });
const ok = (callSid = CALL): Admission => ({ ok: true, callSid, text: 'hello', parameters: { grant: 'g1' } });

/** Admit a stream of `callSid` through the round trip; the posted admit id and the ticket. */
async function admit(h: Harness, o: { callSid?: string; streamSid?: string; conversation?: boolean; startedAt?: number } = {}) {
  const ticket = {};
  const answer = h.side.gate.admit(claim(o.callSid, o.streamSid), ticket);
  const id = h.of('admit').at(-1)!.id;
  const admission = ok(o.callSid);
  const startedAt = o.startedAt !== undefined ? { startedAt: o.startedAt } : {};
  h.side.receive({ type: 'admitted', id, admission, conversation: o.conversation ?? true, ...startedAt });
  expect(await answer).toEqual(admission);
  return { id, ticket };
}

interface FakeReply {
  first(t: ReplyTimes): void;
  settle(o: ReplyOutcome): void;
}

/** A StreamControl whose replies settle when the test says so. */
function fakeControl(callSid = CALL, streamSid = STREAM) {
  const replies = new Map<string, FakeReply>();
  const control = {
    callSid,
    streamSid,
    speak: vi.fn((_text: string, o: { turn?: number; kind: ReplyKind; replyId?: string }): ReplyHandle => {
      let first!: (t: ReplyTimes) => void;
      let settle!: (o: ReplyOutcome) => void;
      const firstFrame = new Promise<ReplyTimes>((r) => (first = r));
      const outcome = new Promise<ReplyOutcome>((r) => (settle = r));
      replies.set(o.replyId!, { first, settle });
      return { replyId: o.replyId!, firstFrame, outcome };
    }),
    replying: vi.fn(() => false),
    interrupt: vi.fn((_trigger: 'vad' | 'transcript') => undefined),
    pause: vi.fn((_reason: string) => undefined),
    resume: vi.fn(() => undefined),
    close: vi.fn((_reason: string) => undefined),
  } satisfies StreamControl;
  return { control, replies };
}

/** Let settled promises run their handlers. */
const settle = () => new Promise<void>((r) => setImmediate(r));

const started: CallEventBody = { type: 'stream.started', streamSid: STREAM, customParameters: {} };
const stopped: CallEventBody = { type: 'stream.stopped', streamSid: STREAM, reason: 'stop' };

describe('MediaSide: registry events', () => {
  it('batches events into one message after BATCH_MS, not before, with the open streams at that time', () => {
    const h = setup();
    h.side.registry.apply(CALL, started, 1);
    h.timers.advance(3);
    h.side.registry.apply(CALL, { type: 'dtmf', digit: '5' }, 2);
    h.side.registry.apply('CA2', stopped, 3);
    expect(h.timers.size).toBe(1); // one timer for the batch, not one per event
    h.timers.advance(BATCH_MS - 4);
    expect(h.posted).toEqual([]);
    h.setStreams(2);
    h.timers.advance(1);
    expect(h.posted).toEqual([
      { type: 'events', events: [[CALL, started, 1], [CALL, { type: 'dtmf', digit: '5' }, 2], ['CA2', stopped, 3]], streams: 2 },
    ]);
    h.timers.advance(BATCH_MS * 5);
    expect(h.posted).toHaveLength(1);
  });

  it('a change of the open-stream count alone is posted after BATCH_MS (an events message with no events), once', () => {
    const h = setup();
    h.setStreams(1);
    h.side.streamsChanged();
    h.side.streamsChanged();
    h.timers.advance(BATCH_MS - 1);
    expect(h.posted).toEqual([]);
    h.timers.advance(1);
    expect(h.posted).toEqual([{ type: 'events', events: [], streams: 1 }]);
    h.timers.advance(BATCH_MS * 3);
    expect(h.posted).toHaveLength(1);
  });

  it('starts a new batch after a flush', () => {
    const h = setup();
    h.side.registry.apply(CALL, started, 1);
    h.timers.advance(BATCH_MS);
    h.side.registry.apply(CALL, stopped, 2);
    h.timers.advance(BATCH_MS);
    expect(h.of('events').map((m) => m.events)).toEqual([[[CALL, started, 1]], [[CALL, stopped, 2]]]);
  });

  it.each<[string, (h: Harness) => void, FromMedia['type']]>([
    ['gate.admit', (h) => void h.side.gate.admit(claim(), {}), 'admit'],
    ['a tap close', (h) => h.side.tap(CALL, STREAM).close(), 'closed'],
    [
      'speak for a stream with no control',
      (h) => h.side.receive({ type: 'speak', streamSid: STREAM, text: 'x', kind: 'answer', replyId: 'R1' }),
      'outcome',
    ],
  ])('any other post (%s) flushes the queued events first', (_name, act, type) => {
    const h = setup();
    h.setStreams(1);
    h.side.registry.apply(CALL, started, 1);
    act(h);
    expect(h.types()).toEqual(['events', type]);
    expect(h.of('events')[0]).toEqual({ type: 'events', events: [[CALL, started, 1]], streams: 1 });
    expect(h.timers.size).toBe(0); // the batch timer was cleared
    h.timers.advance(BATCH_MS);
    expect(h.types()).toEqual(['events', type]);
  });

  it('a listener event after registry events keeps their order', async () => {
    const h = setup();
    await admit(h);
    const listener = h.side.attach(fakeControl().control)!;
    h.posted.length = 0;
    h.side.registry.apply(CALL, started, 1);
    listener.onEnded('stop');
    expect(h.types()).toEqual(['events', 'ended']);
  });

  it('a flush with nothing queued posts nothing', () => {
    const h = setup();
    h.side.flush();
    h.side.tap(CALL, STREAM).close();
    expect(h.types()).toEqual(['closed']);
  });
});

describe('MediaSide: admission', () => {
  it('posts only callSid/accountSid/streamSid/customParameters and resolves on the answer with the same id', async () => {
    const h = setup();
    const full = { ...claim(), extra: 'not for the main thread', tracks: ['inbound'] } as StartClaim;
    const first = h.side.gate.admit(full, {});
    const second = h.side.gate.admit(claim('CA2', 'MZ2'), {});
    const [a, b] = h.of('admit');
    expect(a).toEqual({ type: 'admit', id: a!.id, claim: claim() });
    expect(b!.claim).toEqual(claim('CA2', 'MZ2'));
    expect(a!.id).not.toBe(b!.id);
    let firstDone = false;
    void Promise.resolve(first).then(() => (firstDone = true));
    const refused: Admission = { ok: false, reason: 'no-grant', code: 4403, message: 'no' };
    h.side.receive({ type: 'admitted', id: b!.id, admission: refused, conversation: false });
    expect(await second).toEqual(refused);
    await settle();
    expect(firstDone).toBe(false); // another id's answer does not resolve it
    h.side.receive({ type: 'admitted', id: a!.id, admission: ok(), conversation: true });
    expect(await first).toEqual(ok());
  });

  it('an answer for an unknown id is ignored', () => {
    const h = setup();
    expect(() => h.side.receive({ type: 'admitted', id: 99, admission: ok(), conversation: true })).not.toThrow();
    expect(h.posted).toEqual([]);
  });

  it('release posts the ticket id once, and nothing for a ticket never admitted', async () => {
    const h = setup();
    const { id, ticket } = await admit(h);
    h.side.gate.release({});
    expect(h.of('release')).toEqual([]);
    h.side.gate.release(ticket);
    h.side.gate.release(ticket);
    expect(h.of('release')).toEqual([{ type: 'release', id }]);
  });

  it('abandon() resolves every waiting admission as refused; answers after it change nothing', async () => {
    const h = setup();
    const a = h.side.gate.admit(claim(), {});
    const b = h.side.gate.admit(claim('CA2', 'MZ2'), {});
    h.side.abandon();
    for (const answer of [await a, await b]) expect(answer).toMatchObject({ ok: false, reason: 'no-grant', code: 1011 });
    const id = h.of('admit')[0]!.id;
    h.side.receive({ type: 'admitted', id, admission: ok(), conversation: true });
    expect(await a).toMatchObject({ ok: false });
  });

  it('startedAt() is the call start the answer carried', async () => {
    const h = setup();
    await admit(h, { startedAt: 123 });
    expect(h.side.startedAt(CALL)).toBe(123);
    expect(h.side.startedAt('CA2')).toBeUndefined();
  });
});

describe('MediaSide: attach', () => {
  it.each<[string, boolean | null, boolean]>([
    ['admitted with a conversation', true, true],
    ['admitted without a conversation', false, false],
    ['never admitted', null, false],
  ])('%s: listener %s', async (_name, conversation, listens) => {
    const h = setup();
    if (conversation !== null) await admit(h, { conversation });
    const listener = h.side.attach(fakeControl().control);
    expect(listener !== null).toBe(listens);
  });

  it('a refused admission attaches nothing', async () => {
    const h = setup();
    const answer = h.side.gate.admit(claim(), {});
    const refused: Admission = { ok: false, reason: 'no-grant', code: 4403, message: 'no' };
    h.side.receive({ type: 'admitted', id: h.of('admit')[0]!.id, admission: refused, conversation: true });
    await answer;
    expect(h.side.attach(fakeControl().control)).toBeNull();
  });

  it("the listener's onSpeech / onEnded post 'speech' / 'ended'", async () => {
    const h = setup();
    await admit(h);
    const listener = h.side.attach(fakeControl().control)!;
    const event: DetectorEvent = { type: 'speech-start', onsetAt: 10, detectedAt: 30, probability: 0.9 };
    listener.onSpeech(event);
    listener.onEnded('stop');
    expect(h.posted.slice(1)).toEqual([
      { type: 'speech', streamSid: STREAM, event },
      { type: 'ended', streamSid: STREAM, reason: 'stop' },
    ]);
  });
});

describe('MediaSide: commands to the stream', () => {
  async function attached(h: Harness) {
    await admit(h);
    const fake = fakeControl();
    h.side.attach(fake.control);
    h.posted.length = 0;
    return fake;
  }

  it("speak for a stream with no control posts a cancelled outcome", () => {
    const h = setup();
    h.side.receive({ type: 'speak', streamSid: 'MZ9', text: 'hi', kind: 'answer', replyId: 'R1' });
    expect(h.posted).toEqual([
      {
        type: 'outcome',
        streamSid: 'MZ9',
        replyId: 'R1',
        outcome: { status: 'cancelled', reason: 'stream ended', heardMs: 0, replyMs: 0, pausedMs: 0 },
      },
    ]);
  });

  it("speak calls control.speak and posts 'firstFrame' and 'outcome' as the handle settles", async () => {
    const h = setup();
    const { control, replies } = await attached(h);
    h.side.receive({ type: 'speak', streamSid: STREAM, text: 'hello', kind: 'answer', turn: 3, replyId: 'R1' });
    expect(control.speak).toHaveBeenCalledWith('hello', { kind: 'answer', replyId: 'R1', turn: 3 });
    await settle();
    expect(h.posted).toEqual([]);
    const times: ReplyTimes = { ttsJobAt: 1, firstFrameAt: 2, heardAt: 3 };
    replies.get('R1')!.first(times);
    await settle();
    expect(h.posted).toEqual([{ type: 'firstFrame', streamSid: STREAM, replyId: 'R1', times }]);
    const outcome: ReplyOutcome = { status: 'played', heardMs: 900, replyMs: 900, pausedMs: 0 };
    replies.get('R1')!.settle(outcome);
    await settle();
    expect(h.posted.slice(1)).toEqual([{ type: 'outcome', streamSid: STREAM, replyId: 'R1', outcome }]);
  });

  it('commands right behind the answer, in the same turn (a process delivers them together), wait for attach', async () => {
    const h = setup();
    const answer = h.side.gate.admit(claim(), {});
    const id = h.of('admit').at(-1)!.id;
    h.side.receive({ type: 'admitted', id, admission: ok(), conversation: true });
    h.side.receive({ type: 'speak', streamSid: STREAM, text: 'hello', kind: 'greeting', replyId: 'R1' });
    h.side.receive({ type: 'control', streamSid: STREAM, op: 'pause', reason: 'hold' });
    expect(h.of('outcome')).toEqual([]); // not answered "stream ended"
    await answer;
    const { control } = fakeControl();
    h.side.attach(control);
    expect(control.speak).not.toHaveBeenCalled(); // not inside attach(): the session has not taken the listener yet
    await settle();
    expect(control.speak).toHaveBeenCalledWith('hello', { kind: 'greeting', replyId: 'R1' });
    expect(control.pause).toHaveBeenCalledWith('hold');
    expect(control.speak.mock.invocationCallOrder[0]).toBeLessThan(control.pause.mock.invocationCallOrder[0]!);
    h.side.receive({ type: 'speak', streamSid: STREAM, text: 'again', kind: 'answer', replyId: 'R2' });
    expect(control.speak).toHaveBeenCalledTimes(2); // after attach, at once
  });

  it('a stream admitted but never attached (it ended first) forgets its held commands when the call ends', () => {
    const h = setup();
    void h.side.gate.admit(claim(), {});
    h.side.receive({ type: 'admitted', id: h.of('admit').at(-1)!.id, admission: ok(), conversation: true });
    h.side.receive({ type: 'speak', streamSid: STREAM, text: 'hello', kind: 'greeting', replyId: 'R1' });
    h.side.receive({ type: 'callEnded', callSid: CALL });
    h.side.receive({ type: 'speak', streamSid: STREAM, text: 'late', kind: 'answer', replyId: 'R2' });
    expect(h.of('outcome').map((o) => o.replyId)).toEqual(['R2']); // answered at once: nothing holds it any more
  });

  it('speak without a turn passes none', async () => {
    const h = setup();
    const { control } = await attached(h);
    h.side.receive({ type: 'speak', streamSid: STREAM, text: 'hi', kind: 'reprompt', replyId: 'R2' });
    expect(control.speak.mock.calls[0]![1]).toEqual({ kind: 'reprompt', replyId: 'R2' });
  });

  it('speak after the stream ended (onEnded) answers cancelled without calling the control', async () => {
    const h = setup();
    await admit(h);
    const { control } = fakeControl();
    h.side.attach(control)!.onEnded('stop');
    h.posted.length = 0;
    h.side.receive({ type: 'speak', streamSid: STREAM, text: 'hi', kind: 'answer', replyId: 'R3' });
    expect(control.speak).not.toHaveBeenCalled();
    expect(h.of('outcome')[0]!.outcome.status).toBe('cancelled');
  });

  it.each<[string, ToMedia, keyof ReturnType<typeof fakeControl>['control'], unknown[]]>([
    ['interrupt', { type: 'control', streamSid: STREAM, op: 'interrupt', trigger: 'transcript' }, 'interrupt', ['transcript']],
    ['pause', { type: 'control', streamSid: STREAM, op: 'pause', reason: 'barge-in' }, 'pause', ['barge-in']],
    ['resume', { type: 'control', streamSid: STREAM, op: 'resume' }, 'resume', []],
    ['close', { type: 'control', streamSid: STREAM, op: 'close', reason: 'goodbye' }, 'close', ['goodbye']],
  ])("'control' %s reaches the stream's control only", async (_name, message, method, args) => {
    const h = setup();
    const mine = await attached(h);
    await admit(h, { callSid: 'CA2', streamSid: 'MZ2' });
    const other = fakeControl('CA2', 'MZ2');
    h.side.attach(other.control);
    h.side.receive(message);
    const ops = ['interrupt', 'pause', 'resume', 'close'] as const;
    for (const op of ops) {
      if (op === method) expect(mine.control[op]).toHaveBeenCalledExactlyOnceWith(...args);
      else expect(mine.control[op]).not.toHaveBeenCalled();
      expect(other.control[op]).not.toHaveBeenCalled();
    }
  });

  it("'control' for a stream with no control is ignored", () => {
    const h = setup();
    expect(() => h.side.receive({ type: 'control', streamSid: 'MZ9', op: 'close', reason: 'x' })).not.toThrow();
    expect(h.posted).toEqual([]);
  });
});

describe('MediaSide: handoff, taps and the end of a call', () => {
  it("registry.get mirrors the 'handoff' status, undefined otherwise", () => {
    const h = setup();
    expect(h.side.registry.get(CALL)).toBeUndefined();
    h.side.receive({ type: 'handoff', callSid: CALL, status: 'dialing' });
    expect(h.side.registry.get(CALL)).toEqual({ handoff: { status: 'dialing' } });
    h.side.receive({ type: 'handoff', callSid: CALL, status: 'connected' });
    expect(h.side.registry.get(CALL)).toEqual({ handoff: { status: 'connected' } });
    expect(h.side.registry.get('CA2')).toBeUndefined();
  });

  it("taps post copies of the audio only while the call is listened; 'closed' always", () => {
    const h = setup();
    const tap = h.side.tap(CALL, STREAM);
    const audio = Uint8Array.from([1, 2, 3, 4]);
    tap.inbound(audio, 20, 100);
    tap.outbound(audio, 200);
    tap.cleared(300);
    expect(h.posted).toEqual([]);

    h.side.receive({ type: 'listen', callSid: CALL, on: true });
    tap.inbound(audio, 40, 110);
    audio.fill(9); // the session reuses its buffers
    tap.outbound(audio, 210);
    audio.fill(7);
    tap.cleared(310);
    h.side.tap('CA2', 'MZ2').inbound(audio, 0, 0); // another call, not listened
    expect(h.posted).toEqual([
      { type: 'tap', streamSid: STREAM, op: 'in', audio: Uint8Array.from([1, 2, 3, 4]), mediaMs: 40, at: 110 },
      { type: 'tap', streamSid: STREAM, op: 'out', audio: Uint8Array.from([9, 9, 9, 9]), playAt: 210 },
      { type: 'tap', streamSid: STREAM, op: 'cleared', at: 310 },
    ]);

    h.side.receive({ type: 'listen', callSid: CALL, on: false });
    tap.inbound(audio, 60, 120);
    tap.close();
    expect(h.posted.slice(3)).toEqual([{ type: 'closed', streamSid: STREAM }]);
  });

  it("'callEnded' clears listen-in, the handoff and the admission, and tells deps.callEnded", async () => {
    const h = setup();
    await admit(h, { startedAt: 5 });
    h.side.receive({ type: 'listen', callSid: CALL, on: true });
    h.side.receive({ type: 'handoff', callSid: CALL, status: 'accepted' });
    h.side.receive({ type: 'callEnded', callSid: CALL });
    expect(h.callEnded).toHaveBeenCalledExactlyOnceWith(CALL);
    expect(h.side.registry.get(CALL)).toBeUndefined();
    expect(h.side.startedAt(CALL)).toBeUndefined();
    expect(h.side.attach(fakeControl().control)).toBeNull();
    h.posted.length = 0;
    h.side.tap(CALL, STREAM).inbound(Uint8Array.from([1]), 0, 0);
    expect(h.posted).toEqual([]);
  });

  it("'partNotice' goes to deps.partNotice", () => {
    const h = setup();
    h.side.receive({ type: 'partNotice', token: 'tok', notice: { part: 2 } });
    expect(h.partNotice).toHaveBeenCalledExactlyOnceWith('tok', { part: 2 });
    expect(h.posted).toEqual([]);
  });

  it("'stop' is left to the entry: nothing posted", () => {
    const h = setup();
    h.side.receive({ type: 'stop' });
    expect(h.posted).toEqual([]);
  });
});
