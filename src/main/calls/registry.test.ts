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
