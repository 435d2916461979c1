// Test support: a TwilioSide whose "host" is a table of routes and whose media legs are scripted, on a virtual clock.
import type { MediaLeg, Params, TwilioSide, Webhook, WebhookAnswer } from './types';
import { VirtualClock } from './virtual-clock';

export type Route = (params: Params, hook: Webhook) => string | WebhookAnswer;

export interface FakeLegScript {
  /** Virtual ms after opening at which our "server" sends audio (160 bytes, no marks). */
  audioAtMs?: number[];
  /** Replies our "server" plays: audio for `ms` from `atMs` after opening, then its end mark. */
  replies?: Array<{ atMs: number; ms: number }>;
  /** Virtual ms after opening at which our "server" closes the socket (never when absent). */
  closeAtMs?: number;
}

export interface FakeLeg extends MediaLeg {
  readonly opened: { url: string; customParameters: Params; at: number };
  readonly sent: Array<{ at: number; bytes: number }>;
  stoppedAt?: number;
  /** Our "server" plays a reply of `ms` now; its end mark `${name}:end` is echoed when it has played. */
  play(ms: number, name?: string): void;
  /** Our "server" sends clear: a pending end mark is echoed as cleared. */
  clear(): void;
  /** Our "server" closes the socket. */
  close(): void;
  /** Tests acting as the host see the caller's audio as it is sent. */
  onCallerAudio(listener: (bytes: number) => void): void;
}

export class FakeTwilioSide implements TwilioSide {
  readonly accountSid = 'AC' + 'f'.repeat(32);
  readonly clock = new VirtualClock(1_000_000);
  readonly requests: Array<Webhook & { at: number }> = [];
  readonly legs: FakeLeg[] = [];
  /** Tests acting as the host: called when a stream opens (after `start`, like the host's media server). */
  onLeg: ((leg: FakeLeg) => void) | null = null;
  private sids = 0;

  constructor(
    private readonly routes: Record<string, Route>,
    private readonly legScripts: FakeLegScript[] = [],
  ) {}

  readonly now = () => this.clock.now();
  readonly sleep = (ms: number, signal: AbortSignal) => this.clock.sleep(ms, signal);
  newCallSid(): string {
    return 'CA' + String(++this.sids).padStart(32, '0');
  }

  callParams(leg: { callSid: string; from: string; to: string; callStatus: string; direction: string }): Params {
    return { CallSid: leg.callSid, AccountSid: this.accountSid, From: leg.from, To: leg.to, CallStatus: leg.callStatus, ApiVersion: '2010-04-01', Direction: leg.direction };
  }

  async request(hook: Webhook): Promise<WebhookAnswer> {
    this.requests.push({ ...hook, at: this.clock.now() });
    const path = new URL(hook.url).pathname;
    const route = this.routes[path];
    if (!route) return { status: 204, body: '' };
    const answer = route(hook.params, hook);
    return typeof answer === 'string' ? { status: 200, body: answer, contentType: 'text/xml' } : answer;
  }

  /** Requests to one path, in order. */
  to(path: string): Array<Webhook & { at: number }> {
    return this.requests.filter((r) => new URL(r.url).pathname === path);
  }

  async openStream(o: { url: string; callSid: string; customParameters: Params }): Promise<MediaLeg> {
    const script = this.legScripts[this.legs.length] ?? {};
    const clock = this.clock;
    const life = new AbortController();
    const listeners: Array<(bytes: number) => void> = [];
    let closeResolve!: () => void;
    const closedByServer = new Promise<void>((r) => (closeResolve = r));
    const marks: Array<{ name: string; timer: AbortController }> = [];
    const markListeners: Array<(name: string, outcome: 'played' | 'cleared') => void> = [];
    const clearListeners: Array<() => void> = [];
    const callerListeners: Array<(bytes: number) => void> = [];
    let playoutEndsAt = 0;
    const leg: FakeLeg = {
      streamSid: 'MZ' + String(this.legs.length + 1).padStart(32, '0'),
      opened: { url: o.url, customParameters: o.customParameters, at: clock.now() },
      sent: [],
      onAudio: (l) => listeners.push(l),
      onMark: (l) => markListeners.push(l),
      onClear: (l) => clearListeners.push(l),
      onCallerAudio: (l) => callerListeners.push(l),
      sendAudio: (mulaw) => {
        leg.sent.push({ at: clock.now(), bytes: mulaw.length });
        callerListeners.forEach((l) => l(mulaw.length));
        return 0;
      },
      closedByServer,
      stop: async () => {
        leg.stoppedAt ??= clock.now();
        life.abort();
      },
      play: (ms, name = 'reply') => {
        if (life.signal.aborted) return;
        listeners.forEach((l) => l(ms * 8));
        playoutEndsAt = Math.max(clock.now(), playoutEndsAt) + ms;
        const mark = { name: `${name}:end`, timer: new AbortController() };
        marks.push(mark);
        clock.sleep(playoutEndsAt - clock.now(), AbortSignal.any([life.signal, mark.timer.signal])).then(
          () => (marks.splice(marks.indexOf(mark), 1), markListeners.forEach((l) => l(mark.name, 'played'))),
          () => undefined,
        );
      },
      clear: () => {
        if (life.signal.aborted) return;
        playoutEndsAt = clock.now();
        clearListeners.forEach((l) => l());
        for (const m of marks.splice(0)) {
          m.timer.abort();
          markListeners.forEach((l) => l(m.name, 'cleared'));
        }
      },
      close: () => {
        if (life.signal.aborted) return;
        life.abort();
        closeResolve();
      },
    };
    for (const at of script.audioAtMs ?? []) {
      clock.sleep(at, life.signal).then(() => listeners.forEach((l) => l(160)), () => undefined);
    }
    if (script.closeAtMs !== undefined) {
      clock.sleep(script.closeAtMs, life.signal).then(() => leg.close(), () => undefined);
    }
    for (const r of script.replies ?? []) {
      clock.sleep(r.atMs, life.signal).then(() => leg.play(r.ms), () => undefined);
    }
    this.legs.push(leg);
    this.onLeg?.(leg);
    return leg;
  }
}
