import { describe, expect, it } from 'vitest';
import { CallRegistry, maskNumber } from './registry';

describe('CallRegistry', () => {
  it('stamps events in order, notifies listeners with the updated call, and sweeps ended calls after the linger time', () => {
    let now = 1000;
    const reg = new CallRegistry({ now: () => now, lingerMs: 100 });
    const seen: string[] = [];
    reg.onEvent((e, c) => seen.push(`${e.seq}:${e.type}:${c.state}`));
    const removed: string[] = [];
    reg.onRemoved((sid) => removed.push(sid));
    reg.apply('CA1', { type: 'call.started', from: '+1', to: '+2', fromMasked: '', toMasked: '', mode: 'gather', simulated: true });
    reg.apply('CA1', { type: 'call.ended', reason: 'completed' });
    expect(seen).toEqual(['1:call.started:in_conversation', '2:call.ended:ended']);
    expect(reg.eventsOf('CA1')).toHaveLength(2);
    now = 1050;
    expect(reg.sweep()).toEqual([]);
    now = 1100;
    expect(reg.sweep()).toEqual(['CA1']);
    expect(removed).toEqual(['CA1']);
    expect(reg.has('CA1')).toBe(false);
  });

  it('keeps going when a listener throws', () => {
    const reg = new CallRegistry();
    reg.onEvent(() => {
      throw new Error('bad listener');
    });
    let second = 0;
    reg.onEvent(() => second++);
    reg.apply('CA2', { type: 'dtmf', digit: '1' });
    expect(second).toBe(1);
  });

  it.each([
    ['+821012345678', '+82 10-••••-5678'],
    ['+82215881234', '+82 21-•••-1234'],
    ['+14155550123', '+1 41-••••-0123'],
    ['12345678', '12-••-5678'],
    ['5678123', '•••8123'],
    ['anonymous', 'anonymous'],
    ['client:alice', 'client:••••'],
    ['', ''],
  ])('masks %s as %s', (input, masked) => {
    expect(maskNumber(input)).toBe(masked);
  });
});

describe('CallRegistry memory (caps and stale calls)', () => {
  const started = { type: 'call.started', from: '+1', to: '+2', fromMasked: '', toMasked: '', mode: 'stream', simulated: true } as const;
  const window = { streamSid: 'MZ1', from: 0, to: 250, frames: 12, samples: [], latenessP50: 0, latenessP99: 0, latenessMax: 0, leadMs: 100, underruns: 0, marksSent: 0, marksPlayed: 0, marksCleared: 0 };

  it('a long call over the cap keeps every turn; pacing and marks go first, oldest first', () => {
    const reg = new CallRegistry({ maxEventsPerCall: 100 });
    reg.apply('CA1', started);
    for (let turn = 0; turn < 40; turn++) {
      reg.apply('CA1', { type: 'transcript', text: `turn ${turn}`, source: 'transcription', turn });
      reg.apply('CA1', { type: 'bot.reply', text: `answer ${turn}`, via: 'stream', turn });
      for (let i = 0; i < 20; i++) reg.apply('CA1', { type: 'pacing', window: { ...window, from: turn * 1000 + i } });
      reg.apply('CA1', { type: 'mark', name: `r${turn}:end`, outcome: 'played' });
    }
    reg.apply('CA1', { type: 'handoff', status: 'requested', source: 'keyword' });
    reg.apply('CA1', { type: 'alert', alert: { kind: 'agent_requested', at: 1, message: 'x' } });
    const events = reg.eventsOf('CA1');
    expect(events.length).toBeLessThanOrEqual(100);
    expect(events[0]?.type).toBe('call.started');
    expect(events.filter((e) => e.type === 'transcript')).toHaveLength(40);
    expect(events.filter((e) => e.type === 'bot.reply')).toHaveLength(40);
    expect(events.filter((e) => e.type === 'handoff' || e.type === 'alert')).toHaveLength(2);
    const pacing = events.filter((e) => e.type === 'pacing');
    expect(pacing.length).toBeGreaterThan(0);
    expect(pacing.at(-1)).toMatchObject({ window: { from: 39 * 1000 + 19 } }); // the newest detail stays
    const seqs = events.map((e) => e.seq);
    expect(seqs).toEqual([...seqs].sort((a, b) => a - b));
  });

  it('only turns left: the list grows past the cap rather than forget what was said', () => {
    const reg = new CallRegistry({ maxEventsPerCall: 100 });
    for (let i = 0; i < 150; i++) reg.apply('CA1', { type: 'transcript', text: `t${i}`, source: 'gather' });
    expect(reg.eventsOf('CA1')).toHaveLength(150);
  });

  it('closes a call with no event for staleMs as interrupted, then sweeps it out of memory', () => {
    let now = 0;
    const reg = new CallRegistry({ now: () => now, lingerMs: 1000, staleMs: 30 * 60_000 });
    const ended: Array<[string, string]> = [];
    reg.onEvent((e, c) => e.type === 'call.ended' && ended.push([e.callSid, `${c.state}:${String(c.interrupted)}`]));
    reg.apply('CAstale', started);
    reg.apply('CAlive', started);
    now = 29 * 60_000;
    reg.apply('CAlive', { type: 'dtmf', digit: '1' });
    expect(reg.sweep()).toEqual([]);
    now = 30 * 60_000;
    expect(reg.sweep()).toEqual([]);
    expect(ended).toEqual([['CAstale', 'ended:true']]);
    expect(reg.get('CAstale')).toMatchObject({ state: 'ended', interrupted: true, endReason: 'no events for 30 min: closed as interrupted' });
    expect(reg.get('CAlive')?.state).toBe('in_conversation');
    now += 1000;
    expect(reg.sweep()).toEqual(['CAstale']);
    expect(reg.has('CAstale')).toBe(false);
    expect(reg.eventsOf('CAstale')).toEqual([]);
  });
});
