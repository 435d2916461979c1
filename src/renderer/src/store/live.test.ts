import { beforeEach, describe, expect, it } from 'vitest';
import { call, ev, resetSeq, snapshot, pacingWindow } from '../test/factories';
import type { CallEvent, HostNotice } from '../../../shared/model';
import { callLoaded, compactPartials, initialLive, moveCursor, reduceMessage, selectCall, selectedCallOf, MAX_NOTICES, MAX_TIMELINE_EVENTS, type LiveState } from './live';

function withCalls(...calls: ReturnType<typeof call>[]): LiveState {
  return reduceMessage(initialLive, { kind: 'snapshot', snapshot: snapshot(calls) });
}

beforeEach(() => resetSeq());

describe('reduceMessage', () => {
  it('takes a snapshot: calls by callSid, newest first, health, settings, demo', () => {
    const s = withCalls(call('CA1', { startedAt: 1 }), call('CA3', { startedAt: 3 }), call('CA2', { startedAt: 2 }));
    expect(s.hasSnapshot).toBe(true);
    expect(s.order).toEqual(['CA3', 'CA2', 'CA1']);
    expect(s.health?.twiml.port).toBe(5000);
    expect(s.demo.enabled).toBe(true);
  });

  it.each([
    ['new newest call goes first', 10, ['CAnew', 'CA2', 'CA1']],
    ['new older call goes in its place', 1.5, ['CA2', 'CAnew', 'CA1']],
    ['new oldest call goes last', 0, ['CA2', 'CA1', 'CAnew']],
  ])('places a call: %s', (_name, startedAt, order) => {
    const s = reduceMessage(withCalls(call('CA1', { startedAt: 1 }), call('CA2', { startedAt: 2 })), { kind: 'call', call: call('CAnew', { startedAt }) });
    expect(s.order).toEqual(order);
  });

  it('an update to a known call keeps the same order array (no list re-render)', () => {
    const s = withCalls(call('CA1', { startedAt: 1 }), call('CA2', { startedAt: 2 }));
    const next = reduceMessage(s, { kind: 'call', call: call('CA1', { startedAt: 1, state: 'bot_speaking' }) });
    expect(next.order).toBe(s.order);
    expect(next.calls.CA1.state).toBe('bot_speaking');
    expect(next.calls.CA2).toBe(s.calls.CA2);
  });

  it('call.removed drops the call; an open one stays open read-only as last seen', () => {
    let s = withCalls(call('CA1', { startedAt: 1, state: 'ended' }), call('CA2', { startedAt: 2 }));
    s = selectCall(s, 'CA1', false);
    s = reduceMessage(s, { kind: 'call.removed', callSid: 'CA1' });
    expect(s.order).toEqual(['CA2']);
    expect(s.calls.CA1).toBeUndefined();
    expect(s.selected).toMatchObject({ callSid: 'CA1', readOnly: true, origin: 'live' });
    expect(selectedCallOf(s)?.state).toBe('ended');
    expect(s.cursor).toBe('CA2');
  });

  it('removing an unknown call changes nothing', () => {
    const s = withCalls(call('CA1'));
    expect(reduceMessage(s, { kind: 'call.removed', callSid: 'CAx' })).toBe(s);
  });

  it('appends live events of the open call only, not pacing, in seq order without duplicates', () => {
    let s = selectCall(withCalls(call('CA1'), call('CA2')), 'CA1', false);
    s = callLoaded(s, 'CA1', { call: call('CA1'), events: [] });
    const a = ev('CA1', { type: 'transcript', text: '안녕하세요', source: 'stream' });
    const other = ev('CA2', { type: 'transcript', text: 'x', source: 'stream' });
    const pacing = ev('CA1', { type: 'pacing', window: pacingWindow('MZ1', 0) });
    const b = ev('CA1', { type: 'bot.reply', text: '네', via: 'stream', replyId: 'r1' });
    for (const e of [a, other, pacing, b, a]) s = reduceMessage(s, { kind: 'event', event: e });
    expect(s.selected?.events.map((e) => e.seq)).toEqual([a.seq, b.seq]);
  });

  it('caps the timeline', () => {
    let s = callLoaded(selectCall(withCalls(call('CA1')), 'CA1', false), 'CA1', { call: call('CA1'), events: [] });
    for (let i = 0; i < MAX_TIMELINE_EVENTS + 5; i++) s = reduceMessage(s, { kind: 'event', event: ev('CA1', { type: 'dtmf', digit: '1' }) });
    expect(s.selected?.events).toHaveLength(MAX_TIMELINE_EVENTS);
    expect(s.selected?.events[0].seq).toBe(6);
  });
});

