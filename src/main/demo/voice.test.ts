import { describe, expect, it } from 'vitest';
import { createVoice, fallbackClip, loadClip, synthesise, synthesiserInstalled } from './voice';

describe('voice', () => {
  it('loads the bundled clips as raw mu-law (no RIFF header)', () => {
    const speech = loadClip('caller-speech');
    expect(speech.subarray(0, 4).toString('latin1')).not.toBe('RIFF');
    expect(speech.length).toBeGreaterThan(2 * 8000); // ~3 s of audio at 8 bytes/ms
    expect(loadClip('room-noise').length).toBeGreaterThan(2 * 8000);
  });

  it.each([
    ['저기요', 'caller', 'caller-speech'],
    ['상담원에게 연결해 드리겠습니다.', 'bot', 'ask-agent'],
    ['안녕하세요', 'bot', 'greeting'],
  ] as const)('falls back for %s (%s) to %s', (text, role, clip) => {
    expect(fallbackClip(text, role)).toBe(clip);
  });

  it('without a synthesiser speaks with the clips', async () => {
    const voice = await createVoice({ useSynthesiser: false });
    expect(voice.engine).toBe('clips');
    expect(await voice.speak('환불 받고 싶어요', 'caller')).toBe(loadClip('caller-speech'));
    expect(await voice.speak('안녕하세요', 'bot')).toBe(loadClip('greeting'));
  });

  it('with espeak-ng and sox speaks the text itself, cached by role and text', async (ctx) => {
    if (!(await synthesiserInstalled())) ctx.skip('espeak-ng or sox is not installed');
    const voice = await createVoice();
    expect(voice.engine).toBe('espeak-ng');
    const short = await voice.speak('네', 'caller');
    const long = await voice.speak('주문 취소하고 싶어요. 어제 주문했어요.', 'caller');
    expect(long.length).toBeGreaterThan(short.length);
    expect(long.subarray(0, 4).toString('latin1')).not.toBe('RIFF');
    expect(await voice.speak('네', 'caller')).toBe(short);
    expect(await voice.speak('네', 'bot')).not.toBe(short);
  });

  it('a synthesiser that hangs is stopped with a clear error', async (ctx) => {
    if (!(await synthesiserInstalled())) ctx.skip('espeak-ng or sox is not installed');
    // a zero timeout fires before two processes can start and finish
    await expect(synthesise('안녕하세요', 'caller', 0)).rejects.toThrow(/took longer than 0 ms/);
  });
});
