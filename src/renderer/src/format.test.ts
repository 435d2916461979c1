import { describe, expect, it } from 'vitest';
import { callDuration, displayNumber, formatDuration, formatMs } from './format';

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
    expect(displayNumber({ from: '+821055501234', fromMasked: '+82 ••••••1234' }, false)).toBe('+821055501234');
    expect(displayNumber({ from: '+821055501234', fromMasked: '+82 ••••••1234' }, true)).toBe('+82 ••••••1234');
    expect(displayNumber({ from: '+821055501234', fromMasked: '' }, true)).toBe('+••••••••1234');
  });
});
