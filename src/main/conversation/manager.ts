// The conversations of the host, keyed by callSid: created when /voice_stream (or /handle_speech in REPLY_MODE=
// stream) hands a call to the stream, attached when its stream starts, fed by /transcription, dropped when the call
// ends. Owns the transcription dedupe and the bot. stop() leaves no conversation and no timer behind.
import type { CommandResult, ReplyKind } from '../../shared/model';
import type { StreamControl, StreamListener } from '../media/session';
import { createBot, type Bot } from './bot';
import { Conversation, type ConversationDeps } from './conversation';
import { parseTranscriptionCallback, TranscriptionDedupe } from './transcription';

/** What every conversation needs (ConversationDeps without its call), and optionally the bot (default: createBot). */
export type ConversationManagerDeps = Omit<ConversationDeps, 'callSid' | 'bot'> & { bot?: Bot };

export type TranscriptionResult = { status: 'accepted' | 'duplicate' | 'unknown-call' } | { status: 'invalid'; error: string };

export class ConversationManager {
  private readonly conversations = new Map<string, Conversation>();
  private readonly dedupe = new TranscriptionDedupe();
  private readonly bot: Bot;
  private readonly offEvents: () => void;
  private readonly offRemoved: () => void;

  constructor(private readonly d: ConversationManagerDeps) {
    const s = d.settings;
    this.bot = d.bot ?? createBot({ botUrl: s.BOT_URL, timeoutMs: s.BOT_TIMEOUT_MS, keywords: s.HANDOFF_KEYWORDS, log: d.log, now: d.now });
    this.offEvents = d.registry.onEvent((event, call) => {
      if (event.type === 'call.ended' || call.state === 'ended') this.drop(event.callSid);
    });
    this.offRemoved = d.registry.onRemoved((sid) => this.drop(sid));
  }

  /** The call goes to the stream: a new conversation whose first words are `first` (default: GREETING). */
  create(callSid: string, first: { text: string; kind: ReplyKind } = { text: this.d.settings.GREETING, kind: 'greeting' }): Conversation {
    this.conversations.get(callSid)?.stop();
    const c = new Conversation({ callSid, settings: this.d.settings, registry: this.d.registry, log: this.d.log.child({ callSid }), bot: this.bot, handoff: this.d.handoff, timers: this.d.timers, now: this.d.now }, first);
    this.conversations.set(callSid, c);
    return c;
  }

  get(callSid: string): Conversation | undefined {
    return this.conversations.get(callSid);
  }

  has(callSid: string): boolean {
    return this.conversations.has(callSid);
  }

  get size(): number {
    return this.conversations.size;
  }

  /** MediaDeps.attach: the stream of a call with a conversation speaks for it; other streams fall back to their text. */
  attach = (control: StreamControl): StreamListener | null => {
    const c = this.conversations.get(control.callSid);
    return c && !c.ended ? c.attach(control) : null;
  };

  /** POST /transcription, already signature-checked. */
  onTranscription(params: Record<string, string | undefined>): TranscriptionResult {
    const parsed = parseTranscriptionCallback(params);
    if (!parsed.ok) return { status: 'invalid', error: parsed.error };
    const cb = parsed.value;
    const c = this.conversations.get(cb.callSid);
    if (!c) {
      this.d.log.info({ callSid: cb.callSid, kind: cb.kind }, 'transcription callback for a call with no conversation');
      return { status: 'unknown-call' };
    }
    if (!this.dedupe.accept(cb)) return { status: 'duplicate' };
    c.onTranscription(cb, this.d.registry.get(cb.callSid)?.simulated === true);
    return { status: 'accepted' };
  }

  /** The operator speaks through the bot. */
  say(callSid: string, text: string, _kind: 'operator' = 'operator'): CommandResult {
    const c = this.conversations.get(callSid);
    return c ? c.say(text) : { ok: false, message: 'This call has no streamed conversation' };
  }

  setMuted(callSid: string, muted: boolean): CommandResult {
    const c = this.conversations.get(callSid);
    return c ? c.setMuted(muted) : { ok: false, message: 'This call has no streamed conversation' };
  }

  private drop(callSid: string): void {
    const c = this.conversations.get(callSid);
    if (!c) return;
    c.stop();
    this.conversations.delete(callSid);
    this.dedupe.forget(callSid);
  }

  stop(): void {
    for (const c of this.conversations.values()) c.stop();
    this.conversations.clear();
    this.offEvents();
    this.offRemoved();
  }
}
