// One Media Stream, the long-lived protocol handler of a call's conversation. On `start` it asks the conversation
// (deps.attach) for the call; the conversation then speaks every turn through the StreamControl it gets: speak()
// (one reply: TTS parts -> paced frames and marks), interrupt(), close(). The session forwards caller-speech events
// from the barge-in detector and reacts to them itself (yield fast, commit slow): speech-start while the bot is
// audible pauses the reply (no new frames, `clear`, the unplayed frames kept), speech-confirmed interrupts it,
// speech-end without confirmation resumes it from the first frame the caller did not hear.
// A stream with no conversation (REST-updated streams, STREAM_STT=gather) speaks the text its grant carries and closes
// with 1000 after the end mark is heard; a barge-in closes it at once (Twilio continues at <Connect action>).
// Transport-agnostic: the server gives it send/write/close; tests drive it with a fake socket and clock.
import { randomBytes } from 'node:crypto';
import type { CallEventBody, ReplyKind } from '../../shared/model';
import type { Logger } from '../log';
import type { TtsPipeline } from '../tts/types';
import type { Admission } from './admission';
import { createEnergyDetector, type BargeInDetector, type DetectorEvent } from './bargein/energy';
import { MarkWatch } from './mark-watch';
import { Outbound, parseInbound, type InboundMessage, type StartMessage } from './messages';
import type { Pacer, TimerApi } from './pacer';
import { Playout } from './playout';
import { ReplyTracker, type ReplyOutcome, type ReplyTimes } from './reply-tracker';
import { summarize } from './stats';
import type { MediaTap, MediaTaps } from './tap';
import type { VadOptions } from './vad';

/** off: the caller never stops the bot; clear / clear-and-gather (same today): barge-in stops it. */
export type BargeInPolicy = 'off' | 'clear' | 'clear-and-gather';

/** One reply spoken on the stream. */
export interface ReplyHandle {
  readonly replyId: string;
  /** Settles once: played, failed (the apology was heard), interrupted or cancelled. */
  readonly outcome: Promise<ReplyOutcome>;
  /** Resolves when the reply's first frame left (ttsJobAt, firstFrameAt, heardAt). */
  readonly firstFrame: Promise<ReplyTimes>;
}

/** What a conversation may do with its stream. */
export interface StreamControl {
  readonly callSid: string;
  readonly streamSid: string;
  /** Speak `text` (a running reply is cancelled first); `replyId`: one the caller chose (the media thread's proxy). */
  speak(text: string, o: { turn?: number; kind: ReplyKind; replyId?: string }): ReplyHandle;
  /** Whether the current reply is live (starting, audible or paused). */
  replying(): boolean;
  /** Stop the current reply: the caller took the turn (`clear`, job and polling cancelled). */
  interrupt(trigger: 'vad' | 'transcript'): void;
  /** Hold the current reply (`clear`, the unplayed frames kept) / carry on from where the caller stopped hearing it. */
  pause(reason: string): void;
  resume(): void;
  /** End the stream with 1000 (Twilio continues at <Connect action>). */
  close(reason: string): void;
}

/** What the session tells the conversation. */
export interface StreamListener {
  onSpeech(e: DetectorEvent): void;
  /** The stream ended (reason as in stream.stopped). */
  onEnded(reason: string): void;
}

/** What a stream needs of the call registry: its events applied, and whether a handoff is under way. */
export interface StreamRegistry {
  apply(callSid: string, body: CallEventBody, at: number): unknown;
  get(callSid: string): { handoff?: { status: string } } | undefined;
}

