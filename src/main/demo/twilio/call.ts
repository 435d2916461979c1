// One simulated inbound call as Twilio runs it: status callbacks, the voice webhook, then the TwiML verbs until the
// call ends. A REST update interrupts whatever verb runs, as on Twilio (a stream gets `stop`, the new TwiML runs).
// <Start><Transcription> runs beside the verbs until <Stop><Transcription> or the end of the call.
import { runDial } from './dial-verb';
import { playPrompts, runGather } from './gather-verb';
import { runStream } from './stream-verb';
import { SimTranscription } from './transcription';
import { parseTwiml, TwimlError, type Method, type StartTranscriptionVerb, type Verb } from './twiml';
import type { Caller, Params, SimAction, TwilioSide, VerbContext, Webhook } from './types';

export interface SimulatedCallOptions {
  side: TwilioSide;
  caller: Caller;
  from: string;
  to: string;
  /** The number's voice URL and status callback URL (public URLs, as configured on a Twilio number). */
  voiceUrl: string;
  statusCallback?: string;
  /** Multiplies every simulated wait (Say, the caller's speech, timeouts, ringing); 1 = real time. */
  speed?: number;
  onAction?: (action: SimAction) => void;
  /** Randomness of the call's timing (transcription end-pointing, retries); Math.random when absent. */
  random?: () => number;
  /** Share of transcription events posted twice, as a Twilio retry (default 0.1; 0 never). */
  transcriptionDuplicateRate?: number;
}

/** Twilio retries a transcription callback that got one of these, up to three times (error 17580). */
const RETRIED_STATUSES = new Set([408, 425, 429]);
const CALLBACK_RETRIES = 3;
const RETRY_DELAY_MS = 200;

type Doc = { verbs: Verb[]; url?: string };
type Next = { kind: 'doc'; doc: Doc } | { kind: 'fetch'; hook: Webhook } | { kind: 'end'; reason: string };
type Interrupt = { kind: 'hangup'; reason: string } | { kind: 'twiml'; xml: string } | { kind: 'url'; url: string; method: Method };

/** Thrown into a running verb when the call is interrupted. */
export class Interrupted extends Error {
  constructor() {
    super('interrupted');
    this.name = 'Interrupted';
  }
}

export interface CallEnd {
  reason: string;
}

export class SimulatedCall {
  readonly callSid: string;
  private state: 'new' | 'ringing' | 'in-progress' | 'ended' = 'new';
  private controller = new AbortController();
  private readonly watchdog = new AbortController();
  private interrupt: Interrupt | null = null;
  private statusSequence = 0;
  private startedAt = 0;
  private answeredAt?: number;
  private callbacks: Promise<void> = Promise.resolve();
  private readonly background = new Set<Promise<unknown>>();
  private gatherTurns = 0;
  private streamTurns = 0;
  private readonly transcriptions: SimTranscription[] = [];
  private endedResolve!: (end: CallEnd) => void;
  /** Resolves once the call has ended and every callback was delivered. */
  readonly ended: Promise<CallEnd> = new Promise((resolve) => (this.endedResolve = resolve));

  constructor(private readonly o: SimulatedCallOptions) {
    this.callSid = o.side.newCallSid();
  }

  get live(): boolean {
    return this.state === 'ringing' || this.state === 'in-progress';
  }

  /** Rings our host and fetches the voice URL; resolves once the call is answered, rejects if the host refused it. */
  async place(): Promise<void> {
    if (this.state !== 'new') throw new Error(`call ${this.callSid} was already placed`);
    this.state = 'ringing';
    this.startedAt = this.o.side.now();
    this.track(
      this.o.side
        .sleep(this.o.caller.maxCallMs, this.watchdog.signal)
        .then(() => void this.hangup('the caller hung up (time limit)'))
        .catch(() => undefined),
    );
    this.status('initiated');
    await this.status('ringing');
    let first: Doc;
    try {
      first = await this.fetch({ url: this.o.voiceUrl, method: 'POST', params: {} });
    } catch (err) {
      const message = errorMessage(err);
      this.act({ type: 'error', message });
      await this.finish(`application error: ${message}`);
      throw new Error(`The host refused the simulated call: ${message}`);
    }
    this.state = 'in-progress';
    this.answeredAt = this.o.side.now();
    this.status('in-progress');
    void this.loop(first); // not tracked: it ends with finish(), which waits for everything tracked
  }

  /** A REST update (Calls/{sid}.json) from the stand-in. Returns false when the call is not live (Twilio 21220). */
  update(form: Params): boolean {
    if (!this.live) return false;
    this.act({ type: 'rest', form });
    if (form.Status === 'completed' || form.Status === 'canceled') this.interruptWith({ kind: 'hangup', reason: 'hung up through the REST API' });
    else if (form.Twiml) this.interruptWith({ kind: 'twiml', xml: form.Twiml });
    else if (form.Url) this.interruptWith({ kind: 'url', url: form.Url, method: form.Method === 'GET' ? 'GET' : 'POST' });
    return true;
  }

