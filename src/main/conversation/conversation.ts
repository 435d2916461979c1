// One call's streamed conversation: the turn counter and everything the bot says on the call's one media stream.
// Model: the host owns the conversation record; the stream (StreamControl) only plays what it is told. The greeting
// is turn 0; every final transcript is a caller turn (partials are shown, never answered) whose words go to the bot
// (echo / HANDOFF_KEYWORDS / BOT_URL), and the answer is spoken on the same stream. A final that arrives while the
// bot speaks (or is paused by a caller sound) stops the reply first. No caller speech for GATHER_TIMEOUT_S after a
// reply was heard: REPROMPT; the MAX_SILENT_TURNS-th silence: GOODBYE, then the stream closes (/after_stream hangs
// up). A handoff is a REST update of the call (its TwiML stops the transcription and dials); the stream's stop
// that follows is the handoff. Timers are injected and cleared on every end.
import { isBackchannel } from './backchannel';
import type { CallEventBody, CommandResult, HandoffSource, ReplyKind } from '../../shared/model';
import type { CallRegistry } from '../calls/registry';
import type { Settings } from '../config/schema';
import type { Logger } from '../log';
import type { DetectorEvent } from '../media/bargein/energy';
import type { TimerApi } from '../media/pacer';
import type { ReplyOutcome } from '../media/reply-tracker';
import type { ReplyHandle, StreamControl, StreamListener } from '../media/session';
import { KOREAN, MAX_SILENT_TURNS, transcriptionName } from '../twiml/build';
import type { Bot, BotDecision, HeardOfReply } from './bot';
import type { TranscriptionCallback } from './transcription';

export interface ConversationDeps {
  callSid: string;
  settings: Settings;
  registry: CallRegistry;
  log: Logger;
  bot: Bot;
  handoff(callSid: string, source: HandoffSource): Promise<CommandResult>;
  timers: TimerApi;
  now: () => number;
}

/** Why the conversation is over (null while it goes on). 'stream-lost': the stream closed otherwise (socket error,
 *  server stopping): /after_stream's <Gather> takes the caller's next turn, so finals are no longer answered here. */
export type ConversationEnd = 'goodbye' | 'handoff' | 'hangup' | 'stream-lost' | null;

interface Current {
  handle: ReplyHandle;
  text: string;
  kind: ReplyKind;
  turn: number;
}

interface TurnClock {
  turn: number;
  callerStoppedAt?: number;
  finalAt: number;
  decidedAt?: number;
}

export class Conversation {
  ended: ConversationEnd = null;
  muted = false;
  private control: StreamControl | null = null;
  private turn = 0;
  private silent = 0;
  private silenceTimer: unknown = null;
  private current: Current | null = null;
  /** What to say once the stream is there (the greeting, or the first answer when /handle_speech started it). */
  private pending: { text: string; kind: ReplyKind; turn: number } | null;
  private lastHeard: HeardOfReply | undefined;
  private callerStoppedAt: number | undefined;
  private stopped = false;

  constructor(
    private readonly d: ConversationDeps,
    first: { text: string; kind: ReplyKind },
  ) {
    this.pending = { ...first, turn: 0 };
  }

  get turns(): number {
    return this.turn;
  }

  /** The call's stream started: speak what is pending on it. */
  attach(control: StreamControl): StreamListener {
    this.control = control;
    const pending = this.pending;
    this.pending = null;
    if (pending && !this.ended) this.speak(pending.text, pending.kind, pending.turn);
    return {
      onSpeech: (e) => this.onSpeech(e, control),
      onEnded: (reason) => this.onStreamEnded(reason, control),
    };
  }

  private onSpeech(e: DetectorEvent, control: StreamControl): void {
    if (control !== this.control) return;
    if (e.type === 'speech-start') this.stopSilence();
    if (e.type === 'speech-end') this.callerStoppedAt = e.onsetAt + e.durationMs;
  }

  private onStreamEnded(reason: string, control: StreamControl): void {
    if (control !== this.control) return;
    this.control = null;
    this.current = null;
    this.stopSilence();
    if (reason === 'handoff') this.ended ??= 'handoff';
    else if (reason === 'stop') this.ended ??= 'hangup';
    else this.ended ??= 'stream-lost';
  }

