// The media thread's half of the seam (protocol.ts): what the media server needs of the main thread, as messages.
// - registry: events are queued and posted in one message per BATCH_MS (and before any other message, so order holds);
//   the handoff status a `stop` needs is mirrored from the main thread.
// - admission: a round trip (the grants and the registry live on the main thread); the answer also says whether the
//   call has a conversation, which attach() then connects: detector events and the end go to the main thread, its
//   speak / interrupt / pause / resume / close come back as commands.
// - taps: listen-in audio is posted only for calls an operator listens to; every tap's close is posted.
// Thread-agnostic: `post` is the port's postMessage (tests pass a list).
import type { CallEventBody } from '../../../shared/model';
import type { Admission, StartClaim } from '../admission';
import type { MediaTap } from '../tap';
import type { StreamGate } from '../server';
import type { StreamControl, StreamListener, StreamRegistry } from '../session';
import type { FromMedia, ToMedia } from './protocol';

/** Registry events wait at most this long for the rest of their batch. */
export const BATCH_MS = 10;

export interface MediaSideDeps {
  post(message: FromMedia, transfer?: ArrayBuffer[]): void;
  timers: { set(fn: () => void, ms: number): unknown; clear(handle: unknown): void };
  /** Open streams (posted with every batch of events, for the host's health). */
  streams(): number;
  /** A part notice for the TTS pipeline; false when no reply holds the token. */
  partNotice(token: string, notice: Extract<ToMedia, { type: 'partNotice' }>['notice']): boolean;
  /** The call ended (recordings close). */
  callEnded(callSid: string): void;
}

interface Waiting {
  resolve(a: Admission): void;
}

export class MediaSide {
  private events: Array<[string, CallEventBody, number]> = [];
  /** The open-stream count changed since the last batch (posted even with no events). */
  private countChanged = false;
  private batchTimer: unknown = null;
  private nextId = 1;
  private readonly waiting = new Map<number, Waiting>();
  private readonly tickets = new WeakMap<object, number>();
  /** By callSid, from the admission answer: whether the stream belongs to a conversation, when the call started. */
  private readonly admitted = new Map<string, { conversation: boolean; startedAt?: number }>();
  private readonly handoff = new Map<string, string>();
  private readonly listened = new Set<string>();
  private readonly controls = new Map<string, StreamControl>();
  /** Admitted streams of a conversation not attached yet, by streamSid: commands that came right behind the answer
   *  (a process delivers several messages in one turn, before the session's admission continuation has run). */
  private readonly early = new Map<string, { callSid: string; queue: Array<Extract<ToMedia, { type: 'speak' | 'control' }>> }>();
  private readonly admitting = new Map<number, string>();

  constructor(private readonly d: MediaSideDeps) {}

  readonly registry: StreamRegistry = {
    apply: (callSid, body, at) => {
      this.events.push([callSid, body, at]);
      if (this.batchTimer === null) this.batchTimer = this.d.timers.set(() => this.flush(), BATCH_MS);
    },
    get: (callSid) => {
      const status = this.handoff.get(callSid);
      return status === undefined ? undefined : { handoff: { status } };
    },
  };

  readonly gate: StreamGate = {
    admit: (claim: StartClaim, ticket: object) => {
      const id = this.nextId++;
      this.tickets.set(ticket, id);
      const { callSid, accountSid, streamSid, customParameters } = claim;
      this.admitting.set(id, streamSid);
      this.post({ type: 'admit', id, claim: { callSid, accountSid, streamSid, customParameters } });
      return new Promise<Admission>((resolve) => this.waiting.set(id, { resolve }));
    },
    release: (ticket) => {
      const id = this.tickets.get(ticket);
      if (id === undefined) return;
      this.tickets.delete(ticket);
      this.post({ type: 'release', id });
    },
  };

  /** MediaDeps.attach: a stream of a call with a conversation reports to it on the main thread. */
  attach = (control: StreamControl): StreamListener | null => {
    if (!this.admitted.get(control.callSid)?.conversation) return null;
    const { streamSid } = control;
    this.controls.set(streamSid, control);
    const early = this.early.get(streamSid)?.queue ?? [];
    this.early.delete(streamSid);
    if (early.length) queueMicrotask(() => early.forEach((m) => this.receive(m))); // after attach() has returned
    return {
      onSpeech: (event) => this.post({ type: 'speech', streamSid, event }),
      onEnded: (reason) => {
        this.controls.delete(streamSid);
        this.post({ type: 'ended', streamSid, reason });
      },
    };
  };

