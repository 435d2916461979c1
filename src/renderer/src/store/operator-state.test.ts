// ops: the call a demo opens by itself, and whether the bot is held, derived from state.
import { describe, expect, it } from 'vitest';
import { call, ev, resetSeq } from '../test/factories';
import { autoSelectCandidate, botMuted, initialLive, reduceMessage, selectCall } from './live';

describe('autoSelectCandidate', () => {
  const state = (calls: ReturnType<typeof call>[]) => {
    const s = { ...initialLive, calls: Object.fromEntries(calls.map((c) => [c.callSid, c])), order: calls.map((c) => c.callSid) };
    return s;
  };
  it.each<[string, ReturnType<typeof call>[], string | null]>([
    ['nothing live', [], null],
    ['only a Gather call', [call('CA1', { mode: 'gather' })], null],
    ['a stream not started yet', [call('CA1', { mode: 'stream' })], null],
    ['the newest live streamed call', [call('CA1', { mode: 'gather' }), call('CA2', { streamSid: 'MZ2' }), call('CA3', { streamSid: 'MZ3' })], 'CA2'],
    ['skips ended and handed-off calls', [call('CA1', { streamSid: 'MZ1', state: 'ended' }), call('CA2', { streamSid: 'MZ2', handoff: { status: 'dialing', source: 'operator', at: 1 } }), call('CA3', { streamSid: 'MZ3' })], 'CA3'],
  ])('%s', (_n, calls, expected) => expect(autoSelectCandidate(state(calls))).toBe(expected));
  it('never replaces what is open', () => {
    const s = selectCall(state([call('CA2', { streamSid: 'MZ2' })]), 'CA9', false);
    expect(autoSelectCandidate(s)).toBeNull();
  });
});

describe('botMuted', () => {
  it('follows the last bot.muted event', () => {
    resetSeq();
    expect(botMuted([])).toBe(false);
    const on = ev('CA1', { type: 'bot.muted', muted: true });
    const off = ev('CA1', { type: 'bot.muted', muted: false });
    expect(botMuted([on])).toBe(true);
    expect(botMuted([on, ev('CA1', { type: 'bot.reply', text: 'x', via: 'stream' })])).toBe(true);
    expect(botMuted([on, off])).toBe(false);
  });
});

describe('notices', () => {
  it('keeps each notice once, newest last, and takes the snapshot’s list', () => {
    const n = { id: 'n1', at: 1, level: 'error' as const, source: 'health' as const, message: 'TTS unreachable' };
    let s = reduceMessage(initialLive, { kind: 'notice', notice: n });
    s = reduceMessage(s, { kind: 'notice', notice: n });
    expect(s.notices).toEqual([n]);
  });
});
