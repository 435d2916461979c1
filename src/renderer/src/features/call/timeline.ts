// The conversation as the operator reads it, derived from a call's events (pure).
// Caller turns: Real-Time Transcription partials grow one provisional bubble that the turn's final transcript
// replaces in place. Bot turns: one bubble per reply with its kind, how its answer was decided, the pauses a
// barge-in detector made (yielded, then resumed: a marker, never an interruption), an interruption (how much
// of the reply the caller heard) and the turn's latency waterfall. Everything else is a quiet inline line.
import type { AlertKind, BargeInDecision, CallEvent, DecidedBy, HandoffSource, HandoffStatus, ReplyKind } from '../../../../shared/model';
import type { TurnLatency } from './latency';

export interface Decision {
  turn: number;
  decidedBy: DecidedBy;
  ms: number;
  action: 'say' | 'handoff' | 'hangup';
  error?: string;
}

/** The bot yielded at the first sign of caller sound; open until the detector resumed (or interrupted) it. */
export interface Pause {
  key: string;
  at: number;
  trigger?: 'vad' | 'transcript';
  probability?: number;
  open: boolean;
  verdict?: 'speech' | 'backchannel' | 'noise' | 'echo';
  pauseMs?: number;
  /** What the transcription heard during the pause (e.g. 네), when it heard anything. */
  words?: string;
}

export interface Interruption {
  heardMs: number;
  replyMs: number;
  speechMs?: number;
  trigger?: 'vad' | 'transcript';
  detectionLatencyMs?: number;
}

export type CallerItem = {
  kind: 'caller';
  key: string;
  at: number;
  text: string;
  confidence?: number;
  latencyMs?: number;
  turn?: number;
  source?: 'gather' | 'stream' | 'transcription';
  /** The demo's simulated transcription, not a real engine. */
  scripted?: boolean;
  /** Still being spoken: the latest partial (the final transcript replaces it). */
  provisional?: { stability?: number };
};

export type BotItem = {
  kind: 'bot';
  key: string;
  at: number;
  text: string;
  via: 'say' | 'stream' | 'prompt';
  replyKind?: ReplyKind;
  replyId?: string;
  turn?: number;
  ttfaMs?: number;
  outcome?: 'failed' | 'cancelled';
  error?: string;
  decision?: Decision;
  pauses: Pause[];
  interrupted?: Interruption;
  latency?: TurnLatency;
};

export type SystemWhat = 'stream.started' | 'stream.stopped' | 'ended' | 'status' | 'error' | 'transcription' | 'muted' | 'alert';

export type ConversationItem =
  | CallerItem
  | BotItem
  | { kind: 'bargein'; key: string; at: number; heardMs: number; replyMs: number; speechMs?: number; detectionLatencyMs?: number; trigger?: 'vad' | 'transcript' }
  | { kind: 'decision'; key: string; at: number; decision: Decision }
  | { kind: 'latency'; key: string; at: number; latency: TurnLatency }
  | { kind: 'dtmf'; key: string; at: number; digit: string }
  | { kind: 'handoff'; key: string; at: number; status: HandoffStatus; source: HandoffSource; message?: string; code?: number }
  | {
      kind: 'system';
      key: string;
      at: number;
      what: SystemWhat;
      detail?: string;
      /** transcription: started | stopped | error; muted: on | off. */
      status?: string;
      code?: string;
      alertKind?: AlertKind;
    };

/** Twilio statuses worth a line in the conversation (the rest live in the events log). */
const NOTABLE_STATUS = new Set(['busy', 'failed', 'no-answer', 'canceled']);
/** Alerts that only exist as events (the rest are already told by their own line: TTS failure, handoff failure). */
const INLINE_ALERTS = new Set<AlertKind>(['transcription_error', 'bot_error']);
/** Verdicts after which the reply went on: the sound was not the caller taking the turn. */
const NOT_A_TURN = new Set(['backchannel', 'noise', 'echo']);

