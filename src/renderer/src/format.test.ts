import { describe, expect, it } from 'vitest';
import { callDuration, displayNumber, formatDuration, formatMs, formatPhone } from './format';

describe('format', () => {
  it.each([
    [0, '0:00'],
    [7_900, '0:07'],
    [134_000, '2:14'],
    [3_723_000, '1:02:03'],
    [-5, '0:00'],
  ])('duration %i → %s', (ms, text) => expect(formatDuration(ms)).toBe(text));
  it.each([
    [312.4, '312 ms'],
    [1400, '1.4 s'],
    [12_400, '12 s'],
    [undefined, '—'],
    [Number.NaN, '—'],
  ])('ms %s → %s', (ms, text) => expect(formatMs(ms)).toBe(text));
  it('duration runs to now, or to the end', () => {
    expect(callDuration({ startedAt: 1000 }, 5000)).toBe(4000);
    expect(callDuration({ startedAt: 1000, endedAt: 2000 }, 5000)).toBe(1000);
  });
  it('masks in presentation mode, falling back to masking digits itself', () => {
    expect(displayNumber({ from: '+821055501234', fromMasked: '+82 ••••••1234' }, false)).toBe('+82 10-5550-1234');
    expect(displayNumber({ from: '+821055501234', fromMasked: '+82 ••••••1234' }, true)).toBe('+82 ••••••1234');
    expect(displayNumber({ from: '+821055501234', fromMasked: '' }, true)).toBe('+••••••••1234');
  });
});

describe('formatPhone', () => {
  it.each([
    ['+821055501234', '+82 10-5550-1234'],
    ['+8225551234', '+82 2-555-1234'],
    ['+82215881234', '+82 2-1588-1234'],
    ['+827055500100', '+82 70-5550-0100'],
    ['+14155550123', '+1 415-555-0123'],
    ['+442071234567', '+442071234567'],
    ['anonymous', 'anonymous'],
  ])('%s → %s', (input, shown) => {
    expect(formatPhone(input)).toBe(shown);
  });
});
