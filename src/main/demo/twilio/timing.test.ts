import { describe, expect, it } from 'vitest';
import { encodeMulawSample } from '../../tts/mulaw';
import { speakingMs, voicedMs } from './timing';

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

describe('voicedMs', () => {
  const tone = (ms: number) => Buffer.alloc(ms * 8, encodeMulawSample(8000));
  const hush = (ms: number, level = 8) => Buffer.alloc(ms * 8, encodeMulawSample(level));
  it.each([
    ['voice then 300 ms of silence', Buffer.concat([tone(1000), hush(300)]), 1000],
    ['voice to the end', tone(500), 500],
    ['a partial last frame of voice', Buffer.concat([hush(100), tone(10)]), 110],
    ['silence only', hush(400), 0],
    ['nothing', Buffer.alloc(0), 0],
  ])('%s', (_name, audio, ms) => {
    expect(voicedMs(audio)).toBe(ms);
  });
});