  /** The caller hangs up. Resolves when the call has ended. */
  hangup(reason = 'the caller hung up'): Promise<CallEnd> {
    if (this.live) this.interruptWith({ kind: 'hangup', reason });
    return this.ended;
  }

  private interruptWith(i: Interrupt): void {
    if (this.interrupt?.kind === 'hangup') return; // a hang-up wins over anything after it
    this.interrupt = i;
    this.controller.abort();
  }

  private async loop(first: Doc): Promise<void> {
    let next: Next = { kind: 'doc', doc: first };
    while (next.kind !== 'end') {
      try {
        if (this.interrupt) throw new Interrupted();
        next = next.kind === 'doc' ? await this.runVerbs(next.doc) : { kind: 'doc', doc: await this.guard(this.track(this.fetch(next.hook))) };
      } catch (err) {
        next = await this.recover(err);
      }
    }
    await this.finish(next.reason);
  }

  private async recover(err: unknown): Promise<Next> {
    const i = this.interrupt;
    if (!i) {
      // Twilio says "an application error has occurred" and hangs up
      const message = errorMessage(err);
      this.act({ type: 'error', message });
      return { kind: 'end', reason: `application error: ${message}` };
    }
    this.interrupt = null;
    this.controller = new AbortController();
    if (i.kind === 'hangup') return { kind: 'end', reason: i.reason };
    if (i.kind === 'url') return { kind: 'fetch', hook: { url: i.url, method: i.method, params: {} } };
    try {
      return { kind: 'doc', doc: { verbs: parseTwiml(i.xml) } };
    } catch (parseErr) {
      return this.recover(parseErr);
    }
  }

  private async runVerbs(doc: Doc): Promise<Next> {
    for (const verb of doc.verbs) {
      switch (verb.verb) {
        case 'say':
        case 'pause':
        case 'play':
          await playPrompts(this.context(), [verb]);
          break;
        case 'gather': {
          const outcome = await runGather(this.context(), verb, this.gatherTurns++);
          if (outcome.kind === 'hangup') return { kind: 'end', reason: 'the caller hung up' };
          if (outcome.kind === 'action') return { kind: 'fetch', hook: { url: verb.action, method: verb.method, params: outcome.params } };
          break;
        }
        case 'connect-stream':
          await runStream(this.context(), verb, this.streamTurns++);
          if (verb.action) return { kind: 'fetch', hook: { url: verb.action, method: verb.method, params: {} } };
          break;
        case 'dial': {
          const params = await runDial(this.context(), verb);
          if (verb.action) return { kind: 'fetch', hook: { url: verb.action, method: verb.method, params } };
          break;
        }
        case 'start-transcription':
          this.startTranscription(verb);
          break;
        case 'stop-transcription':
          this.stopTranscriptions(verb.name);
          break;
        case 'redirect':
          return { kind: 'fetch', hook: { url: verb.url, method: verb.method, params: {} } };
        case 'hangup':
          return { kind: 'end', reason: 'the bot hung up (<Hangup>)' };
        case 'reject':
          return { kind: 'end', reason: 'the bot rejected the call (<Reject>)' };
      }
    }
    return { kind: 'end', reason: 'the TwiML ended' };
  }

  private async fetch(hook: Webhook): Promise<Doc> {
    const callStatus = this.state === 'in-progress' ? 'in-progress' : 'ringing';
    const params = { ...this.o.side.callParams({ callSid: this.callSid, from: this.o.from, to: this.o.to, callStatus, direction: 'inbound' }), ...hook.params };
    const answer = await this.o.side.request({ ...hook, params });
    this.act({ type: 'webhook', url: hook.url, params: hook.params, status: answer.status });
    if (answer.status < 200 || answer.status >= 300) throw new TwimlError(`HTTP ${answer.status} from ${hook.url} (Twilio 11200)`);
    return { verbs: parseTwiml(answer.body, hook.url), url: hook.url };
  }

  /** Call progress callback (StatusCallbackEvent); resolves when delivered. */
  private status(callStatus: string, extra: Params = {}): Promise<void> {
    const sequence = this.statusSequence++;
    this.act({ type: 'status', status: callStatus, sequence, callSid: this.callSid });
    if (!this.o.statusCallback) return this.callbacks;
    const params = {
      ...this.o.side.callParams({ callSid: this.callSid, from: this.o.from, to: this.o.to, callStatus, direction: 'inbound' }),
      SequenceNumber: String(sequence),
      CallbackSource: 'call-progress-events',
      Timestamp: new Date(this.o.side.now()).toUTCString(),
      ...extra,
    };
    return this.enqueue({ url: this.o.statusCallback, method: 'POST', params });
  }

