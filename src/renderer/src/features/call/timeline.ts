// The conversation as the operator reads it, derived from a call's events (pure).
import type { CallEvent, HandoffSource, HandoffStatus } from '../../../../shared/model';

export type ConversationItem =
  | { kind: 'caller'; key: string; at: number; text: string; confidence?: number; latencyMs?: number; dtmf?: false }
  | {
      kind: 'bot';
      key: string;
      at: number;
      text: string;
      via: 'say' | 'stream' | 'prompt';
      replyId?: string;
      /** ops: the operator's words (bot.reply kind operator), not the bot's. */
      operator?: boolean;
      ttfaMs?: number;
      outcome?: 'failed' | 'cancelled';
      error?: string;
      heardMs?: number;
      replyMs?: number;
    }
  | { kind: 'bargein'; key: string; at: number; heardMs: number; replyMs: number; detectionLatencyMs: number }
  | { kind: 'dtmf'; key: string; at: number; digit: string }
  | { kind: 'handoff'; key: string; at: number; status: HandoffStatus; source: HandoffSource; message?: string; code?: number }
  | { kind: 'system'; key: string; at: number; what: 'stream.started' | 'stream.stopped' | 'ended' | 'status' | 'error'; detail?: string };

/** Twilio statuses worth a line in the conversation (the rest live in the events log). */
const NOTABLE_STATUS = new Set(['busy', 'failed', 'no-answer', 'canceled']);

export function conversationOf(events: readonly CallEvent[]): ConversationItem[] {
  const items: ConversationItem[] = [];
  const botByReply = new Map<string, Extract<ConversationItem, { kind: 'bot' }>>();
  let lastBot: Extract<ConversationItem, { kind: 'bot' }> | undefined;
  for (const e of events) {
    const key = `e${e.seq}`;
    switch (e.type) {
      case 'transcript':
        items.push({ kind: 'caller', key, at: e.at, text: e.text, confidence: e.confidence, latencyMs: e.latencyMs });
        break;
      case 'prompt':
        items.push((lastBot = { kind: 'bot', key, at: e.at, text: e.text, via: 'prompt' }));
        break;
      case 'bot.reply': {
        const bot: Extract<ConversationItem, { kind: 'bot' }> = { kind: 'bot', key, at: e.at, text: e.text, via: e.via, replyId: e.replyId, ...(e.kind === 'operator' ? { operator: true } : {}) };
        items.push(bot);
        lastBot = bot;
        if (e.replyId) botByReply.set(e.replyId, bot);
        break;
      }
      case 'tts.job': {
        const bot = botByReply.get(e.replyId);
        if (!bot) {
          if (e.status === 'failed') items.push({ kind: 'system', key, at: e.at, what: 'error', detail: e.error ?? 'TTS failed' });
          break;
        }
        if (e.firstAudioMs !== undefined) bot.ttfaMs = e.firstAudioMs;
        if (e.status === 'failed' || e.status === 'cancelled') {
          bot.outcome = e.status;
          bot.error = e.error;
        }
        break;
      }
      case 'bargein': {
        const bot = (e.replyId && botByReply.get(e.replyId)) || lastBot;
        if (bot) {
          bot.heardMs = e.heardMs;
          bot.replyMs = e.replyMs;
        }
        items.push({ kind: 'bargein', key, at: e.at, heardMs: e.heardMs, replyMs: e.replyMs, detectionLatencyMs: e.detectionLatencyMs ?? 0 });
        break;
      }
      case 'dtmf':
        items.push({ kind: 'dtmf', key, at: e.at, digit: e.digit });
        break;
      case 'handoff':
        items.push({ kind: 'handoff', key, at: e.at, status: e.status, source: e.source, message: e.message, code: e.code });
        break;
      case 'stream.started':
        items.push({ kind: 'system', key, at: e.at, what: 'stream.started' });
        break;
      case 'stream.stopped':
        items.push({ kind: 'system', key, at: e.at, what: 'stream.stopped', detail: e.reason });
        break;
      case 'call.status':
        if (NOTABLE_STATUS.has(e.status)) items.push({ kind: 'system', key, at: e.at, what: 'status', detail: e.status });
        break;
      case 'error':
        items.push({ kind: 'system', key, at: e.at, what: 'error', detail: e.message });
        break;
      case 'call.ended':
        items.push({ kind: 'system', key, at: e.at, what: 'ended', detail: e.reason });
        break;
      default:
        break;
    }
  }
  return items;
}
