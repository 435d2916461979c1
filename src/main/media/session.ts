// One Media Stream: start → speak the text from customParameters → paced frames and marks → close with 1000
// after the end mark is heard (Twilio continues at <Connect action>). Barge-in, stop and close end it early.
// Transport-agnostic: the server gives it send/close; tests drive it with a fake socket and clock.
import { randomBytes } from 'node:crypto';
import type { CallEventBody } from '../../shared/model';
import type { CallRegistry } from '../calls/registry';
import type { Logger } from '../log';
import type { ReplyAudio, TtsPipeline } from '../tts/types';
import { CallerCapture, type CallerAudio } from './capture';
import { MarkWatch } from './mark-watch';
import { Outbound, parseInbound, type InboundMessage, type StartMessage } from './messages';
import type { Pacer, TimerApi } from './pacer';
import { Playout } from './playout';
import { ReplyTracker } from './reply-tracker';
import { summarize } from './stats';
import { Vad, type VadEvent, type VadOptions } from './vad';

export type BargeInPolicy = 'off' | 'clear' | 'clear-and-gather';

export interface SessionDeps {
  registry: CallRegistry;
  log: Logger;
  tts: TtsPipeline;
  pacer: Pacer;
  now: () => number;
  timers: TimerApi;
  bargeIn: BargeInPolicy;
  loadApology: () => Buffer;
  onCallerAudio?: (audio: CallerAudio) => void;
  vad?: Partial<VadOptions>;
  /** Text to the socket (one WebSocket message). */
  send(data: string): void;
  /** Ready WebSocket frames to the socket (the playout's pre-encoded media and marks). */
  write(bytes: Buffer): void;
  /** Hold / release the socket's writes around a batch of frames (optional). */
  cork?(): void;
  uncork?(): void;
  /** Close the socket (after the session has ended). */
  close(code: number, reason: string): void;
  /** rel: an end mark not echoed this long after its audio should have played closes the stream (END_MARK_SLACK_MS). */
  endMarkSlackMs?: number;
}

const LOG_EVERY = 100;

export class MediaSession {
  phase: 'awaiting-start' | 'streaming' | 'ended' = 'awaiting-start';
  callSid: string | null = null;
  streamSid: string | null = null;
  /** Malformed or unexpected inbound messages, by kind. */
  readonly problems: Record<string, number> = {};
  private out: Outbound | null = null;
  private playout: Playout | null = null;
  private reply: ReplyTracker | null = null;
  private readonly vad: Vad;
  private readonly capture = new CallerCapture();
  private readonly scratch = Buffer.alloc(1024);
  private bargedIn = false;
  private pending: Array<[CallEventBody, number]> = [];
  private flushHandle: unknown = null;
  private reportedProblem = false;
  /** rel: stuck-stream watch (end marks never echoed). */
  private marks: MarkWatch | null = null;

  constructor(private readonly deps: SessionDeps) {
    this.vad = new Vad(deps.vad);
  }

  /** Every WebSocket message goes here. Never throws. */
  handleRaw(data: string | Buffer, isBinary: boolean): void {
    const parsed = parseInbound(data, isBinary);
    if (!parsed.ok) return this.problem(parsed.problem, parsed.detail);
    try {
      this.handle(parsed.message);
    } catch (err) {
      this.deps.log.error({ err, streamSid: this.streamSid }, 'media: message handler failed');
      this.problem('handler', String(err));
    }
  }

  private handle(m: InboundMessage): void {
    if (this.phase === 'ended') return;
    if (m.event === 'connected') return;
    if (m.event === 'start') return this.start(m);
    if (this.phase !== 'streaming') return this.problem('before-start', `${m.event} before start`);
    if (m.streamSid !== this.streamSid) return this.problem('wrong-stream', `${m.event} for another streamSid`);
    switch (m.event) {
      case 'media':
        if (m.media.track === 'inbound') this.inbound(this.decode(m.media.payload), Number(m.media.timestamp));
        return;
      case 'mark':
        this.marks?.echoed(m.mark.name); // rel
        if (this.reply) this.reply.markEcho(m.mark.name, this.deps.now());
        else this.problem('unknown-mark', m.mark.name);
        return;
      case 'dtmf':
        return this.emit({ type: 'dtmf', digit: m.dtmf.digit });
      case 'stop':
        this.end('stop');
        this.deps.close(1000, 'stop');
    }
  }