export interface SessionDeps {
  /** Admission (admission.ts): the grant check; the text to speak is the host's record, never the client's. Async
   *  when it is decided by the host for a media worker (MEDIA_WORKERS): messages before the answer are dropped. */
  admit(start: StartMessage): Admission | Promise<Admission>;
  registry: StreamRegistry;
  log: Logger;
  tts: TtsPipeline;
  pacer: Pacer;
  now: () => number;
  timers: TimerApi;
  bargeIn: BargeInPolicy;
  loadApology: () => Buffer;
  /** Caller speech this long interrupts; shorter only pauses (BARGE_IN_MIN_SPEECH_MS). */
  minSpeechMs?: number;
  vad?: Partial<VadOptions>;
  /** The conversation of this call, if it has one (null: a stream that speaks customParameters.text). */
  attach?(control: StreamControl, start: { customParameters: Record<string, string> }): StreamListener | null;
  /** The barge-in detector (default: the energy Vad adapter). */
  createDetector?(onEvent: (e: DetectorEvent) => void): BargeInDetector;
  taps?: MediaTaps;
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
/** Replies kept for late mark echoes (a cleared reply's marks come back after the next one started). */
const KEEP_REPLIES = 4;
const HANDOFF_ACTIVE = new Set(['requested', 'accepted', 'dialing', 'connected']);

export class MediaSession {
  phase: 'awaiting-start' | 'admitting' | 'streaming' | 'ended' = 'awaiting-start';
  callSid: string | null = null;
  streamSid: string | null = null;
  /** Malformed or unexpected inbound messages, by kind. */
  readonly problems: Record<string, number> = {};
  private out: Outbound | null = null;
  private playout: Playout | null = null;
  private reply: ReplyTracker | null = null;
  private readonly replies: ReplyTracker[] = [];
  private listener: StreamListener | null = null;
  private detector: BargeInDetector | null = null;
  private taps: MediaTap[] = [];
  private readonly scratch = Buffer.alloc(1024);
  private pending: Array<[CallEventBody, number]> = [];
  private flushHandle: unknown = null;
  private reportedProblem = false;
  /** rel: stuck-stream watch (end marks never echoed). */
  private marks: MarkWatch | null = null;

  constructor(private readonly deps: SessionDeps) {}

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
    if (this.phase === 'admitting') return m.event === 'stop' ? this.finishAdmitting() : undefined; // audio before the answer
    if (this.phase !== 'streaming') return this.problem('before-start', `${m.event} before start`);
    if (m.streamSid !== this.streamSid) return this.problem('wrong-stream', `${m.event} for another streamSid`);
    switch (m.event) {
      case 'media':
        if (m.media.track === 'inbound') this.inbound(this.decode(m.media.payload), Number(m.media.timestamp));
        return;
      case 'mark': {
        this.marks?.echoed(m.mark.name); // rel
        const owner = this.replies.find((r) => r.owns(m.mark.name));
        if (owner) owner.markEcho(m.mark.name, this.deps.now());
        else this.problem('unknown-mark', m.mark.name);
        return;
      }
      case 'dtmf':
        return this.emit({ type: 'dtmf', digit: m.dtmf.digit });
      case 'stop': {
        // after a REST handoff Twilio stops the stream: that is the handoff, not the caller hanging up
        const handoff = this.callSid ? this.deps.registry.get(this.callSid)?.handoff : undefined;
        const reason = handoff && HANDOFF_ACTIVE.has(handoff.status) ? 'handoff' : 'stop';
        this.end(reason);
        this.deps.close(1000, reason);
      }
    }
  }

  private start(m: StartMessage): void {
    if (this.phase !== 'awaiting-start') return this.problem('duplicate-start', 'second start message');
    const admitted = this.deps.admit(m);
    if (!(admitted instanceof Promise)) return this.admitted(m, admitted);
    this.phase = 'admitting';
    admitted.then(
      (a) => this.phase === 'admitting' && this.admitted(m, a),
      (err: unknown) => {
        if (this.phase !== 'admitting') return;
        this.deps.log.error({ err, streamSid: m.start.streamSid }, 'media: admission failed');
        this.phase = 'ended';
        this.deps.close(1011, 'admission failed');
      },
    );
  }

  private finishAdmitting(): void {
    this.end('stop');
    this.deps.close(1000, 'stop');
  }