  /** A transcription callback for this call, already deduplicated. */
  onTranscription(cb: TranscriptionCallback, scripted: boolean): void {
    const name = cb.name ?? transcriptionName(this.d.callSid);
    if (cb.kind === 'started') return this.emit({ type: 'transcription', status: 'started', name });
    if (cb.kind === 'stopped') return this.emit({ type: 'transcription', status: 'stopped', name });
    if (cb.kind === 'error') {
      const code = cb.code ? ` (code ${cb.code})` : '';
      const message = `Live transcription failed: ${cb.message}${code}. The bot cannot hear this caller; hand the call to a person if they need help.`;
      this.emit({ type: 'transcription', status: 'error', name, message: cb.message, ...(cb.code ? { code: cb.code } : {}) });
      this.emit({ type: 'alert', alert: { kind: 'transcription_error', at: this.d.now(), message } });
      return;
    }
    if (!cb.final) {
      if (!cb.text) return;
      this.stopSilence();
      this.emit({ type: 'transcript.partial', text: cb.text, ...(cb.stability !== undefined ? { stability: cb.stability } : {}), sequenceId: cb.sequenceId, ...(scripted ? { scripted } : {}) });
      return;
    }
    if (!cb.text) return;
    if (this.control?.replying() && isBackchannel(cb.text)) {
      // 네 / 음 while the bot speaks: the caller is listening, not taking the turn (the reply goes on, unanswered)
      this.emit({ type: 'transcript', text: cb.text, source: 'transcription', backchannel: true, ...(cb.confidence !== undefined ? { confidence: cb.confidence } : {}), ...(scripted ? { scripted } : {}) });
      return;
    }
    void this.answer(cb.text, cb.confidence, scripted);
  }

  /** A final caller turn: stop a live reply, ask the bot, speak its answer on the stream. */
  private async answer(text: string, confidence: number | undefined, scripted: boolean): Promise<void> {
    if (this.ended || this.stopped) return;
    const turn = ++this.turn;
    const clock: TurnClock = { turn, finalAt: this.d.now(), ...(this.callerStoppedAt !== undefined ? { callerStoppedAt: this.callerStoppedAt } : {}) };
    this.callerStoppedAt = undefined;
    this.silent = 0;
    this.stopSilence();
    this.emit({ type: 'transcript', text, source: 'transcription', turn, ...(confidence !== undefined ? { confidence } : {}), ...(scripted ? { scripted } : {}) });
    const live = this.current;
    if (this.control?.replying()) this.control.interrupt('transcript');
    if (live) await live.handle.outcome; // settled by the interrupt: what the caller heard of it is on the turn
    const decision = await this.d.bot.decide({ callSid: this.d.callSid, turn, text, ...(confidence !== undefined ? { confidence } : {}), ...(this.lastHeard ? { heardOfLastReply: this.lastHeard } : {}) });
    clock.decidedAt = this.d.now();
    if (this.stopped || this.ended) return;
    this.emit({ type: 'bot.decision', turn, decidedBy: decision.decidedBy, ms: Math.round(decision.ms), action: decision.action, ...(decision.error ? { error: decision.error } : {}) });
    if (decision.error) this.emit({ type: 'alert', alert: { kind: 'bot_error', at: this.d.now(), message: `The bot (BOT_URL) failed; the caller got an apology and the echo: ${decision.error}` } });
    if (turn !== this.turn) {
      this.d.log.info({ callSid: this.d.callSid, turn, latest: this.turn }, 'conversation: a newer caller turn came while deciding; this answer is dropped');
      return this.latency(clock);
    }
    await this.act(decision, text, clock);
  }

  private async act(decision: BotDecision, said: string, clock: TurnClock): Promise<void> {
    const s = this.d.settings;
    if (decision.action === 'say') return this.speakTurn(decision.say ?? '', 'answer', clock);
    if (decision.action === 'hangup') {
      this.speakTurn(decision.say || s.GOODBYE, 'goodbye', clock);
      return;
    }
    // handoff: the keyword (or the bot) asked for a person
    const source: HandoffSource = decision.decidedBy === 'bot_url' ? 'bot' : 'keyword';
    if (source === 'keyword') this.emit({ type: 'alert', alert: { kind: 'agent_requested', at: this.d.now(), message: `Caller asked for a person ("${said.slice(0, 60)}")` } });
    this.latency(clock);
    const r = await this.d.handoff(this.d.callSid, source);
    if (r.ok || this.stopped) return;
    const call = this.d.registry.get(this.d.callSid);
    if (call?.handoff?.status !== 'failed') this.emit({ type: 'handoff', status: 'failed', source, message: r.message });
    this.speak(s.CONNECT_DID ? KOREAN.handoffFailed : KOREAN.handoffUnavailable, 'answer', clock.turn);
  }