  /** When the call started (recordings file under that day). */
  startedAt = (callSid: string): number | undefined => this.admitted.get(callSid)?.startedAt;

  /** The listen-in relay of one stream. */
  tap(callSid: string, streamSid: string): MediaTap {
    return {
      inbound: (mulaw, mediaMs, at) => {
        if (this.listened.has(callSid)) this.post({ type: 'tap', streamSid, op: 'in', audio: mulaw.slice(), mediaMs, at });
      },
      outbound: (mulaw, playAt) => {
        if (this.listened.has(callSid)) this.post({ type: 'tap', streamSid, op: 'out', audio: mulaw.slice(), playAt });
      },
      cleared: (at) => {
        if (this.listened.has(callSid)) this.post({ type: 'tap', streamSid, op: 'cleared', at });
      },
      close: () => this.post({ type: 'closed', streamSid }),
    };
  }

  /** A message from the main thread. Never throws. */
  receive(m: ToMedia): void {
    switch (m.type) {
      case 'admitted': {
        const w = this.waiting.get(m.id);
        const streamSid = this.admitting.get(m.id);
        this.waiting.delete(m.id);
        this.admitting.delete(m.id);
        if (m.admission.ok) this.admitted.set(m.admission.callSid, { conversation: m.conversation, startedAt: m.startedAt });
        if (m.admission.ok && m.conversation && streamSid && w) this.early.set(streamSid, { callSid: m.admission.callSid, queue: [] });
        return w?.resolve(m.admission);
      }
      case 'speak':
        if (this.early.has(m.streamSid)) return void this.early.get(m.streamSid)!.queue.push(m);
        return this.speak(m);
      case 'control': {
        if (this.early.has(m.streamSid)) return void this.early.get(m.streamSid)!.queue.push(m);
        const c = this.controls.get(m.streamSid);
        if (!c) return;
        if (m.op === 'interrupt') return c.interrupt(m.trigger);
        if (m.op === 'pause') return c.pause(m.reason);
        if (m.op === 'resume') return c.resume();
        return c.close(m.reason);
      }
      case 'handoff':
        this.handoff.set(m.callSid, m.status);
        return;
      case 'listen':
        if (m.on) this.listened.add(m.callSid);
        else this.listened.delete(m.callSid);
        return;
      case 'callEnded':
        for (const [sid, e] of this.early) if (e.callSid === m.callSid) this.early.delete(sid);
        this.admitted.delete(m.callSid);
        this.handoff.delete(m.callSid);
        this.listened.delete(m.callSid);
        return this.d.callEnded(m.callSid);
      case 'partNotice':
        this.d.partNotice(m.token, m.notice);
        return;
      case 'stop':
        return; // the entry (worker.ts) stops the servers
    }
  }

  /** Admissions still waiting are refused (the main thread is gone or stopping). */
  abandon(): void {
    for (const w of this.waiting.values()) w.resolve({ ok: false, reason: 'no-grant', code: 1011, message: 'the host is stopping' });
    this.waiting.clear();
  }

  /** The media server's socket count changed: the host hears it with the next batch (MAX_STREAMS across workers). */
  streamsChanged(): void {
    this.countChanged = true;
    if (this.batchTimer === null) this.batchTimer = this.d.timers.set(() => this.flush(), BATCH_MS);
  }

  /** Posts the queued registry events (and the open-stream count) now. */
  flush(): void {
    if (this.batchTimer !== null) this.d.timers.clear(this.batchTimer);
    this.batchTimer = null;
    if (!this.events.length && !this.countChanged) return;
    this.countChanged = false;
    const events = this.events;
    this.events = [];
    this.d.post({ type: 'events', events, streams: this.d.streams() });
  }

  /** Every other message leaves after the events queued before it. */
  post(message: FromMedia): void {
    this.flush();
    this.d.post(message);
  }

  private speak(m: Extract<ToMedia, { type: 'speak' }>): void {
    const { streamSid, replyId } = m;
    const c = this.controls.get(streamSid);
    if (!c) {
      const outcome = { status: 'cancelled' as const, reason: 'stream ended', heardMs: 0, replyMs: 0, pausedMs: 0 };
      return this.post({ type: 'outcome', streamSid, replyId, outcome });
    }
    const handle = c.speak(m.text, { kind: m.kind, replyId, ...(m.turn !== undefined ? { turn: m.turn } : {}) });
    void handle.firstFrame.then((times) => this.post({ type: 'firstFrame', streamSid, replyId, times: { ...times } }));
    void handle.outcome.then((outcome) => this.post({ type: 'outcome', streamSid, replyId, outcome: { ...outcome } }));
  }
}