describe('transcription partials', () => {
  const partial = (text: string) => ev('CA1', { type: 'transcript.partial', text });
  const final = (text: string) => ev('CA1', { type: 'transcript', text, source: 'transcription' });
  const mark = () => ev('CA1', { type: 'mark', name: 'm', outcome: 'played' });
  const bargein = () => ev('CA1', { type: 'bargein', decision: 'resumed', verdict: 'backchannel', heardMs: 1, replyMs: 2 });
  const shape = (events: CallEvent[]) => events.map((e) => (e.type === 'transcript.partial' ? `p:${e.text}` : e.type === 'transcript' ? `f:${e.text}` : e.type));

  it.each([
    ['only the latest partial of the utterance in progress is kept', () => [partial('환'), partial('환불'), mark(), partial('환불 절차')], ['mark', 'p:환불 절차']],
    ['a final closes the utterance: its last partial stays, the next utterance starts its own', () => [partial('네'), final('네'), partial('그'), partial('그리고')], ['p:네', 'f:네', 'p:그리고']],
    ['a barge-in decision closes a pause: its partial stays', () => [partial('음'), bargein(), partial('그래서')], ['p:음', 'bargein', 'p:그래서']],
  ] as Array<[string, () => CallEvent[], string[]]>)('%s', (_name, make, expected) => {
    const events = make();
    let s = callLoaded(selectCall(withCalls(call('CA1')), 'CA1', false), 'CA1', { call: call('CA1'), events: [] });
    for (const e of events) s = reduceMessage(s, { kind: 'event', event: e });
    expect(shape(s.selected!.events)).toEqual(expected);
    // the same rule when a whole record is loaded
    expect(shape(compactPartials(events))).toEqual(expected);
  });

  it('a hundred partials leave one event in the timeline', () => {
    let s = callLoaded(selectCall(withCalls(call('CA1')), 'CA1', false), 'CA1', { call: call('CA1'), events: [] });
    for (let i = 0; i < 100; i++) s = reduceMessage(s, { kind: 'event', event: partial('가'.repeat(i + 1)) });
    expect(s.selected!.events).toHaveLength(1);
    expect(s.selected!.events[0]).toMatchObject({ text: '가'.repeat(100) });
  });

  it('a record full of partials loads compacted, and live partials that came while loading merge by the same rule', () => {
    let s = selectCall(withCalls(call('CA1')), 'CA1', false);
    const recorded = [partial('a'), partial('ab'), final('abc'), partial('d')];
    const live = partial('de');
    s = reduceMessage(s, { kind: 'event', event: live });
    s = callLoaded(s, 'CA1', { call: call('CA1'), events: recorded });
    expect(shape(s.selected!.events)).toEqual(['p:ab', 'f:abc', 'p:de']);
  });
});