  private speakTurn(text: string, kind: ReplyKind, clock: TurnClock): void {
    if (this.muted && kind === 'answer') {
      this.d.log.info({ callSid: this.d.callSid, turn: clock.turn }, 'conversation: the bot is muted by the operator; the answer is not spoken');
      return this.latency(clock);
    }
    const handle = this.speak(text, kind, clock.turn);
    if (!handle) return this.latency(clock);
    let emitted = false;
    const once = (t: { ttsJobAt?: number; firstFrameAt?: number; heardAt?: number }) => {
      if (emitted) return;
      emitted = true;
      this.latency(clock, handle.replyId, t);
    };
    void handle.firstFrame.then(once);
    void handle.outcome.then(() => once({}));
  }

  /** turn.latency: once per caller turn, when the answer's first frame was heard or the turn ended otherwise. */
  private latency(clock: TurnClock, replyId?: string, t: { ttsJobAt?: number; firstFrameAt?: number; heardAt?: number } = {}): void {
    this.emit({ type: 'turn.latency', ...clock, ...(replyId ? { replyId } : {}), ...t });
  }

  /** Speak on the stream (or keep it for when the stream starts). */
  private speak(text: string, kind: ReplyKind, turn: number): ReplyHandle | null {
    if (this.stopped) return null;
    if (!this.control) {
      this.pending = { text, kind, turn };
      return null;
    }
    this.stopSilence();
    const handle = this.control.speak(text, { turn, kind });
    const current: Current = { handle, text, kind, turn };
    this.current = current;
    void handle.outcome.then((o) => this.onOutcome(current, o));
    return handle;
  }

  private onOutcome(c: Current, o: ReplyOutcome): void {
    if (o.status === 'interrupted' || o.status === 'played' || o.status === 'failed') {
      this.lastHeard = { text: c.text, heardMs: o.heardMs, replyMs: o.replyMs, interrupted: o.status === 'interrupted' };
    }
    if (this.current !== c || this.stopped) return;
    this.current = null;
    if (o.status !== 'played' && o.status !== 'failed') return;
    if (c.kind === 'goodbye') {
      this.ended = 'goodbye';
      this.control?.close('goodbye');
      return;
    }
    this.startSilence();
  }

  private startSilence(): void {
    this.stopSilence();
    if (this.ended || !this.control) return;
    this.silenceTimer = this.d.timers.set(() => this.onSilence(), this.d.settings.GATHER_TIMEOUT_S * 1000);
  }

  private stopSilence(): void {
    if (this.silenceTimer !== null) this.d.timers.clear(this.silenceTimer);
    this.silenceTimer = null;
  }

  private onSilence(): void {
    this.silenceTimer = null;
    if (this.ended || this.stopped || !this.control) return;
    this.silent++;
    const s = this.d.settings;
    this.d.log.info({ callSid: this.d.callSid, silent: this.silent }, 'conversation: no caller speech');
    if (this.silent >= MAX_SILENT_TURNS) this.speak(s.GOODBYE, 'goodbye', this.turn);
    else this.speak(s.REPROMPT, 'reprompt', this.turn);
  }

  /** The operator speaks through the bot (console). */
  say(text: string): CommandResult {
    if (this.ended) return { ok: false, message: 'The conversation has ended' };
    const t = text.trim();
    if (!t) return { ok: false, message: 'Nothing to say' };
    if (this.control?.replying()) this.control.interrupt('transcript');
    this.speak(t, 'operator', this.turn);
    return { ok: true, message: this.control ? 'Speaking on the stream' : 'Will be said when the stream starts' };
  }

  setMuted(muted: boolean): CommandResult {
    if (this.muted !== muted) {
      this.muted = muted;
      this.emit({ type: 'bot.muted', muted });
    }
    return { ok: true, message: muted ? 'The bot will not answer until resumed' : 'The bot answers again' };
  }

  /** Nothing left running (call ended, host stopping). */
  stop(): void {
    this.stopped = true;
    this.stopSilence();
    this.control = null;
    this.current = null;
  }

  private emit(body: CallEventBody): void {
    if (this.stopped) return;
    this.d.registry.apply(this.d.callSid, body, this.d.now());
  }
}
