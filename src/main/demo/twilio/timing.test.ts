import { describe, expect, it } from 'vitest';
import { speakingMs } from './timing';

describe('speakingMs', () => {
  it.each([
    ['', 0],
    ['안녕하세요', 769], // 5 syllables at 6.5/s
    ['안녕하세요.', 1019], // plus one pause
    ['주문 취소하고 싶어요', 1385], // 9 syllables, spaces are free
    ['ARS 1번', 615], // one Latin word (2) + one digit + 번 = 4 syllables
    ['...', 250],
  ])('%j takes %i ms', (text, ms) => {
    expect(speakingMs(text)).toBe(ms);
  });

  it('a typical Korean greeting takes a few seconds, scaled by the rate', () => {
    const greeting = '안녕하세요. 프론트도어 음성 안내입니다. 무엇을 도와드릴까요?';
    expect(speakingMs(greeting)).toBeGreaterThan(3000);
    expect(speakingMs(greeting)).toBeLessThan(6000);
    expect(speakingMs(greeting, 13)).toBeLessThan(speakingMs(greeting));
  });
});
