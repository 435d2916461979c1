// Types shared by the simulated Twilio's pieces: what it needs from the world, what the caller decides, what it did.
import type { Method } from './twiml';

export type Params = Record<string, string>;

export interface Webhook {
  url: string;
  method: Method;
  params: Params;
}

export interface WebhookAnswer {
  status: number;
  body: string;
  contentType?: string;
}

/** One bidirectional media stream as Twilio's side of it. */
export interface MediaLeg {
  readonly streamSid: string;
  /** Called for every media message our server sends (what the caller hears), with its byte count. */
  onAudio(listener: (bytes: number) => void): void;
  /** Called when a mark is echoed back to our server: `played` once its audio has played, `cleared` on a clear. */
  onMark(listener: (name: string, outcome: 'played' | 'cleared') => void): void;
  /** Called when our server sends `clear`. */
  onClear(listener: () => void): void;
  /** The caller talks: audio goes out as inbound 20 ms media frames. Returns the ms queued ahead of it. */
  sendAudio(mulaw: Buffer): number;
  /** Resolves when our server closed the socket (Twilio then goes on with the TwiML). */
  readonly closedByServer: Promise<void>;
  /** Twilio ends the stream (hang-up, REST redirect): sends `stop`, closes. Idempotent. */
  stop(): Promise<void>;
}

/** The world as the simulated Twilio sees it: our host's HTTP and WebSocket servers, and time. */
export interface TwilioSide {
  readonly accountSid: string;
  /** A signed webhook request to our host (the URL is the public one Twilio would call). */
  request(hook: Webhook): Promise<WebhookAnswer>;
  /** Opens a signed media stream to `url` (the <Stream url>). */
  openStream(options: { url: string; callSid: string; customParameters: Params }): Promise<MediaLeg>;
  /** Resolves after `ms`; rejects when `signal` aborts. */
  sleep(ms: number, signal: AbortSignal): Promise<void>;
  now(): number;
  /** Standard request parameters of a call leg (CallSid, AccountSid, From, To, CallStatus, ApiVersion, Direction, …). */
  callParams(leg: { callSid: string; from: string; to: string; callStatus: string; direction: string }): Params;
  newCallSid(): string;
}

export interface Utterance {
  text: string;
  confidence: number;
  /** Starts talking this far into the Gather's prompt (barge-in), instead of after it. */
  bargeInMs?: number;
}

/**
 * One thing the caller does about a bot reply on a media stream, `atMs` after the reply's first audio
 * (`from: 'start'`: over the reply) or after it ended (`from: 'end'`: played out or cleared).
 * A talk `over` the reply is a barge-in, unless it is a `backchannel` (네, 음: the caller expects the bot to go on).
 */
export type StreamStep =
  | { kind: 'talk'; from: 'start' | 'end'; atMs: number; text: string; confidence?: number; backchannel?: boolean }
  | { kind: 'hangup'; from: 'start' | 'end'; atMs: number };

/** What the caller does with one reply; no steps = they listen and stay silent (the host should reprompt). */
export interface StreamAct {
  steps: StreamStep[];
}

export const LISTEN: StreamAct = { steps: [] };

export interface DialAnswer {
  /** Child-leg CallStatus at the end: completed (answered and bridged), busy, no-answer, failed. */
  status: 'completed' | 'busy' | 'no-answer' | 'failed';
  ringMs: number;
  /** How long the agent talks with the caller once answered. */
  talkMs: number;
}

/** The caller's (and the far end's) side of one simulated call. */
export interface Caller {
  /** At the n-th Gather (0-based): what the caller says, null for silence, 'hangup' to hang up now. */
  atGather(turn: { index: number; prompt: string; elapsedMs: number }): Utterance | null | 'hangup';
  /** A bot reply starts playing on a media stream: the `reply`-th (0-based) on the `stream`-th stream of the call. */
  onReply(turn: { stream: number; reply: number; parameters: Params; elapsedMs: number }): StreamAct;
  /** A talk step was said (a stream that closes first cancels it): a script moves on only then. */
  said?(text: string): void;
  /** Our server closed the stream while the caller was still saying `text`: they go on at the next verb. */
  cutOff?(text: string): void;
  /** The caller's voice for `text` (raw mu-law 8 kHz). */
  speechAudio(text: string): Promise<Buffer>;
  /** How the Dial target answers. */
  dialAnswer(number: string): DialAnswer;
  /** The caller hangs up at the latest after this long (a stuck call must end). */
  readonly maxCallMs: number;
}

/** What the simulated Twilio did, in order (tests read it; the demo logs it). */
export type SimAction =
  | { type: 'status'; status: string; sequence: number; callSid: string }
  | { type: 'webhook'; url: string; params: Params; status?: number }
  | { type: 'say'; text: string; ms: number; cut?: boolean }
  | { type: 'pause'; ms: number }
  | { type: 'speech'; text: string; bargeIn: boolean }
  | { type: 'silence'; ms: number }
  | { type: 'stream'; event: 'open' | 'audio' | 'talk' | 'closed' | 'stopped'; url?: string; parameters?: Params; text?: string }
  | { type: 'reply'; event: 'start' | 'end'; index: number; outcome?: 'played' | 'cleared' }
  | { type: 'transcription'; event: 'started' | 'stopped'; name?: string; transcriptionSid: string }
  | { type: 'dial'; number: string; event: string }
  | { type: 'rest'; form: Params }
  | { type: 'error'; message: string }
  | { type: 'ended'; reason: string };

/** What a verb runner (stream, dial) may use of the call it runs in. */
export interface VerbContext {
  readonly callSid: string;
  readonly from: string;
  readonly to: string;
  readonly caller: Caller;
  readonly side: TwilioSide;
  /** Aborts when the verb is interrupted (hang-up, REST update). */
  readonly signal: AbortSignal;
  /** Waits `ms` of call time (scaled by the demo speed); rejects when interrupted. */
  wait(ms: number): Promise<void>;
  /** Races `promise` against an interruption. */
  guard<T>(promise: Promise<T>): Promise<T>;
  /** Work the call waits for before it counts as ended. */
  track<T>(promise: Promise<T>): Promise<T>;
  elapsedMs(): number;
  act(action: SimAction): void;
  /** A fire-and-forget callback (status, stream status), delivered in order after the ones before it. */
  callback(hook: Webhook): void;
  /** The caller hangs up (interrupts whatever runs). */
  hangup(reason: string): void;
  /**
   * The caller starts saying `text` for `speechMs`: running transcriptions hear it. Real time (a stream's audio
   * plays so); `scaled`: simulated time, multiplied by the demo speed like `wait` (a <Gather>'s speech).
   */
  heard(u: { text: string; confidence: number; speechMs: number }, scaled?: boolean): void;
}