  private start(m: StartMessage): void {
    if (this.phase !== 'awaiting-start') return this.problem('duplicate-start', 'second start message');
    const { callSid, streamSid, customParameters } = m.start;
    this.phase = 'streaming';
    this.callSid = callSid;
    this.streamSid = streamSid;
    const out = (this.out = new Outbound(streamSid));
    this.emit({ type: 'stream.started', streamSid, customParameters });
    const text = customParameters.text?.trim();
    if (!text) {
      this.emit({ type: 'error', message: 'Media stream started without a text parameter: nothing to say', code: 'media-no-text' });
      return this.finish('no-text');
    }
    const replyId = customParameters.replyId || `R${randomBytes(5).toString('hex')}`;
    const playout = (this.playout = new Playout(out, {
      write: this.deps.write,
      cork: this.deps.cork,
      uncork: this.deps.uncork,
      marker: (marker, now) => {
        this.reply?.onMarker(marker, now);
        if (marker.kind === 'mark' && marker.name.endsWith(':end')) this.marks?.sent(marker.name, playout.bufferedMs(now)); // rel
      },
      underrun: (now, cause) => this.reply?.onUnderrun(now, cause),
      failed: (err) => this.stuck('media-pacer-error', `The bot's audio stopped: the pacer failed on this stream (${String(err).slice(0, 120)}). The stream was closed.`, 'pacer-error'), // rel
    }));
    // rel: an end mark never echoed means Twilio is no longer playing this stream; nothing else would end it
    this.marks = new MarkWatch({
      timers: this.deps.timers,
      slackMs: this.deps.endMarkSlackMs ?? 5000,
      onOverdue: (name, waitedMs) =>
        this.stuck('media-end-mark-overdue', `The stream looks stuck: Twilio never confirmed that the end of the reply played (mark ${name}, ${(waitedMs / 1000).toFixed(1)} s). The stream was closed.`, 'end-mark-overdue'),
    });
    this.deps.pacer.add(playout);
    const audio: ReplyAudio = this.deps.tts.speak(text, { callSid, streamSid, replyId });
    this.reply = new ReplyTracker({
      audio,
      replyId,
      text,
      streamSid,
      playout,
      pacer: this.deps.pacer,
      log: this.deps.log,
      now: this.deps.now,
      loadApology: this.deps.loadApology,
      emit: (body, at) => this.emit(body, at),
      markEchoUnknown: (name) => this.problem('unknown-mark', name),
      played: () => this.finish('reply-played'),
    });
    void this.reply.run();
  }

  /** Base64 into the session's scratch buffer (valid until the next message): the 50/s path allocates no audio buffer. */
  private decode(payload: string): Buffer {
    if ((payload.length * 3) / 4 > this.scratch.length) return Buffer.from(payload, 'base64');
    return this.scratch.subarray(0, this.scratch.write(payload, 'base64'));
  }

  private inbound(audio: Buffer, timestamp: number): void {
    this.capture.push(audio);
    for (const event of this.vad.push(audio, Number.isFinite(timestamp) ? timestamp : 0)) this.onVad(event);
  }

  private onVad(event: VadEvent): void {
    const now = this.deps.now();
    if (event.type === 'speech-start') {
      this.emit({ type: 'caller.speech', state: 'started' }, now);
      const reply = this.reply;
      if (this.deps.bargeIn === 'off' || this.bargedIn || !reply?.speaking()) return;
      // Clear first: it is the only way to stop audio Twilio has already buffered.
      this.deps.send(this.out!.clear);
      this.bargedIn = true;
      const { heardMs, replyMs } = reply.interrupt(now);
      this.emit({ type: 'clear', reason: 'barge-in' }, now);
      this.emit({ type: 'bargein', decision: 'interrupted', replyId: reply.replyId, heardMs, replyMs, detectionLatencyMs: event.detectedAt - event.onsetAt }, now);
      if (this.deps.bargeIn === 'clear') return this.finish('barge-in');
      this.capture.begin();
      return;
    }
    this.emit({ type: 'caller.speech', state: 'ended', durationMs: event.durationMs }, now);
    if (!this.capture.capturing) return;
    const audio = this.capture.end();
    if (this.callSid && this.streamSid) this.deps.onCallerAudio?.({ callSid: this.callSid, streamSid: this.streamSid, audio, durationMs: event.durationMs });
    this.finish('utterance-ended');
  }

