// The call registry: the single source of truth for calls. Every change is an event applied here.
// Memory per call is capped (maxEventsPerCall): high-rate detail (pacing windows, marks, parts, partials) is evicted
// first, then other bookkeeping; the call's turns (transcripts, bot replies, handoffs, alerts) are never evicted.
// A call with no event for staleMs is closed as interrupted (a missing final status callback), so it leaves memory.
import type { Call, CallEvent, CallEventBody } from '../../shared/model';
import { applyEvent } from './transitions';

export type Clock = () => number;
export type RegistryListener = (event: CallEvent, call: Call) => void;

export interface RegistryOptions {
  now?: Clock;
  /** Ended calls stay in the live list this long before leaving for history. */
  lingerMs?: number;
  /** Keep at most this many events in memory per call (history on disk keeps them all). */
  maxEventsPerCall?: number;
  /** A call with no event for this long is ended as interrupted by sweep(); 0 = never. */
  staleMs?: number;
}

/** Evicted first: many per second while the bot speaks. */
const DETAIL = new Set<CallEventBody['type']>(['pacing', 'mark', 'tts.part', 'transcript.partial', 'caller.speech', 'clear']);
/** Never evicted: what the call was (who called, what was said and answered, handoffs, alerts, how it ended). */
const TURNS = new Set<CallEventBody['type']>(['call.started', 'transcript', 'bot.reply', 'handoff', 'alert', 'call.ended']);

/** Drop `excess` events: the oldest detail first, then the oldest bookkeeping; turns stay. Pure (returns a new list). */
export function evictEvents(list: CallEvent[], excess: number): CallEvent[] {
  if (excess <= 0) return list;
  const drop = new Set<number>();
  for (const tier of [DETAIL, null] as const) {
    for (let i = 0; i < list.length && drop.size < excess; i++) {
      const type = list[i]!.type;
      if (drop.has(i) || TURNS.has(type)) continue;
      if (tier === null || tier.has(type)) drop.add(i);
    }
  }
  return drop.size ? list.filter((_, i) => !drop.has(i)) : list;
}

export class CallRegistry {
  private readonly calls = new Map<string, Call>();
  private readonly events = new Map<string, CallEvent[]>();
  private readonly listeners = new Set<RegistryListener>();
  private readonly removedListeners = new Set<(callSid: string) => void>();
  private readonly now: Clock;
  private readonly lingerMs: number;
  private readonly maxEvents: number;
  private readonly staleMs: number;
  private readonly lastEventAt = new Map<string, number>();
  private seq = 0;

  constructor(options: RegistryOptions = {}) {
    this.now = options.now ?? Date.now;
    this.lingerMs = options.lingerMs ?? 60_000;
    this.maxEvents = options.maxEventsPerCall ?? 5000;
    this.staleMs = options.staleMs ?? 0;
  }

  /** Stamp and apply one event; listeners see it with the call as it is afterwards. */
  apply(callSid: string, body: CallEventBody, at: number = this.now()): CallEvent {
    const event = { ...body, callSid, at, seq: ++this.seq } as CallEvent;
    const call = applyEvent(this.calls.get(callSid), event);
    this.calls.set(callSid, call);
    let list = this.events.get(callSid);
    if (!list) this.events.set(callSid, (list = []));
    list.push(event);
    // evict a tenth at a time so the pass over the list is paid once per maxEvents/10 events
    if (list.length > this.maxEvents) this.events.set(callSid, evictEvents(list, list.length - this.maxEvents + Math.ceil(this.maxEvents / 10)));
    this.lastEventAt.set(callSid, this.now());
    for (const listener of this.listeners) {
      try {
        listener(event, call);
      } catch {
        // a faulty listener must not stop the others or the caller of apply()
      }
    }
    return event;
  }

  get(callSid: string): Call | undefined {
    return this.calls.get(callSid);
  }

  has(callSid: string): boolean {
    return this.calls.has(callSid);
  }

  eventsOf(callSid: string): CallEvent[] {
    return this.events.get(callSid)?.slice() ?? [];
  }

  /** Calls in the live list, newest first. */
  list(): Call[] {
    return [...this.calls.values()].sort((a, b) => b.startedAt - a.startedAt);
  }

  active(): Call[] {
    return this.list().filter((c) => c.state !== 'ended');
  }

  /** Drop ended calls older than the linger time from memory (history keeps them). Returns removed callSids. */
  sweep(now: number = this.now()): string[] {
    this.closeStale(now);
    const removed: string[] = [];
    for (const [sid, call] of this.calls) {
      if (call.state === 'ended' && (call.endedAt ?? 0) + this.lingerMs <= now) {
        this.calls.delete(sid);
        this.events.delete(sid);
        this.lastEventAt.delete(sid);
        removed.push(sid);
      }
    }
    for (const sid of removed) for (const l of this.removedListeners) l(sid);
    return removed;
  }

  /** End calls with no event for staleMs as interrupted (their history file is closed by the listener). */
  closeStale(now: number = this.now()): string[] {
    if (this.staleMs <= 0) return [];
    const closed: string[] = [];
    for (const [sid, call] of this.calls) {
      if (call.state === 'ended' || (this.lastEventAt.get(sid) ?? call.startedAt) + this.staleMs > now) continue;
      const minutes = Math.round(this.staleMs / 60_000);
      this.apply(sid, { type: 'call.ended', reason: `no events for ${minutes} min: closed as interrupted`, interrupted: true }, now);
      closed.push(sid);
    }
    return closed;
  }

  onEvent(listener: RegistryListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  onRemoved(listener: (callSid: string) => void): () => void {
    this.removedListeners.add(listener);
    return () => this.removedListeners.delete(listener);
  }
}

/** Mask the middle digits of a phone number for display (+82 10-••••-5678): country code, first 2 and last 4 digits stay. */
export function maskNumber(number: string): string {
  if (!number) return '';
  if (!/^\+?\d{6,}$/.test(number)) return number.startsWith('client:') ? 'client:••••' : number;
  const digits = number.replace(/^\+/, '');
  const plus = number.startsWith('+') ? '+' : '';
  const cc = plus ? (digits.startsWith('1') ? '1' : digits.slice(0, 2)) : '';
  const rest = digits.slice(cc.length);
  const last = rest.slice(-4);
  const head = rest.length >= 8 ? `${rest.slice(0, 2)}-${'•'.repeat(rest.length - 6)}-` : '•'.repeat(Math.max(0, rest.length - 4));
  return `${plus}${cc}${cc ? ' ' : ''}${head}${last}`;
}
