// Listen-in fan-out with a fake clock: nothing kept while nobody listens, both legs batched to the asking subscriber
// only, bot audio released when played and never after a clear, and every way listening ends.
import { describe, expect, it } from 'vitest';
import type { ConsoleMessage } from '../../shared/api';
import { FakeTimers } from '../../../test/helpers/fake-timers';
import { ListenHub } from './listen';

type Audio = Extract<ConsoleMessage, { kind: 'audio' }>;

function setup() {
  const timers = new FakeTimers(1_000_000);
  const hub = new ListenHub({ now: timers.now, timers, batchMs: 100 });
  const got: ConsoleMessage[] = [];
  const other: ConsoleMessage[] = [];
  const sub = (m: ConsoleMessage) => got.push(m);
  const stranger = (m: ConsoleMessage) => other.push(m);
  const audio = () => got.filter((m): m is Audio => m.kind === 'audio');
  const bytes = (leg: 'caller' | 'bot') => Buffer.concat(audio().filter((m) => m.leg === leg).map((m) => Buffer.from(m.payload, 'base64')));
  return { timers, hub, got, other, sub, stranger, audio, bytes };
}

/** 20 ms of the call: one caller frame in, one bot frame sent `lead` ms ahead. */
function frame(h: ReturnType<typeof setup>, tap: ReturnType<ListenHub['tap']>, i: number, lead = 100) {
  const t = h.timers.now();
  tap.inbound(Buffer.alloc(160, 0x10 + (i % 8)), i * 20, t);
  tap.outbound(Buffer.alloc(160, 0x40 + (i % 8)), t + lead);
  h.timers.advance(20);
}

describe('ListenHub', () => {
  it('keeps nothing and arms no timer while nobody listens', () => {
    const h = setup();
    const tap = h.hub.tap('CA1');
    for (let i = 0; i < 10; i++) frame(h, tap, i);
    expect(h.timers.size).toBe(0);
    h.hub.listen(h.sub, 'CA1', true);
    h.timers.advance(100);
    expect(h.audio()).toEqual([]); // what came before the listen is gone
  });

  it('sends both legs in ~100 ms batches to the asking subscriber only; the bot as played', () => {
    const h = setup();
    const tap = h.hub.tap('CA1');
    h.hub.tap('CA2');
    h.hub.listen(h.stranger, 'CA2', true);
    h.hub.listen(h.sub, 'CA1', true);
    expect(h.got[0]).toEqual({ kind: 'listen', callSid: 'CA1', listening: true });
    const t0 = h.timers.now();
    for (let i = 0; i < 25; i++) frame(h, tap, i); // 500 ms
    const caller = h.audio().filter((m) => m.leg === 'caller');
    const bot = h.audio().filter((m) => m.leg === 'bot');
    expect(caller.length).toBeGreaterThanOrEqual(4);
    expect(caller.length).toBeLessThanOrEqual(6);
    expect(caller.map((m) => m.seq)).toEqual(caller.map((_, i) => i));
    expect(caller[0]!.at).toBe(t0);
    expect(h.bytes('caller').length).toBe(25 * 160);
    // bot frames sent 100 ms ahead: only those that finished playing (playAt + 20 <= now) have been sent
    expect(bot[0]!.at).toBe(t0 + 100);
    // the last tick ran at t0 + 500: the bot audio played from t0 + 100 until then, no more
    expect(h.timers.now()).toBe(t0 + 500);
    expect(h.bytes('bot').length).toBe(400 * 8);
    expect(h.other.filter((m) => m.kind === 'audio')).toEqual([]); // CA2 had no audio; CA1's never reaches it
  });

  it('a clear drops the bot audio not yet played', () => {
    const h = setup();
    const tap = h.hub.tap('CA1');
    h.hub.listen(h.sub, 'CA1', true);
    const t0 = h.timers.now();
    for (let i = 0; i < 10; i++) frame(h, tap, i); // bot sent up to t0 + 300, played from t0 + 100
    tap.cleared(h.timers.now()); // at t0 + 200: 100 ms of it was played
    h.timers.advance(1000);
    expect(h.bytes('bot').length).toBe(100 * 8);
    expect(t0 + 200).toBe(h.timers.now() - 1000);
  });

  it('stops on the operator, a dropped subscriber, the end of the call, and the host stop', () => {
    const h = setup();
    const tap = h.hub.tap('CA1');
    h.hub.listen(h.sub, 'CA1', true);
    h.hub.listen(h.sub, 'CA1', false);
    expect(h.got.at(-1)).toEqual({ kind: 'listen', callSid: 'CA1', listening: false, reason: 'operator' });
    frame(h, tap, 0);
    h.timers.advance(200);
    expect(h.audio()).toEqual([]);
    expect(h.timers.size).toBe(0);

    h.hub.listen(h.sub, 'CA1', true);
    h.hub.drop(h.sub);
    expect(h.hub.listening('CA1')).toBe(false);

    h.hub.listen(h.sub, 'CA1', true);
    frame(h, tap, 1);
    h.hub.callEnded('CA1');
    expect(h.audio().map((m) => m.leg)).toEqual(['caller']); // flushed first
    expect(h.got.at(-1)).toEqual({ kind: 'listen', callSid: 'CA1', listening: false, reason: 'call ended' });
    tap.inbound(Buffer.alloc(160), 40, h.timers.now());
    h.timers.advance(200);
    expect(h.audio()).toHaveLength(1);

    h.hub.tap('CA3');
    h.hub.listen(h.sub, 'CA3', true);
    h.hub.stop();
    expect(h.got.at(-1)).toEqual({ kind: 'listen', callSid: 'CA3', listening: false, reason: 'host stopped' });
    expect(h.timers.size).toBe(0);
  });
});