  private admitted(m: StartMessage, admitted: Admission): void {
    if (!admitted.ok) {
      this.phase = 'ended';
      return this.deps.close(admitted.code, admitted.message);
    }
    const { streamSid } = m.start;
    const { callSid, text: grantedText, parameters: customParameters } = admitted;
    this.phase = 'streaming';
    this.callSid = callSid;
    this.streamSid = streamSid;
    const out = (this.out = new Outbound(streamSid));
    this.emit({ type: 'stream.started', streamSid, customParameters });
    this.taps = this.deps.taps?.(callSid, streamSid) ?? [];
    const detector = this.deps.createDetector ?? ((onEvent) => createEnergyDetector({ onEvent, minSpeechMs: this.deps.minSpeechMs ?? 450, vad: this.deps.vad }));
    this.detector = detector((e) => this.onDetector(e));
    const playout = (this.playout = new Playout(out, {
      write: this.deps.write,
      cork: this.deps.cork,
      uncork: this.deps.uncork,
      marker: (marker, now) => {
        this.reply?.onMarker(marker, now);
        if (marker.kind === 'mark' && marker.name.endsWith(':end')) this.marks?.sent(marker.name, playout.bufferedMs(now)); // rel
      },
      underrun: (now, cause) => this.reply?.onUnderrun(now, cause),
      frameSent: (audio, playAt) => {
        this.detector?.outbound(audio, playAt);
        for (const tap of this.taps) tap.outbound(audio, playAt);
      },
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
    this.listener = this.deps.attach?.(this.control(), { customParameters }) ?? null;
    if (this.listener) return;
    // No conversation for this call (STREAM_STT=gather, or a stream a REST update started): it speaks the text the
    // host issued with the stream's grant (never the client's customParameters.text).
    const text = grantedText.trim();
    if (!text) {
      this.emit({ type: 'error', message: 'Media stream started without a text parameter: nothing to say', code: 'media-no-text' });
      return this.finish('no-text');
    }
    this.speak(text, { kind: 'answer' }, customParameters.replyId || undefined, (o) => {
      if (o.status === 'played' || o.status === 'failed') this.finish('reply-played');
    });
  }

  private control(): StreamControl {
    return {
      callSid: this.callSid!,
      streamSid: this.streamSid!,
      speak: (text, o) => this.speak(text, o, o.replyId),
      replying: () => this.reply?.live() === true,
      interrupt: (trigger) => this.interrupt(trigger),
      pause: (reason) => {
        const reply = this.reply;
        if (!reply?.speaking()) return;
        const now = this.deps.now();
        this.sendClear(reason, now);
        reply.pause(now);
      },
      resume: () => {
        if (this.reply?.paused()) this.reply.resume(this.deps.now());
      },
      close: (reason) => this.finish(reason),
    };
  }

  /** `fallback`: a stream without a conversation (no bot.reply: the webhook recorded it), told when the reply settles. */
  private speak(text: string, o: { turn?: number; kind: ReplyKind }, id?: string, fallback?: (o: ReplyOutcome) => void): ReplyHandle {
    const replyId = id ?? `R${randomBytes(5).toString('hex')}`;
    const now = this.deps.now();
    if (this.phase !== 'streaming' || !this.playout) {
      const outcome: ReplyOutcome = { status: 'cancelled', reason: 'stream ended', heardMs: 0, replyMs: 0, pausedMs: 0 };
      return { replyId, outcome: Promise.resolve(outcome), firstFrame: new Promise(() => undefined) };
    }
    const previous = this.reply;
    if (previous && (previous.speaking() || previous.paused())) {
      if (previous.speaking()) this.sendClear('replaced', now);
      previous.stop('replaced', now);
    } else previous?.stop('replaced', now);
    this.playout.clear();
    const callSid = this.callSid!;
    const streamSid = this.streamSid!;
    if (!fallback) this.emit({ type: 'bot.reply', text, via: 'stream', replyId, ...(o.turn !== undefined ? { turn: o.turn } : {}), kind: o.kind }, now);
    const audio = this.deps.tts.speak(text, { callSid, streamSid, replyId });
    const reply = new ReplyTracker({
      audio,
      replyId,
      text,
      streamSid,
      playout: this.playout,
      pacer: this.deps.pacer,
      log: this.deps.log,
      now: this.deps.now,
      loadApology: this.deps.loadApology,
      emit: (body, at) => this.emit(body, at),
      markEchoUnknown: (name) => this.problem('unknown-mark', name),
      settled: fallback,
    });
    this.reply = reply;
    this.replies.unshift(reply);
    if (this.replies.length > KEEP_REPLIES) this.replies.length = KEEP_REPLIES;
    void reply.run();
    return { replyId, outcome: reply.outcome, firstFrame: reply.firstFrame };
  }

  private sendClear(reason: string, now: number): void {
    this.deps.send(this.out!.clear);
    this.detector?.cleared(now);
    for (const tap of this.taps) tap.cleared(now);
    this.emit({ type: 'clear', reason }, now);
  }

  /** The caller took the turn: a live reply stops (clear if audible), what they heard is recorded. A reply not yet
   *  audible is stopped too (its job cancelled), without a bargein event: the caller heard none of it. */
  private interrupt(trigger: 'vad' | 'transcript', speechMs?: number): void {
    const reply = this.reply;
    if (!reply?.live()) return;
    const now = this.deps.now();
    const audible = reply.speaking() || reply.paused();
    if (reply.speaking()) this.sendClear('barge-in', now);
    const { heardMs, replyMs } = reply.interrupt(now);
    if (!audible) return;
    this.emit({ type: 'bargein', decision: 'interrupted', replyId: reply.replyId, trigger, verdict: 'speech', ...(speechMs !== undefined ? { speechMs } : {}), heardMs, replyMs }, now);
  }

  /** Base64 into the session's scratch buffer (valid until the next message): the 50/s path allocates no audio buffer. */
  private decode(payload: string): Buffer {
    if ((payload.length * 3) / 4 > this.scratch.length) return Buffer.from(payload, 'base64');
    return this.scratch.subarray(0, this.scratch.write(payload, 'base64'));
  }

  private inbound(audio: Buffer, timestamp: number): void {
    const at = this.deps.now();
    const mediaMs = Number.isFinite(timestamp) ? timestamp : 0;
    for (const tap of this.taps) tap.inbound(audio, mediaMs, at);
    this.detector?.inbound(audio, mediaMs, at);
  }

  private onDetector(e: DetectorEvent): void {
    if (this.phase !== 'streaming') return;
    const now = this.deps.now();
    if (e.type === 'speech-start') this.emit({ type: 'caller.speech', state: 'started' }, now);
    if (e.type === 'speech-end') this.emit({ type: 'caller.speech', state: 'ended', durationMs: e.durationMs }, now);
    this.listener?.onSpeech(e);
    const reply = this.reply;
    if (this.deps.bargeIn === 'off' || !reply || this.phase !== 'streaming') return;
    if (e.type === 'speech-start') {
      if (!reply.speaking()) return;
      const detectionLatencyMs = Math.max(0, Math.round(e.detectedAt - e.onsetAt));
      if (!this.listener) {
        // no conversation: the stream ends at once so what follows (<Gather>) hears the most of the utterance
        this.sendClear('barge-in', now);
        const { heardMs, replyMs } = reply.interrupt(now);
        this.emit({ type: 'bargein', decision: 'interrupted', replyId: reply.replyId, trigger: 'vad', heardMs, replyMs, detectionLatencyMs }, now);
        return this.finish('barge-in');
      }
      // yield fast: silent at the caller now, the words decide later
      this.sendClear('barge-in', now);
      const { heardMs, replyMs } = reply.pause(now);
      this.emit({ type: 'bargein', decision: 'paused', replyId: reply.replyId, trigger: 'vad', ...(e.probability !== undefined ? { probability: e.probability } : {}), heardMs, replyMs, detectionLatencyMs }, now);
      return;
    }
    if (!reply.paused()) return;
    if (e.type === 'speech-confirmed') return this.interrupt('vad', e.speechMs);
    // speech-end without confirmation: a backchannel, a cough, noise: the reply goes on from where it stopped
    const { heardMs, replyMs, pauseMs } = reply.resume(now);
    this.emit({ type: 'bargein', decision: 'resumed', replyId: reply.replyId, trigger: 'vad', verdict: e.verdict, pauseMs, speechMs: e.durationMs, heardMs, replyMs }, now);
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
    this.detector?.close();
    for (const tap of this.taps) tap.close();
    if (wasStreaming && this.streamSid) this.emit({ type: 'stream.stopped', streamSid: this.streamSid, reason }, now);
    this.flush();
    this.listener?.onEnded(reason);
    this.listener = null;
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
