// Where an operator's Say / Mute goes (stream hook or REST Gather) and what text is accepted: the pure rules.
import { describe, expect, it } from 'vitest';
import type { Call, CallEvent, CallEventBody } from '../../shared/model';
import { MAX_SAY_CHARS, operatorRoute, sayText, streamOpen } from './operator';

let seq = 0;
const ev = (body: CallEventBody): CallEvent => ({ ...body, callSid: 'CA1', at: ++seq, seq }) as CallEvent;
const call = (patch: Partial<Call> = {}): Call => ({
  callSid: 'CA1', from: '', to: '', fromMasked: '', toMasked: '', simulated: false, mode: 'gather', state: 'in_conversation', startedAt: 0, alerts: [], ...patch,
});
const started = ev({ type: 'stream.started', streamSid: 'MZ1', customParameters: {} });
const stopped = ev({ type: 'stream.stopped', streamSid: 'MZ1', reason: 'barge-in' });
const reply = ev({ type: 'bot.reply', text: '네', via: 'stream' });

describe('streamOpen', () => {
  it.each<[string, CallEvent[], boolean]>([
    ['no stream', [reply], false],
    ['started', [started, reply], true],
    ['started then stopped', [started, reply, stopped], false],
    ['started again', [started, stopped, started], true],
  ])('%s', (_n, events, open) => expect(streamOpen(events)).toBe(open));
});

describe('operatorRoute', () => {
  it.each<[string, Call | undefined, CallEvent[], string]>([
    ['unknown call', undefined, [], 'Unknown call'],
    ['ended', call({ state: 'ended' }), [], 'The call has already ended'],
    ['handing off', call({ state: 'handing_off' }), [started], 'The call is being handed to an agent'],
    ['with agent', call({ state: 'with_agent' }), [], 'The call is being handed to an agent'],
    ['Gather call', call(), [], 'gather'],
    ['live stream', call({ mode: 'stream', streamSid: 'MZ1' }), [started], 'stream'],
    ['stream ended, Gather after it', call({ mode: 'stream', streamSid: 'MZ1' }), [started, stopped], 'gather'],
  ])('%s', (_n, c, events, expected) => {
    const r = operatorRoute(c, events);
    expect(r.route === 'refused' ? r.message : r.route).toBe(expected);
  });
});

describe('sayText', () => {
  it.each<[unknown, string]>([
    ['  안녕하세요\n 고객님  ', '안녕하세요 고객님'],
    ['잠시만요', '잠시만요'],
  ])('keeps %j as %j', (input, out) => expect(sayText(input)).toEqual({ text: out }));
  it.each<[unknown, RegExp]>([
    ['', /Type what to say/],
    ['   \n', /Type what to say/],
    [42, /Type what to say/],
    ['가'.repeat(MAX_SAY_CHARS + 1), /at most 400/],
  ])('refuses %j', (input, why) => expect((sayText(input) as { error: string }).error).toMatch(why));
});
