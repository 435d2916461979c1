import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { CallEvent } from '../../shared/model';
import { CallRegistry } from '../calls/registry';
import { silentLogger } from '../log';
import { parseWav } from '../tts/wav';
import { TtsError, type AudioPart, type ReplyAudio, type TtsPipeline } from '../tts/types';
import type { CallerAudio } from './capture';
import { FakeTimers } from './fake-timers';
import { createPacer } from './pacer';
import { MediaSession, type BargeInPolicy } from './session';

const SID = 'MZ' + 'f'.repeat(32);
const CALL = 'CA' + '1'.repeat(32);
const RES = join(__dirname, '../../../resources/audio');
const speech = parseWav(readFileSync(join(RES, 'caller-speech.mulaw.wav'))).data;
const noise = parseWav(readFileSync(join(RES, 'room-noise.mulaw.wav'))).data;
const APOLOGY = Buffer.alloc(800, 0x55);
const tick = () => new Promise<void>((r) => setImmediate(r));

/** A reply whose parts the test hands over one by one. */
class FakeReply implements ReplyAudio {
  readonly stats = { s3Requests: 0, startedAt: 0 };
  readonly jobId: Promise<string>;
  cancelled: string | null = null;
  queued: number[] = [];
  private resolveJob!: (id: string) => void;
  private rejectJob!: (e: unknown) => void;
  private queue: Array<AudioPart | Error | null> = [];
  private wake: (() => void) | null = null;
  constructor(
    readonly replyId: string,
    startedAt: number,
  ) {
    this.stats.startedAt = startedAt;
    this.jobId = new Promise((res, rej) => ((this.resolveJob = res), (this.rejectJob = rej)));
    this.jobId.catch(() => undefined);
  }
  start(id = 'job-1') {
    this.resolveJob(id);
  }
  failStart(message: string) {
    this.rejectJob(new TtsError(message, 'start'));
  }
  deliver(part: number, audio: Buffer, seenAt = 0) {
    this.push({ part, key: `tts/job-1/part${part}.wav`, audio, bytes: audio.length, audioMs: audio.length / 8, seenAt, flags: [] });
  }
  complete() {
    this.push(null);
  }
  failPart(message: string) {
    this.push(new TtsError(message, 'part'));
  }
  private push(item: AudioPart | Error | null) {
    this.queue.push(item);
    this.wake?.();
  }
  async *parts(): AsyncIterable<AudioPart> {
    for (;;) {
      while (this.queue.length === 0) await new Promise<void>((r) => (this.wake = r));
      const item = this.queue.shift()!;
      if (item === null) return;
      if (item instanceof Error) throw item;
      yield item;
    }
  }
  setQueuedMs(ms: number) {
    this.queued.push(ms);
  }
  cancel(reason: string) {
    this.cancelled ??= reason;
  }
}

function setup(opts: { bargeIn?: BargeInPolicy; text?: string | null } = {}) {
  const timers = new FakeTimers();
  const registry = new CallRegistry({ now: timers.now });
  const events: CallEvent[] = [];
  registry.onEvent((e) => events.push(e));
  const pacer = createPacer({ leadMs: 100, now: timers.now, timers });
  const sent: unknown[] = [];
  const closes: Array<[number, string]> = [];
  const replies: FakeReply[] = [];
  const captured: CallerAudio[] = [];
  const tts: TtsPipeline = {
    speak: (_text, ids) => {
      const r = new FakeReply(ids.replyId, timers.t);
      replies.push(r);
      return r;
    },
    stop: async () => undefined,
  };
  const session = new MediaSession({
    registry,
    log: silentLogger(),
    tts,
    pacer,
    now: timers.now,
    timers,
    bargeIn: opts.bargeIn ?? 'clear-and-gather',
    loadApology: () => APOLOGY,
    onCallerAudio: (a) => captured.push(a),
    send: (data) => sent.push(JSON.parse(data)),
    close: (code, reason) => closes.push([code, reason]),
  });
  let seq = 1;
  let chunk = 0;
  const msg = (m: object) => session.handleRaw(JSON.stringify(m), false);
  const start = () =>
    msg({
      event: 'start',
      sequenceNumber: '1',
      streamSid: SID,
      start: {
        accountSid: 'AC1',
        streamSid: SID,
        callSid: CALL,
        tracks: ['inbound'],
        customParameters: opts.text === null ? {} : { text: opts.text ?? '안녕하세요', replyId: 'r1' },
        mediaFormat: { encoding: 'audio/x-mulaw', sampleRate: 8000, channels: 1 },
      },
    });
  /** Caller audio as Twilio sends it: 20 ms frames, media timestamps, while the clock advances. */
  const say = (audio: Buffer) => {
    for (let at = 0; at < audio.length; at += 160) {
      msg({ event: 'media', sequenceNumber: String(++seq), streamSid: SID, media: { track: 'inbound', chunk: String(++chunk), timestamp: String((chunk - 1) * 20), payload: audio.subarray(at, at + 160).toString('base64') } });
      timers.advance(20);
    }
  };
  const echo = (name: string) => msg({ event: 'mark', sequenceNumber: String(++seq), streamSid: SID, mark: { name } });
  const media = () => sent.filter((m): m is { media: { payload: string } } => (m as { event: string }).event === 'media');
  const marks = () => sent.filter((m): m is { mark: { name: string } } => (m as { event: string }).event === 'mark').map((m) => m.mark.name);
  const ofType = <T extends CallEvent['type']>(type: T) => events.filter((e): e is Extract<CallEvent, { type: T }> => e.type === type);
  return { timers, registry, events, session, sent, closes, replies, captured, msg, start, say, echo, media, marks, ofType };
}