  /** Pacing window for the UI; the server calls this every 250 ms. */
  windowTick(now: number): void {
    if (this.phase !== 'streaming' || !this.playout || !this.reply) return;
    const counts = this.reply.takeWindowCounts();
    const rec = this.playout.lateness;
    if (rec.frames === 0 && counts.marksSent + counts.marksPlayed + counts.marksCleared + counts.underruns === 0) return;
    const s = summarize(rec);
    rec.reset();
    const from = this.reply.windowStart(now);
    this.emit({
      type: 'pacing',
      window: {
        streamSid: this.streamSid!,
        from,
        to: now,
        frames: s.frames,
        samples: s.samples,
        latenessP50: s.p50,
        latenessP99: s.p99,
        latenessMax: s.max,
        leadMs: Math.round(this.playout.bufferedMs(now)),
        ...counts,
        leadAtRisk: this.playout.takeLeadAtRisk(), // rel
      },
    }, now);
    this.reply.updateQueued();
  }

  /** End the session (idempotent): no more sends, reply cancelled (no more S3 requests), stream.stopped. */
  end(reason: string): void {
    if (this.phase === 'ended') return;
    const wasStreaming = this.phase === 'streaming';
    const now = this.deps.now();
    if (wasStreaming) this.windowTick(now);
    // rel: the socket died with no stop from Twilio (network loss, a crash): say so on the call, it may have dropped
    if (wasStreaming && reason.startsWith('socket-closed')) {
      const message = `The media stream closed without a stop from Twilio (${reason === 'socket-closed' ? 'no stop' : `code ${reason.slice(14)}`}): the caller may have been cut off`;
      this.emit({ type: 'error', message, code: 'media-closed-without-stop' }, now);
      this.emit({ type: 'alert', alert: { kind: 'stream_error', at: now, message } }, now);
    }
    this.phase = 'ended';
    this.marks?.close(); // rel
    if (this.playout) this.deps.pacer.remove(this.playout);
    this.reply?.stop(reason, now);
    this.playout?.clear();
    if (wasStreaming && this.streamSid) this.emit({ type: 'stream.stopped', streamSid: this.streamSid, reason }, now);
    this.flush();
    const problems = Object.keys(this.problems).length ? this.problems : undefined;
    this.deps.log.info({ callSid: this.callSid, streamSid: this.streamSid, reason, problems, framesSent: this.playout?.framesSent ?? 0 }, 'media stream ended');
  }

  /** End and close the socket with 1000 so Twilio goes on with the TwiML. */
  private finish(reason: string): void {
    this.end(reason);
    this.deps.close(1000, reason);
  }

  /** rel: the stream cannot go on (pacer error, end mark overdue): say so on the call, alert, close it. */
  private stuck(code: string, message: string, reason: string): void {
    if (this.phase !== 'streaming') return;
    this.deps.log.error({ callSid: this.callSid, streamSid: this.streamSid, code }, message);
    this.emit({ type: 'error', message, code });
    this.emit({ type: 'alert', alert: { kind: 'stream_error', at: this.deps.now(), message } });
    this.finish(reason);
  }

  private problem(kind: string, detail: string): void {
    const n = (this.problems[kind] = (this.problems[kind] ?? 0) + 1);
    if (n === 1 || n % LOG_EVERY === 0) this.deps.log.warn({ streamSid: this.streamSid, kind, count: n, detail }, 'media: ignored an inbound message');
    if (!this.reportedProblem && this.callSid) {
      this.reportedProblem = true;
      this.emit({ type: 'error', message: `Media stream: ignored a malformed or unexpected message (${kind}: ${detail})`, code: `media-${kind}` });
    }
  }

  /** Registry events leave on the next turn of the event loop, never from inside the 20 ms tick. */
  private emit(body: CallEventBody, at = this.deps.now()): void {
    if (!this.callSid) return;
    this.pending.push([body, at]);
    if (this.flushHandle === null && this.phase !== 'ended') this.flushHandle = this.deps.timers.set(() => this.flush(), 0);
  }

  private flush(): void {
    if (this.flushHandle !== null) this.deps.timers.clear(this.flushHandle);
    this.flushHandle = null;
    const events = this.pending;
    this.pending = [];
    for (const [body, at] of events) this.deps.registry.apply(this.callSid!, body, at);
  }
}