  /** Delivers a callback after the ones before it; `retry` re-sends on 5xx/408/425/429 like Twilio. */
  private enqueue(hook: Webhook, retry = false): Promise<void> {
    this.callbacks = this.callbacks.then(async () => {
      for (let attempt = 0; ; attempt++) {
        try {
          const answer = await this.o.side.request(hook);
          this.act({ type: 'webhook', url: hook.url, params: hook.params, status: answer.status });
          const retried = answer.status >= 500 || RETRIED_STATUSES.has(answer.status);
          if (!retry || !retried || attempt >= CALLBACK_RETRIES) return;
          await this.o.side.sleep(RETRY_DELAY_MS, new AbortController().signal);
        } catch (err) {
          this.act({ type: 'error', message: `callback to ${hook.url} failed: ${errorMessage(err)}` });
          return;
        }
      }
    });
    return this.callbacks;
  }

  private startTranscription(verb: StartTranscriptionVerb): void {
    if (verb.name && this.transcriptions.some((t) => t.active && t.name === verb.name)) {
      throw new TwimlError(`a transcription named "${verb.name}" is already running on this call`);
    }
    const t = new SimTranscription({
      callSid: this.callSid,
      accountSid: this.o.side.accountSid,
      verb,
      now: () => this.o.side.now(),
      sleep: (ms, signal) => this.o.side.sleep(ms, signal),
      post: (hook) => void this.enqueue(hook, true),
      track: (p) => void this.track(p),
      random: this.o.random ?? Math.random,
      duplicateRate: this.o.transcriptionDuplicateRate ?? 0.1,
    });
    this.transcriptions.push(t);
    this.act({ type: 'transcription', event: 'started', transcriptionSid: t.transcriptionSid, ...(verb.name ? { name: verb.name } : {}) });
  }

  /** Stops the transcription called `name` (every unnamed one when no name is given). */
  private stopTranscriptions(name: string | undefined): void {
    for (const t of this.transcriptions) {
      if (!t.active || t.name !== name) continue;
      t.stop();
      this.act({ type: 'transcription', event: 'stopped', transcriptionSid: t.transcriptionSid, ...(t.name ? { name: t.name } : {}) });
    }
  }

  private async finish(reason: string): Promise<void> {
    const answered = this.answeredAt !== undefined;
    this.state = 'ended';
    this.watchdog.abort();
    this.controller.abort();
    for (const t of this.transcriptions) if (t.active) this.stopTranscriptions(t.name);
    this.act({ type: 'ended', reason });
    const seconds = answered ? Math.max(0, Math.round((this.o.side.now() - this.answeredAt!) / 1000)) : 0;
    await this.status(answered ? 'completed' : 'failed', { CallDuration: String(seconds), Duration: String(Math.ceil(seconds / 60)) });
    while (this.background.size > 0) await Promise.allSettled([...this.background]);
    this.endedResolve({ reason });
  }

  private context(): VerbContext {
    const signal = this.controller.signal;
    return {
      callSid: this.callSid,
      from: this.o.from,
      to: this.o.to,
      caller: this.o.caller,
      side: this.o.side,
      signal,
      wait: (ms) => this.wait(ms, signal),
      guard: (p) => this.guard(p, signal),
      track: (p) => this.track(p),
      elapsedMs: () => this.elapsedMs(),
      act: (a) => this.act(a),
      callback: (hook) => void this.enqueue(hook),
      hangup: (reason) => void this.hangup(reason),
      heard: (u, scaled) => {
        const speechMs = scaled ? Math.round(u.speechMs * (this.o.speed ?? 1)) : u.speechMs;
        for (const t of this.transcriptions) t.hear({ ...u, speechMs });
      },
    };
  }

  private wait(ms: number, signal = this.controller.signal): Promise<void> {
    return this.o.side.sleep(Math.round(ms * (this.o.speed ?? 1)), signal);
  }

  private guard<T>(promise: Promise<T>, signal = this.controller.signal): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      if (signal.aborted) return reject(new Interrupted());
      const onAbort = () => reject(new Interrupted());
      signal.addEventListener('abort', onAbort, { once: true });
      promise.then(
        (v) => (signal.removeEventListener('abort', onAbort), resolve(v)),
        (e) => (signal.removeEventListener('abort', onAbort), reject(e)),
      );
    });
  }

  /** Work the call must wait for before it counts as ended (requests in flight, late stream stops). */
  private track<T>(p: Promise<T>): Promise<T> {
    const settled = p.catch(() => undefined).finally(() => this.background.delete(settled));
    this.background.add(settled);
    return p;
  }

  private elapsedMs(): number {
    return this.o.side.now() - this.startedAt;
  }

  private act(a: SimAction): void {
    try {
      this.o.onAction?.(a);
    } catch {
      // an observer must not break the call
    }
  }
}

function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
