// Test harness for MediaSession: a fake TTS reply fed part by part, a fake socket, an injected clock.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { CallEvent } from '../../src/shared/model';
import { CallRegistry } from '../../src/main/calls/registry';
import { silentLogger } from '../../src/main/log';
import { parseWav } from '../../src/main/tts/wav';
import { TtsError, type AudioPart, type ReplyAudio, type TtsPipeline } from '../../src/main/tts/types';
import { StreamAdmission } from '../../src/main/media/admission';
import { FakeTimers } from './fake-timers';
import { createPacer } from '../../src/main/media/pacer';
import { MediaSession, type BargeInPolicy, type SessionDeps } from '../../src/main/media/session';
import { decodeTextFrames } from '../../src/main/media/wire';

export const SID = 'MZ' + 'f'.repeat(32);
export const CALL = 'CA' + '1'.repeat(32);
const RES = join(__dirname, '../../resources/audio');
export const speech = parseWav(readFileSync(join(RES, 'caller-speech.mulaw.wav'))).data;
export const noise = parseWav(readFileSync(join(RES, 'room-noise.mulaw.wav'))).data;
export const APOLOGY = Buffer.alloc(800, 0x55);
export const tick = () => new Promise<void>((r) => setImmediate(r));

/** A reply whose parts the test hands over one by one. */
export class FakeReply implements ReplyAudio {
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

export function setup(opts: { bargeIn?: BargeInPolicy; text?: string | null; attach?: SessionDeps['attach']; minSpeechMs?: number; taps?: SessionDeps['taps'] } = {}) {
  const timers = new FakeTimers();
  const registry = new CallRegistry({ now: timers.now });
  const events: CallEvent[] = [];
  registry.onEvent((e) => events.push(e));
  const pacer = createPacer({ leadMs: 100, now: timers.now, timers });
  const sent: unknown[] = [];
  /** When each message in `sent` was sent (injected clock). */
  const sentAt: number[] = [];
  const closes: Array<[number, string]> = [];
  const replies: FakeReply[] = [];
  const tts: TtsPipeline = {
    speak: (_text, ids) => {
      const r = new FakeReply(ids.replyId, timers.t);
      replies.push(r);
      return r;
    },
    stop: async () => undefined,
  };
  // the host's grant for this call, as the /voice_stream TwiML would carry it
  const admission = new StreamAdmission({ log: silentLogger(), now: timers.now });
  const text = opts.text === null ? '' : (opts.text ?? '안녕하세요');
  const grant = admission.issue({ callSid: CALL, accountSid: 'AC1', text });
  const ticket = {};
  const session = new MediaSession({
    admit: (m) => admission.admit(m.start, ticket),
    registry,
    log: silentLogger(),
    tts,
    pacer,
    now: timers.now,
    timers,
    bargeIn: opts.bargeIn ?? 'clear-and-gather',
    loadApology: () => APOLOGY,
    attach: opts.attach,
    taps: opts.taps,
    minSpeechMs: opts.minSpeechMs,
    send: (data) => {
      sent.push(JSON.parse(data));
      sentAt.push(timers.t);
    },
    write: (bytes) => {
      for (const m of decodeTextFrames(bytes)) {
        sent.push(JSON.parse(m));
        sentAt.push(timers.t);
      }
    },
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
        customParameters: opts.text === null ? { grant } : { text, replyId: 'r1', grant },
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
  return { timers, registry, events, session, sent, sentAt, closes, replies, msg, start, say, echo, media, marks, ofType };
}

export const partAudio = (n: number, bytes: number) => Buffer.alloc(bytes, 0x10 + n);

/** Start the stream and the job, and hand over parts of these sizes. */
export async function playing(t: ReturnType<typeof setup>, ...sizes: number[]): Promise<FakeReply> {
  t.start();
  const reply = t.replies[0]!;
  reply.start();
  await tick();
  sizes.forEach((bytes, n) => reply.deliver(n, partAudio(n, bytes), t.timers.t));
  await tick();
  return reply;
}