describe('host notices', () => {
  const notice = (id: string, at: number, message = `n${id}`): HostNotice => ({ id, at, level: 'warn', source: 'media', message });
  it('come from the snapshot and from notice messages, newest last, each id once, capped', () => {
    let s = reduceMessage(initialLive, { kind: 'snapshot', snapshot: snapshot([], { notices: [notice('a', 1), notice('b', 2)] }) });
    expect(s.notices.map((n) => n.id)).toEqual(['a', 'b']);
    const same = reduceMessage(s, { kind: 'notice', notice: notice('a', 3, 'again') });
    expect(same).toBe(s);
    for (let i = 0; i < MAX_NOTICES + 5; i++) s = reduceMessage(s, { kind: 'notice', notice: notice(`x${i}`, 10 + i) });
    expect(s.notices).toHaveLength(MAX_NOTICES);
    expect(s.notices[MAX_NOTICES - 1].id).toBe(`x${MAX_NOTICES + 4}`);
  });
  it('a snapshot without notices (an older host) keeps what we had', () => {
    const s = reduceMessage({ ...initialLive, notices: [notice('a', 1)] }, { kind: 'snapshot', snapshot: snapshot([]) });
    expect(s.notices).toHaveLength(1);
  });
});

describe('selecting and loading a call', () => {
  it('keeps live events that arrive while loading and merges them after the record', () => {
    let s = selectCall(withCalls(call('CA1')), 'CA1', false);
    expect(s.selected).toMatchObject({ loading: true, origin: 'live' });
    const e1 = ev('CA1', { type: 'transcript', text: 'one', source: 'gather' });
    const e2 = ev('CA1', { type: 'transcript', text: 'two', source: 'gather' });
    const e3 = ev('CA1', { type: 'transcript', text: 'three', source: 'gather' });
    s = reduceMessage(s, { kind: 'event', event: e2 });
    s = reduceMessage(s, { kind: 'event', event: e3 });
    // the record already holds e1 and e2
    s = callLoaded(s, 'CA1', { call: call('CA1'), events: [e1, e2] });
    expect(s.selected?.loading).toBe(false);
    expect(s.selected?.events.map((e) => (e.type === 'transcript' ? e.text : ''))).toEqual(['one', 'two', 'three']);
    expect(s.selected?.pending).toEqual([]);
  });

  it('ignores a record for a call no longer selected', () => {
    let s = selectCall(withCalls(call('CA1'), call('CA2')), 'CA1', false);
    s = selectCall(s, 'CA2', false);
    const after = callLoaded(s, 'CA1', { call: call('CA1'), events: [] });
    expect(after).toBe(s);
  });

  it('a missing record leaves a not-found error, a failed one its message', () => {
    const s = selectCall(withCalls(call('CA1')), 'CA1', true);
    expect(callLoaded(s, 'CA1', null).selected).toMatchObject({ loading: false, error: 'not-found', origin: 'history', readOnly: true });
    expect(callLoaded(s, 'CA1', null, 'boom').selected?.error).toBe('boom');
  });

  it('history calls show the recorded call, live ones the fresher list copy', () => {
    let s = withCalls(call('CA1', { state: 'bot_speaking' }));
    s = callLoaded(selectCall(s, 'CA1', false), 'CA1', { call: call('CA1', { state: 'ringing' }), events: [] });
    expect(selectedCallOf(s)?.state).toBe('bot_speaking');
    s = callLoaded(selectCall(s, 'CAold', true), 'CAold', { call: call('CAold', { state: 'ended' }), events: [] });
    expect(selectedCallOf(s)?.callSid).toBe('CAold');
  });
});

describe('moveCursor', () => {
  const s = withCalls(call('CA1', { startedAt: 1 }), call('CA2', { startedAt: 2 }), call('CA3', { startedAt: 3 }));
  it.each([
    [null, 1, 'CA3'],
    [null, -1, 'CA1'],
    ['CA3', 1, 'CA2'],
    ['CA2', -1, 'CA3'],
    ['CA1', 1, 'CA1'],
    ['CA3', -1, 'CA3'],
  ])('from %s by %i lands on %s', (from, delta, to) => {
    expect(moveCursor({ ...s, cursor: from }, delta).cursor).toBe(to);
  });
  it('does nothing on an empty list', () => {
    expect(moveCursor(initialLive, 1)).toBe(initialLive);
  });
});
