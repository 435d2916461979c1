import { describe, expect, it } from 'vitest';
import type { BargeInPolicy } from './session';
import { noise, playing, setup, SID, speech } from './session-harness';

describe('MediaSession: barge-in', () => {
  async function speaking(policy: BargeInPolicy) {
    const t = setup({ bargeIn: policy });
    await playing(t, 1600, 1600, 16000);
    t.say(Buffer.alloc(8000, 0xff)); // 1 s of the bot talking, caller silent
    t.echo('r1:part0'); // part 0 heard; part 1's mark is sent and not yet echoed
    return t;
  }

  it('clear-and-gather: clear at once on caller speech, reply cancelled, utterance captured, stream closed when it ends', async () => {
    const t = await speaking('clear-and-gather');
    const before = t.sent.length;
    t.say(speech);
    const clearAt = t.sent.findIndex((m, i) => i >= before && (m as { event: string }).event === 'clear');
    expect(clearAt).toBeGreaterThan(-1);
    expect(t.sent[clearAt]).toStrictEqual({ event: 'clear', streamSid: SID });
    expect(t.sent.slice(clearAt + 1).some((m) => (m as { event: string }).event === 'media')).toBe(false);
    expect(t.replies[0]!.cancelled).toBe('barge-in');
    t.timers.flush();
    const b = t.ofType('bargein')[0]!;
    expect(b.detectionLatencyMs).toBeLessThanOrEqual(120);
    // 1 s of bot audio before the caller spoke, plus the ~100-140 ms until the speech was detected
    expect(b.heardMs).toBeGreaterThanOrEqual(1000);
    expect(b.heardMs).toBeLessThanOrEqual(1160);
    expect(b.replyMs).toBe(2400);
    expect(t.ofType('clear')[0]!.reason).toBe('barge-in');
    expect(t.closes).toEqual([]);
    t.echo('r1:part1');
    t.say(Buffer.alloc(8000, 0xff));
    t.timers.flush();
    expect(t.ofType('mark').find((e) => e.name === 'r1:part1' && e.outcome !== 'sent')?.outcome).toBe('cleared');
    expect(t.closes).toEqual([[1000, 'utterance-ended']]);
    expect(t.captured).toHaveLength(1);
    expect(t.captured[0]!.audio.length).toBeGreaterThan(speech.length * 0.8);
    expect(t.ofType('caller.speech').map((e) => e.state)).toEqual(['started', 'ended']);
    expect(t.ofType('tts.job').map((e) => e.status)).toEqual(['started', 'cancelled']);
  });

  it('clear: stops the reply and closes the stream at once', async () => {
    const t = await speaking('clear');
    t.say(speech.subarray(0, 2400));
    expect(t.sent.some((m) => (m as { event: string }).event === 'clear')).toBe(true);
    expect(t.closes).toEqual([[1000, 'barge-in']]);
  });

  it('off: speech is reported but the bot keeps talking', async () => {
    const t = await speaking('off');
    t.say(speech);
    t.timers.flush();
    expect(t.sent.some((m) => (m as { event: string }).event === 'clear')).toBe(false);
    expect(t.replies[0]!.cancelled).toBeNull();
    expect(t.ofType('caller.speech')[0]!.state).toBe('started');
  });

  it('room noise never clears the bot', async () => {
    const t = await speaking('clear-and-gather');
    t.say(noise);
    t.timers.flush();
    expect(t.sent.some((m) => (m as { event: string }).event === 'clear')).toBe(false);
    expect(t.ofType('bargein')).toHaveLength(0);
  });
});