const partAudio = (n: number, bytes: number) => Buffer.alloc(bytes, 0x10 + n);

/** Start the stream and the job, and hand over parts of these sizes. */
async function playing(t: ReturnType<typeof setup>, ...sizes: number[]): Promise<FakeReply> {
  t.start();
  const reply = t.replies[0]!;
  reply.start();
  await tick();
  sizes.forEach((bytes, n) => reply.deliver(n, partAudio(n, bytes), t.timers.t));
  await tick();
  return reply;
}

describe('MediaSession: a reply end to end (fake TTS, injected clock)', () => {
  it('speaks the text, paces frames, marks each part and the end, closes with 1000 after the end is heard', async () => {
    const t = setup();
    t.start();
    const reply = t.replies[0]!;
    expect(reply.replyId).toBe('r1');
    reply.start();
    await tick();
    reply.deliver(0, partAudio(0, 1000), t.timers.t);
    await tick();
    t.timers.flush();
    expect(t.media().length).toBe(6); // 100 ms lead + 1 frame
    t.timers.advance(40);
    reply.deliver(1, partAudio(1, 777), t.timers.t);
    reply.complete();
    await tick();
    t.timers.advance(2000);
    const payload = Buffer.concat(t.media().map((m) => Buffer.from(m.media.payload, 'base64')));
    const expected = Buffer.concat([partAudio(0, 1000), partAudio(1, 777)]);
    expect(payload.subarray(0, expected.length).equals(expected)).toBe(true);
    expect(payload.length).toBe(Math.ceil(1777 / 160) * 160);
    expect(t.marks()).toEqual(['r1:part0', 'r1:part1', 'r1:end']);
    expect(t.sent.every((m) => (m as { streamSid: string }).streamSid === SID)).toBe(true);
    expect(t.closes).toEqual([]);
    for (const name of t.marks()) t.echo(name);
    expect(t.closes).toEqual([[1000, 'reply-played']]);
    t.timers.flush();
    expect(t.ofType('tts.job').map((e) => e.status)).toEqual(['started', 'done']);
    expect(t.ofType('tts.job')[1]!.firstAudioMs).toBe(0);
    const parts = t.ofType('tts.part').map((e) => e.part);
    expect(parts.map((p) => [p.part, p.bytes])).toEqual([[0, 1000], [1, 777]]);
    expect(parts[1]!.flags).toContain('padded-last-frame');
    expect(parts.every((p) => p.firstFrameAt !== undefined && p.lastFrameAt! >= p.firstFrameAt!)).toBe(true);
    expect(t.ofType('mark').filter((e) => e.outcome === 'played').length).toBe(3);
    expect(t.ofType('stream.stopped')).toMatchObject([{ streamSid: SID, reason: 'reply-played' }]);
    expect(t.registry.get(CALL)?.streamSid).toBe(SID);
    expect(reply.queued.length).toBeGreaterThan(0);
    expect(t.timers.size).toBe(0);
  });

  it('reports an underrun once per reply when a part is late, and keeps playing after it', async () => {
    const t = setup();
    const reply = await playing(t, 1600);
    t.timers.advance(1000); // part 1 is late: the queue runs dry
    reply.deliver(1, partAudio(1, 1600));
    reply.complete();
    await tick();
    t.timers.advance(100);
    t.session.windowTick(t.timers.t);
    t.timers.flush();
    const alerts = t.ofType('alert');
    expect(alerts).toHaveLength(1);
    expect(alerts[0]!.alert.kind).toBe('underrun');
    expect(alerts[0]!.alert.message).toMatch(/part 1 was late/);
    expect(t.ofType('pacing').some((e) => e.window.underruns === 1)).toBe(true);
    t.timers.advance(1000);
    expect(t.media().length).toBe(20);
  });

  it('emits pacing windows with lateness samples, lead and mark counts', async () => {
    const t = setup();
    await playing(t, 8000);
    t.timers.advance(250);
    t.session.windowTick(t.timers.t);
    t.timers.flush();
    const w = t.ofType('pacing')[0]!.window;
    expect(w.streamSid).toBe(SID);
    expect(w.frames).toBe(6 + 12);
    expect(w.samples.length).toBe(18);
    expect(w.latenessMax).toBe(0);
    expect(w.leadMs).toBeGreaterThanOrEqual(100);
    expect(w.leadMs).toBeLessThanOrEqual(120);
    t.session.windowTick(t.timers.t); // nothing new: no event
    t.timers.flush();
    expect(t.ofType('pacing')).toHaveLength(1);
  });
});

