import { describe, expect, it } from 'vitest';
import { isBackchannel } from './backchannel';

describe('isBackchannel', () => {
  it.each([
    ['네', true],
    ['네.', true],
    ['네네', true],
    ['네 네', true],
    ['음', true],
    ['아, 네', true],
    ['예 그렇죠', true],
    ['음음음', true],
    ['네, 알겠어요', true],
    ['', false],
    ['네 취소해 주세요', false],
    ['아니요', false],
    ['상담원', false],
    ['음 배송 문의요', false],
    ['네네네네네네네네네네네', false], // a run this long is not a nod
    ['hello', false],
  ])('%j → %s', (text, expected) => {
    expect(isBackchannel(text)).toBe(expected);
  });
});
