import { describe, expect, it } from 'vitest';
import type { BargeInPolicy } from './session';
import { noise, partAudio, playing, setup, SID, speech, tick } from '../../../test/helpers/session-harness';
import type { StreamControl } from './session';

describe('MediaSession: barge-in', () => {
  async function speaking(policy: BargeInPolicy) {
    const t = setup({ bargeIn: policy });
    await playing(t, 1600, 1600, 16000);
    t.say(Buffer.alloc(8000, 0xff)); // 1 s of the bot talking, caller silent
    t.echo('r1:part0'); // part 0 heard; part 1's mark is sent and not yet echoed
    return t;
  }

  it('a stream with no conversation: clear at once on caller speech, reply cancelled, stream closed (the <Gather> hears the rest)', async () => {
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
    expect(b.decision).toBe('interrupted');
    expect(b.detectionLatencyMs).toBeLessThanOrEqual(120);
    // 1 s of bot audio before the caller spoke, plus the ~100-140 ms until the speech was detected
    expect(b.heardMs).toBeGreaterThanOrEqual(1000);
    expect(b.heardMs).toBeLessThanOrEqual(1160);
    expect(b.replyMs).toBe(2400);
    expect(t.ofType('clear')[0]!.reason).toBe('barge-in');
    expect(t.closes).toEqual([[1000, 'barge-in']]);
    expect(t.ofType('stream.stopped').map((e) => e.reason)).toEqual(['barge-in']);
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

describe('MediaSession in a conversation: yield fast, commit slow', () => {
  /** A conversation that speaks one 2.4 s reply (three parts) as soon as the stream starts. */
  async function conversing(minSpeechMs = 450) {
    let control: StreamControl | null = null;
    const heard: string[] = [];
    const t = setup({
      text: null,
      minSpeechMs,
      attach: (c) => {
        control = c;
        c.speak('안녕하세요', { kind: 'greeting', turn: 0 });
        return { onSpeech: (e) => heard.push(e.type), onEnded: () => undefined };
      },
    });
    t.start();
    const reply = t.replies[0]!;
    reply.start();
    await tick();
    [6400, 6400, 6400].forEach((bytes, n) => reply.deliver(n, partAudio(n, bytes), t.timers.t));
    reply.complete();
    await tick();
    // Twilio's side, modelled independently of the host: frames play back to back from their arrival; a clear
    // drops every frame that has not finished playing when it arrives. Echo marks as their audio finishes.
    const played: Buffer[] = [];
    let endsAt = 0;
    let pending: Array<{ frame: Buffer; endsAt: number }> = [];
    let pendingMarks: Array<{ name: string; at: number }> = [];
    let seen = 0;
    const twilio = () => {
      for (; seen < t.sent.length; seen++) {
        const m = t.sent[seen] as { event: string; media?: { payload: string }; mark?: { name: string } };
        const at = t.sentAt[seen]!;
        if (m.event === 'media') {
          endsAt = Math.max(at, endsAt) + 20;
          pending.push({ frame: Buffer.from(m.media!.payload, 'base64'), endsAt });
        } else if (m.event === 'mark') pendingMarks.push({ name: m.mark!.name, at: Math.max(endsAt, at) });
        else if (m.event === 'clear') {
          while (pending.length && pending[0]!.endsAt <= at) played.push(pending.shift()!.frame);
          pending = [];
          endsAt = at;
          const cleared = pendingMarks;
          pendingMarks = [];
          for (const mk of cleared) t.echo(mk.name);
        }
      }
      while (pending.length && pending[0]!.endsAt <= t.timers.t) played.push(pending.shift()!.frame);
      const due = pendingMarks.filter((mk) => mk.at <= t.timers.t);
      pendingMarks = pendingMarks.filter((mk) => mk.at > t.timers.t);
      for (const mk of due) t.echo(mk.name);
    };
    /** Caller audio frame by frame, Twilio's side kept up to date. */
    const say = (audio: Buffer) => {
      for (let at = 0; at < audio.length; at += 160) {
        t.say(audio.subarray(at, at + 160));
        twilio();
      }
    };
    const whole = Buffer.concat([partAudio(0, 6400), partAudio(1, 6400), partAudio(2, 6400)]);
    return { t, say, played, whole, heard, control: () => control!, reply };
  }

  it('a short sound pauses the reply (clear) and it resumes from exactly where the caller stopped hearing it', async () => {
    const c = await conversing();
    c.say(Buffer.alloc(4000, 0xff)); // 0.5 s of the bot talking
    c.say(speech.subarray(0, 2400)); // ~0.25 s of speech after 40 ms of silence: a backchannel
    expect(c.t.sent.some((m) => (m as { event: string }).event === 'clear')).toBe(true);
    c.say(Buffer.alloc(8 * 4000, 0xff)); // silence until the reply has played out
    c.t.timers.flush();
    const decisions = c.t.ofType('bargein');
    expect(decisions.map((b) => b.decision)).toEqual(['paused', 'resumed']);
    expect(decisions[1]).toMatchObject({ verdict: 'backchannel', trigger: 'vad' });
    expect(decisions[1]!.pauseMs).toBeGreaterThan(0);
    expect(decisions[1]!.speechMs).toBeLessThan(450);
    // what the caller heard: the whole reply, in order, nothing lost or repeated (then the last frame's padding)
    const heard = Buffer.concat(c.played);
    expect(heard.length).toBe(c.whole.length);
    expect(heard.equals(c.whole)).toBe(true);
    expect(c.reply.cancelled).toBeNull();
    // every mark ends up played, the end mark last
    const played = c.t.ofType('mark').filter((m) => m.outcome === 'played').map((m) => m.name.split(':')[1]);
    expect(new Set(played)).toEqual(new Set(['part0', 'part1', 'part2', 'end']));
    expect(played.at(-1)).toBe('end');
    expect(c.heard).toEqual(['speech-start', 'speech-end']);
  });

  it('speech that lasts BARGE_IN_MIN_SPEECH_MS interrupts: reply cancelled, what was heard recorded, stream kept open', async () => {
    const c = await conversing(300);
    c.say(Buffer.alloc(4000, 0xff));
    c.say(speech);
    c.say(Buffer.alloc(4000, 0xff));
    c.t.timers.flush();
    const decisions = c.t.ofType('bargein');
    expect(decisions.map((b) => b.decision)).toEqual(['paused', 'interrupted']);
    expect(decisions[1]).toMatchObject({ trigger: 'vad', verdict: 'speech', speechMs: 300 });
    expect(decisions[1]!.heardMs).toBeGreaterThanOrEqual(500);
    expect(decisions[1]!.heardMs).toBeLessThanOrEqual(700);
    expect(c.reply.cancelled).toBe('barge-in');
    expect(c.t.ofType('tts.job').map((e) => e.status)).toEqual(['started', 'cancelled']);
    expect(c.t.closes).toEqual([]);
    expect(c.heard).toContain('speech-confirmed');
    // the conversation can answer on the same stream
    c.control().speak('네, 말씀하세요', { kind: 'answer', turn: 1 });
    expect(c.t.replies).toHaveLength(2);
  });

  it('feeds the MediaTaps: caller audio with media time and arrival, bot frames with their play time, the clear, the close', async () => {
    const got = { inbound: 0, inboundMs: [] as number[], outbound: [] as number[], cleared: [] as number[], closed: 0, asked: [] as string[] };
    const t = setup({
      taps: (callSid, streamSid) => {
        got.asked.push(`${callSid}/${streamSid}`);
        return [{ inbound: (_a, mediaMs) => void (got.inbound++, got.inboundMs.push(mediaMs)), outbound: (_a, playAt) => void got.outbound.push(playAt), cleared: (at) => void got.cleared.push(at), close: () => void got.closed++ }];
      },
    });
    await playing(t, 1600, 1600);
    t.say(Buffer.alloc(1600, 0xff));
    t.say(speech.subarray(0, 4000));
    t.session.end('test');
    expect(got.asked).toHaveLength(1);
    expect(got.inbound).toBeGreaterThan(10);
    expect(got.inboundMs.slice(0, 3)).toEqual([0, 20, 40]);
    expect(got.outbound.length).toBeGreaterThan(5);
    // consecutive frames of a segment play 20 ms apart
    expect(got.outbound[1]! - got.outbound[0]!).toBe(20);
    expect(got.cleared).toHaveLength(1);
    expect(got.closed).toBe(1);
  });

  it('the conversation can hold a reply and carry on: nothing lost or repeated', async () => {
    const c = await conversing();
    c.say(Buffer.alloc(4000, 0xff));
    c.control().pause('operator-hold');
    c.say(Buffer.alloc(4000, 0xff));
    expect(c.t.sent.filter((m) => (m as { event: string }).event === 'clear')).toHaveLength(1);
    c.control().resume();
    c.say(Buffer.alloc(8 * 4000, 0xff));
    c.t.timers.flush();
    expect(Buffer.concat(c.played).equals(c.whole)).toBe(true);
    expect(c.t.ofType('clear').map((e) => e.reason)).toEqual(['operator-hold']);
    expect(c.t.ofType('bargein')).toHaveLength(0);
  });
});
