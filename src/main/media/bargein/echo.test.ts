import { describe, expect, it } from 'vitest';
import { encodeMulaw } from '../../tts/mulaw';
import { EchoGuard, pearson } from './echo';

/** A syllable-like envelope: 8 kHz tone bursts of varying loudness, 1 s. */
function botSpeech(seconds: number): Int16Array {
  const x = new Int16Array(8000 * seconds);
  for (let i = 0; i < x.length; i++) {
    const syll = Math.floor(i / 1200);
    const env = Math.max(0, Math.sin((Math.PI * (i % 1200)) / 1200)) * (0.3 + 0.7 * ((syll * 37) % 10) / 10);
    x[i] = Math.round(8000 * env * Math.sin((2 * Math.PI * 220 * i) / 8000));
  }
  return x;
}

/** Feed `bot` as outbound at host 0 and return a function that feeds inbound bins (amplitudes) from host time t. */
function rig(seconds = 3) {
  const g = new EchoGuard();
  const bot = botSpeech(seconds);
  g.outbound(encodeMulaw(bot), 0);
  const amp = (from: number) => {
    let s = 0;
    for (let i = from; i < from + 160 && i < bot.length; i++) s += bot[i]! * bot[i]!;
    return Math.sqrt(s / 160);
  };
  return { g, amp };
}

describe('EchoGuard', () => {
  it('finds the delay and gain of an echo (200 ms, -12 dB) and explains it', () => {
    const { g, amp } = rig();
    const gain = 10 ** (-12 / 20);
    let standOut = 0;
    for (let t = 0; t < 3000; t += 20) {
      const echo = t >= 200 ? amp((t - 200) * 8) * gain : 0;
      if (g.inbound(t, echo + 5) && t > 1000 && echo > 50) standOut++;
    }
    expect(g.estimate).toMatchObject({ kind: 'echo', lagMs: 200 });
    if (g.estimate.kind === 'echo') expect(g.estimate.gain).toBeCloseTo(gain, 1);
    expect(standOut).toBe(0);
  });

  it('the caller talking over the echo stands out (double talk)', () => {
    const { g, amp } = rig();
    for (let t = 0; t < 1500; t += 20) g.inbound(t, amp(Math.max(0, t - 120) * 8) * 0.3 + 5);
    g.frozen = true;
    let out = 0;
    for (let t = 1500; t < 2000; t += 20) if (g.inbound(t, amp((t - 120) * 8) * 0.3 + 1500)) out++;
    expect(out).toBe(25);
  });

  it('with no echo on the line it concludes "none" once it has heard enough of the bot, and expects nothing', () => {
    const { g } = rig();
    expect(g.expected(500)).toBeGreaterThan(0); // prior
    for (let t = 0; t < 1500; t += 20) g.inbound(t, 5 + ((t * 7) % 13));
    expect(g.estimate.kind).toBe('none');
    expect(g.expected(1600)).toBe(0);
  });

  it('a clear drops the outbound audio that will not be played', () => {
    const { g } = rig();
    expect(g.outAmp(1500)).toBeGreaterThan(0);
    g.cleared(1000);
    expect(g.outAmp(1500)).toBe(0);
    expect(g.outAmp(900)).toBeGreaterThan(0);
  });

  it('pearson', () => {
    expect(pearson([1, 2, 3], [2, 4, 6])).toBeCloseTo(1);
    expect(pearson([1, 2, 3], [3, 2, 1])).toBeCloseTo(-1);
    expect(pearson([1, 1, 1], [1, 2, 3])).toBe(0);
  });
});
