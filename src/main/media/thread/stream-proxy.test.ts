// The main thread's StreamControl for a stream in the media thread, with a recording `send`: commands wait for
// ready() and keep their order, speak() answers with a handle the media thread's messages settle, replying() follows
// the pending replies, abandon() cancels them all, and the control commands carry the streamSid.
import { describe, expect, it } from 'vitest';
import type { ReplyOutcome, ReplyTimes } from '../reply-tracker';
import type { ToMedia } from './protocol';
import { StreamProxy } from './stream-proxy';

const CALL = 'CA00000000000000000000000000000001';
const STREAM = 'MZ00000000000000000000000000000001';

function setup(ready = true) {
  const sent: ToMedia[] = [];
  const proxy = new StreamProxy(CALL, STREAM, (m) => sent.push(m));
  if (ready) proxy.ready();
  return { sent, proxy };
}

/** Whether `p` has settled once pending handlers ran (its value, or 'pending'). */
async function peek<T>(p: Promise<T>): Promise<T | 'pending'> {
  return Promise.race([p, new Promise<'pending'>((r) => setImmediate(() => r('pending')))]);
}

const played: ReplyOutcome = { status: 'played', heardMs: 1200, replyMs: 1200, pausedMs: 0 };

describe('StreamProxy', () => {
  it('queues commands until ready(), sends them in order then, and later ones at once', () => {
    const { sent, proxy } = setup(false);
    expect(proxy.callSid).toBe(CALL);
    expect(proxy.streamSid).toBe(STREAM);
    proxy.speak('hello', { kind: 'greeting', replyId: 'R1', turn: 0 });
    proxy.pause('barge-in');
    proxy.resume();
    expect(sent).toEqual([]);
    proxy.ready();
    expect(sent).toEqual([
      { type: 'speak', streamSid: STREAM, text: 'hello', kind: 'greeting', replyId: 'R1', turn: 0 },
      { type: 'control', streamSid: STREAM, op: 'pause', reason: 'barge-in' },
      { type: 'control', streamSid: STREAM, op: 'resume' },
    ]);
    proxy.interrupt('vad');
    expect(sent.slice(3)).toEqual([{ type: 'control', streamSid: STREAM, op: 'interrupt', trigger: 'vad' }]);
    proxy.ready(); // a second ready() sends nothing again
    expect(sent).toHaveLength(4);
  });

  it('speak() keeps a given replyId and makes a fresh one otherwise; the message carries it', () => {
    const { sent, proxy } = setup();
    const given = proxy.speak('one', { kind: 'answer', replyId: 'Rmine' });
    const a = proxy.speak('two', { kind: 'answer', turn: 2 });
    const b = proxy.speak('three', { kind: 'answer' });
    expect(given.replyId).toBe('Rmine');
    expect(a.replyId).toMatch(/^R[0-9a-f]{10}$/);
    expect(b.replyId).not.toBe(a.replyId);
    expect(sent).toEqual([
      { type: 'speak', streamSid: STREAM, text: 'one', kind: 'answer', replyId: 'Rmine' },
      { type: 'speak', streamSid: STREAM, text: 'two', kind: 'answer', replyId: a.replyId, turn: 2 },
      { type: 'speak', streamSid: STREAM, text: 'three', kind: 'answer', replyId: b.replyId },
    ]);
    expect(sent[0]).not.toHaveProperty('turn');
  });

  it('replying() is true until the outcome of every reply arrived', async () => {
    const { proxy } = setup();
    expect(proxy.replying()).toBe(false);
    const a = proxy.speak('a', { kind: 'answer' });
    const b = proxy.speak('b', { kind: 'answer' });
    expect(proxy.replying()).toBe(true);
    const replaced: ReplyOutcome = { status: 'cancelled', reason: 'replaced', heardMs: 0, replyMs: 0, pausedMs: 0 };
    proxy.outcome(a.replyId, replaced);
    expect(proxy.replying()).toBe(true);
    expect(await a.outcome).toEqual(replaced);
    expect(await peek(b.outcome)).toBe('pending');
    proxy.outcome(b.replyId, played);
    expect(proxy.replying()).toBe(false);
    expect(await b.outcome).toEqual(played);
  });

  it('firstFrame(replyId, times) resolves that handle only', async () => {
    const { proxy } = setup();
    const a = proxy.speak('a', { kind: 'answer' });
    const b = proxy.speak('b', { kind: 'answer' });
    const times: ReplyTimes = { ttsJobAt: 10, firstFrameAt: 20, heardAt: 30 };
    proxy.firstFrame(b.replyId, times);
    expect(await b.firstFrame).toEqual(times);
    expect(await peek(a.firstFrame)).toBe('pending');
    expect(proxy.replying()).toBe(true); // the first frame is not the outcome
  });

  it('messages for an unknown replyId are ignored', async () => {
    const { proxy } = setup();
    const a = proxy.speak('a', { kind: 'answer' });
    proxy.outcome('Rnobody', played);
    proxy.firstFrame('Rnobody', {});
    expect(proxy.replying()).toBe(true);
    expect(await peek(a.outcome)).toBe('pending');
    expect(await peek(a.firstFrame)).toBe('pending');
  });

  it('abandon(reason) cancels every pending reply with that reason; later outcomes change nothing', async () => {
    const { proxy } = setup();
    const a = proxy.speak('a', { kind: 'answer' });
    const b = proxy.speak('b', { kind: 'answer' });
    const done = proxy.speak('c', { kind: 'answer' });
    proxy.outcome(done.replyId, played);
    proxy.abandon('media thread exited');
    expect(proxy.replying()).toBe(false);
    const cancelled: ReplyOutcome = { status: 'cancelled', reason: 'media thread exited', heardMs: 0, replyMs: 0, pausedMs: 0 };
    expect(await a.outcome).toEqual(cancelled);
    expect(await b.outcome).toEqual(cancelled);
    expect(await done.outcome).toEqual(played);
    proxy.outcome(a.replyId, played);
    expect(await a.outcome).toEqual(cancelled);
    expect(proxy.replying()).toBe(false);
  });

  it.each<[string, (p: StreamProxy) => void, ToMedia]>([
    [
      'interrupt',
      (p) => p.interrupt('transcript'),
      { type: 'control', streamSid: STREAM, op: 'interrupt', trigger: 'transcript' },
    ],
    ['pause', (p) => p.pause('barge-in'), { type: 'control', streamSid: STREAM, op: 'pause', reason: 'barge-in' }],
    ['resume', (p) => p.resume(), { type: 'control', streamSid: STREAM, op: 'resume' }],
    ['close', (p) => p.close('goodbye'), { type: 'control', streamSid: STREAM, op: 'close', reason: 'goodbye' }],
  ])("%s sends one 'control' message with the streamSid", (_name, act, message) => {
    const { sent, proxy } = setup();
    act(proxy);
    expect(sent).toEqual([message]);
  });
});
