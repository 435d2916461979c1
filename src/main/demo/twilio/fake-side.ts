// Test support: a TwilioSide whose "host" is a table of routes and whose media legs are scripted, on a virtual clock.
import type { MediaLeg, Params, TwilioSide, Webhook, WebhookAnswer } from './types';
import { VirtualClock } from './virtual-clock';

export type Route = (params: Params, hook: Webhook) => string | WebhookAnswer;

export interface FakeLegScript {
  /** Virtual ms after opening at which our "server" sends audio. */
  audioAtMs?: number[];
  /** Virtual ms after opening at which our "server" closes the socket (never when absent). */
  closeAtMs?: number;
}

export interface FakeLeg extends MediaLeg {
  readonly opened: { url: string; customParameters: Params; at: number };
  readonly sent: Array<{ at: number; bytes: number }>;
  stoppedAt?: number;
}

export class FakeTwilioSide implements TwilioSide {
  readonly accountSid = 'AC' + 'f'.repeat(32);
  readonly clock = new VirtualClock(1_000_000);
  readonly requests: Array<Webhook & { at: number }> = [];
  readonly legs: FakeLeg[] = [];
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
    const leg: FakeLeg = {
      streamSid: 'MZ' + String(this.legs.length + 1).padStart(32, '0'),
      opened: { url: o.url, customParameters: o.customParameters, at: clock.now() },
      sent: [],
      onAudio: (l) => listeners.push(l),
      sendAudio: (mulaw) => leg.sent.push({ at: clock.now(), bytes: mulaw.length }),
      closedByServer,
      stop: async () => {
        leg.stoppedAt ??= clock.now();
        life.abort();
      },
    };
    for (const at of script.audioAtMs ?? []) {
      clock.sleep(at, life.signal).then(() => listeners.forEach((l) => l(160)), () => undefined);
    }
    if (script.closeAtMs !== undefined) {
      clock.sleep(script.closeAtMs, life.signal).then(() => (life.abort(), closeResolve()), () => undefined);
    }
    this.legs.push(leg);
    return leg;
  }
}