export function conversationOf(events: readonly CallEvent[]): ConversationItem[] {
  const items: ConversationItem[] = [];
  const dropped = new Set<ConversationItem>();
  const botByReply = new Map<string, BotItem>();
  const botByTurn = new Map<number, BotItem>();
  const decisionItems = new Map<number, Extract<ConversationItem, { kind: 'decision' }>>();
  let lastBot: BotItem | undefined;
  /** The caller bubble partials are growing, and the pause it started in (if any). */
  let provisional: { item: CallerItem; pause?: Pause } | undefined;
  let openPause: Pause | undefined;
  let transcriptionErrorShown = false;
  /**
   * Caller bubbles are keyed by their place among the caller's utterances, not by an event's seq: the store keeps
   * only the latest partial of an utterance, so the event that started a bubble is gone by the next partial, and
   * a key taken from it would remount the bubble on every word.
   */
  let utterances = 0;
  const callerKey = () => `c${++utterances}`;

  const botFor = (replyId: string | undefined) => (replyId && botByReply.get(replyId)) || lastBot;

  for (const e of events) {
    const key = `e${e.seq}`;
    switch (e.type) {
      case 'transcript.partial': {
        if (!e.text.trim()) break;
        if (provisional) {
          provisional.item.text = e.text;
          provisional.item.provisional = { stability: e.stability };
          if (e.scripted) provisional.item.scripted = true;
        } else {
          const item: CallerItem = { kind: 'caller', key: callerKey(), at: e.at, text: e.text, scripted: e.scripted || undefined, provisional: { stability: e.stability } };
          items.push(item);
          provisional = { item, pause: openPause };
        }
        if (openPause) openPause.words = e.text;
        break;
      }
      case 'transcript': {
        if (e.backchannel) {
          // 네 / 음 while the bot spoke: not a turn — it belongs to the pause it caused (or a quiet one on the reply)
          if (provisional) dropped.add(provisional.item);
          const pause = provisional?.pause ?? openPause ?? lastBot?.pauses.at(-1);
          provisional = undefined;
          if (pause) pause.words = e.text;
          else lastBot?.pauses.push({ key, at: e.at, open: false, verdict: 'backchannel', words: e.text });
          break;
        }
        const final = { text: e.text, confidence: e.confidence, latencyMs: e.latencyMs, turn: e.turn, source: e.source, scripted: e.scripted || provisional?.item.scripted || undefined };
        if (provisional) {
          // the final replaces the growing bubble where it stands (same key: no jump, no flicker)
          Object.assign(provisional.item, final, { provisional: undefined });
          provisional = undefined;
        } else {
          items.push({ kind: 'caller', key: callerKey(), at: e.at, ...final });
        }
        if (openPause && !openPause.words) openPause.words = e.text;
        break;
      }
      case 'prompt':
        items.push((lastBot = { kind: 'bot', key, at: e.at, text: e.text, via: 'prompt', pauses: [] }));
        break;
      case 'bot.reply': {
        const bot: BotItem = { kind: 'bot', key, at: e.at, text: e.text, via: e.via, replyId: e.replyId, turn: e.turn, replyKind: e.kind, pauses: [] };
        items.push(bot);
        lastBot = bot;
        if (e.replyId) botByReply.set(e.replyId, bot);
        if (e.turn !== undefined && !botByTurn.has(e.turn)) {
          botByTurn.set(e.turn, bot);
          const waiting = decisionItems.get(e.turn);
          if (waiting) {
            bot.decision = waiting.decision;
            dropped.add(waiting);
          }
        }
        break;
      }
      case 'bot.decision': {
        const decision: Decision = { turn: e.turn, decidedBy: e.decidedBy, ms: e.ms, action: e.action, error: e.error };
        const bot = botByTurn.get(e.turn);
        if (bot) bot.decision = decision;
        else {
          const item = { kind: 'decision' as const, key, at: e.at, decision };
          items.push(item);
          decisionItems.set(e.turn, item);
        }
        break;
      }
      case 'turn.latency': {
        const bot = (e.replyId && botByReply.get(e.replyId)) || botByTurn.get(e.turn);
        if (bot) bot.latency = e;
        else items.push({ kind: 'latency', key, at: e.at, latency: e });
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
        // records from before barge-in decisions existed carry no decision: they were all interruptions
        const decision: BargeInDecision = e.decision ?? 'interrupted';
        const bot = botFor(e.replyId);
        if (decision === 'paused') {
          const pause: Pause = { key, at: e.at, trigger: e.trigger, probability: e.probability, open: true };
          bot?.pauses.push(pause);
          openPause = pause;
          break;
        }
        if (decision === 'resumed') {
          const pause = openPause ?? bot?.pauses.find((p) => p.open);
          if (pause) {
            pause.open = false;
            pause.verdict = e.verdict;
            pause.pauseMs = e.pauseMs;
          }
          // a backchannel's partial bubble folds into the pause marker: the caller did not take the turn
          if (provisional && provisional.pause === pause && e.verdict && NOT_A_TURN.has(e.verdict)) {
            if (pause && !pause.words) pause.words = provisional.item.text;
            dropped.add(provisional.item);
            provisional = undefined;
          }
          openPause = undefined;
          break;
        }
        // interrupted: the pause (if there was one) became the interruption
        if (bot) {
          bot.pauses = bot.pauses.filter((p) => !p.open);
          bot.interrupted = { heardMs: e.heardMs, replyMs: e.replyMs, speechMs: e.speechMs, trigger: e.trigger, detectionLatencyMs: e.detectionLatencyMs };
        }
        if (provisional) provisional.pause = undefined;
        openPause = undefined;
        items.push({ kind: 'bargein', key, at: e.at, heardMs: e.heardMs, replyMs: e.replyMs, speechMs: e.speechMs, detectionLatencyMs: e.detectionLatencyMs, trigger: e.trigger });
        break;
      }
      case 'transcription':
        if (e.status === 'error') transcriptionErrorShown = true;
        items.push({ kind: 'system', key, at: e.at, what: 'transcription', status: e.status, detail: e.message, code: e.code });
        break;
      case 'bot.muted':
        items.push({ kind: 'system', key, at: e.at, what: 'muted', status: e.muted ? 'on' : 'off' });
        break;
      case 'alert':
        if (!INLINE_ALERTS.has(e.alert.kind)) break;
        // the transcription's own error line already said it
        if (e.alert.kind === 'transcription_error' && transcriptionErrorShown) break;
        items.push({ kind: 'system', key, at: e.at, what: 'alert', alertKind: e.alert.kind, detail: e.alert.message });
        break;
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
        // nobody is speaking any more: a partial left over is what was last heard, not a turn in progress
        if (provisional) provisional.item.provisional = undefined;
        provisional = undefined;
        items.push({ kind: 'system', key, at: e.at, what: 'ended', detail: e.reason });
        break;
      default:
        break;
    }
  }
  // a bot failure the fallback already explains under its reply needs no second line
  const explained = new Set(items.flatMap((i) => (i.kind === 'bot' && i.decision?.decidedBy === 'fallback' && i.decision.error ? [i.decision.error] : [])));
  for (const i of items) if (i.kind === 'system' && i.alertKind === 'bot_error' && i.detail && explained.has(i.detail)) dropped.add(i);
  return dropped.size ? items.filter((i) => !dropped.has(i)) : items;
}

/** Whether the operator has put the bot on hold (the last `bot.muted` of the call). */
export function botMutedOf(events: readonly CallEvent[]): boolean {
  for (let i = events.length - 1; i >= 0; i--) {
    const e = events[i];
    if (e.type === 'bot.muted') return e.muted;
  }
  return false;
}