describe('MediaSession: stop, failures, bad input', () => {
  it('stop ends the session: reply cancelled, nothing sent after, stream.stopped', async () => {
    const t = setup();
    await playing(t, 8000);
    t.timers.advance(100);
    t.msg({ event: 'stop', sequenceNumber: '9', streamSid: SID, stop: { accountSid: 'AC1', callSid: CALL } });
    const count = t.sent.length;
    t.timers.advance(2000);
    expect(t.sent.length).toBe(count);
    expect(t.replies[0]!.cancelled).toBe('stop');
    expect(t.ofType('tts.job').map((e) => e.status)).toEqual(['started', 'cancelled']);
    expect(t.ofType('stream.stopped')[0]!.reason).toBe('stop');
    expect(t.ofType('tts.part')[0]!.part.flags).toContain('not-sent:stop');
    expect(t.timers.size).toBe(0);
  });

  it('a job that cannot start: tts.job failed, the apology plays, then the stream closes', async () => {
    const t = setup();
    t.start();
    t.replies[0]!.failStart('TTS_URL answered 503');
    await tick();
    t.timers.advance(1000);
    const payload = Buffer.concat(t.media().map((m) => Buffer.from(m.media.payload, 'base64')));
    expect(payload.equals(APOLOGY)).toBe(true);
    expect(t.marks()).toEqual(['r1:apology', 'r1:end']);
    t.echo('r1:apology');
    t.echo('r1:end');
    t.timers.flush();
    expect(t.ofType('tts.job')).toMatchObject([{ status: 'failed', error: 'TTS_URL answered 503' }]);
    expect(t.registry.get(CALL)!.alerts.map((a) => a.kind)).toContain('tts_error');
    expect(t.closes).toEqual([[1000, 'reply-played']]);
  });

  it('a part that fails mid-reply: what was received plays, then the apology', async () => {
    const t = setup();
    const reply = await playing(t, 1000);
    reply.failPart('part1.wav is not mu-law');
    await tick();
    t.timers.advance(1000);
    const payload = Buffer.concat(t.media().map((m) => Buffer.from(m.media.payload, 'base64')));
    expect(payload.equals(Buffer.concat([partAudio(0, 1000), APOLOGY, Buffer.alloc(payload.length - 1800, 0xff)]))).toBe(true);
    t.timers.flush();
    expect(t.ofType('tts.job').map((e) => e.status)).toEqual(['started', 'failed']);
  });

  it('malformed, unknown and misdirected messages are counted, reported once and harmless', async () => {
    const t = setup();
    t.session.handleRaw(Buffer.from([1, 2, 3]), true);
    t.start();
    t.replies[0]!.start();
    await tick();
    t.session.handleRaw('{not json', false);
    t.msg({ event: 'hello' });
    t.msg({ event: 'media', sequenceNumber: '3', streamSid: 'MZother', media: { track: 'inbound', chunk: '1', timestamp: '0', payload: '' } });
    t.msg({ event: 'media', sequenceNumber: 3, streamSid: SID });
    t.echo('never-sent');
    t.msg({ event: 'dtmf', sequenceNumber: '4', streamSid: SID, dtmf: { track: 'inbound_track', digit: '5' } });
    t.timers.flush();
    expect(t.session.problems).toEqual({ binary: 1, json: 1, 'unknown-event': 1, 'wrong-stream': 1, schema: 1, 'unknown-mark': 1 });
    expect(t.ofType('error')).toHaveLength(1);
    expect(t.ofType('dtmf')[0]!.digit).toBe('5');
    expect(t.session.phase).toBe('streaming');
  });

  it('a start without text is an operator-visible error and the stream closes so the TwiML goes on', () => {
    const t = setup({ text: null });
    t.start();
    t.timers.flush();
    expect(t.ofType('error')[0]!.code).toBe('media-no-text');
    expect(t.closes).toEqual([[1000, 'no-text']]);
    expect(t.replies).toHaveLength(0);
  });
});

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
