// Listen-in: the MediaTap that lets an operator hear a live streamed call in the console. Every stream gets a tap,
// but a tap does nothing (one Set size check) until a console subscriber asked to listen to that call; then the
// caller's frames are copied into the stream's batch buffer and the bot's frames wait in a PlayedAudio until
// Twilio has played them (nothing after a clear). One timer, running only while someone listens, sends each leg's
// batch every batchMs as one `audio` ConsoleMessage to the subscribers of that call and to no one else. Listening
// stops when the operator stops, the subscriber goes away (unsubscribe), the call ends, or the hub stops.
import type { AudioLeg, ConsoleMessage } from '../../shared/api';
import type { TimerApi } from '../media/pacer';
import type { MediaTap } from '../media/tap';
import { PlayedAudio } from './played';

export type Subscriber = (message: ConsoleMessage) => void;

export interface ListenHubOptions {
  now: () => number;
  timers: TimerApi;
  /** How often each leg's audio is sent (default 100 ms). */
  batchMs?: number;
  /** Someone started listening to a call / nobody listens any more (the media thread sends audio only while on). */
  onListening?(callSid: string, on: boolean): void;
}

const MAX_BATCH_BYTES = 8000; // 1 s: a stalled timer never grows a buffer without bound

interface StreamState {
  caller: Buffer;
  callerBytes: number;
  callerAt: number;
  bot: PlayedAudio;
}

interface CallState {
  subscribers: Set<Subscriber>;
  streams: Set<StreamState>;
  seq: Record<AudioLeg, number>;
}

export class ListenHub {
  private readonly calls = new Map<string, CallState>();
  private timer: unknown = null;
  private readonly batchMs: number;

  constructor(private readonly options: ListenHubOptions) {
    this.batchMs = options.batchMs ?? 100;
  }

  /** Start or stop `subscriber` hearing `callSid`. */
  listen(subscriber: Subscriber, callSid: string, on: boolean): void {
    if (on) {
      const call = this.call(callSid);
      if (call.subscribers.has(subscriber)) return;
      call.subscribers.add(subscriber);
      if (call.subscribers.size === 1) this.options.onListening?.(callSid, true);
      safe(subscriber, { kind: 'listen', callSid, listening: true });
      this.arm();
      return;
    }
    const call = this.calls.get(callSid);
    if (!call?.subscribers.delete(subscriber)) return;
    safe(subscriber, { kind: 'listen', callSid, listening: false, reason: 'operator' });
    if (!call.subscribers.size) this.quiet(callSid, call);
  }

  /** The subscriber went away: it listens to nothing any more (no message: it cannot receive one). */
  drop(subscriber: Subscriber): void {
    for (const [callSid, call] of this.calls) if (call.subscribers.delete(subscriber) && !call.subscribers.size) this.quiet(callSid, call);
  }

  /** Whether anyone listens to `callSid`. */
  listening(callSid: string): boolean {
    return (this.calls.get(callSid)?.subscribers.size ?? 0) > 0;
  }

  /** The call ended: its listeners are told and let go. */
  callEnded(callSid: string): void {
    const call = this.calls.get(callSid);
    if (!call) return;
    this.flushCall(callSid, call, this.options.now(), true);
    for (const s of call.subscribers) safe(s, { kind: 'listen', callSid, listening: false, reason: 'call ended' });
    this.calls.delete(callSid);
  }

  tap(callSid: string): MediaTap {
    const call = this.call(callSid);
    const stream: StreamState = { caller: Buffer.alloc(0), callerBytes: 0, callerAt: 0, bot: new PlayedAudio() };
    call.streams.add(stream);
    return {
      inbound: (mulaw, _mediaMs, at) => {
        if (!call.subscribers.size) return;
        if (stream.callerBytes === 0) stream.callerAt = at;
        if (stream.caller.length < stream.callerBytes + mulaw.length) {
          const grown = Buffer.alloc(Math.min(MAX_BATCH_BYTES, Math.max(1600, (stream.callerBytes + mulaw.length) * 2)));
          stream.caller.copy(grown, 0, 0, stream.callerBytes);
          stream.caller = grown;
        }
        if (stream.callerBytes + mulaw.length > stream.caller.length) return; // over a second behind: drop, do not grow
        stream.caller.set(mulaw, stream.callerBytes);
        stream.callerBytes += mulaw.length;
      },
      outbound: (mulaw, playAt) => {
        if (call.subscribers.size) stream.bot.sent(mulaw, playAt);
      },
      cleared: (at) => stream.bot.cleared(at),
      close: () => {
        if (call.subscribers.size) this.flushStream(callSid, call, stream, this.options.now(), true);
        call.streams.delete(stream);
        if (!call.subscribers.size && !call.streams.size) this.calls.delete(callSid);
      },
    };
  }

  /** Stop: every listener is told, the timer cleared. */
  stop(): void {
    for (const [callSid, call] of this.calls) for (const s of call.subscribers) safe(s, { kind: 'listen', callSid, listening: false, reason: 'host stopped' });
    this.calls.clear();
    if (this.timer !== null) this.options.timers.clear(this.timer);
    this.timer = null;
  }

  /** One batch round (the timer's body; tests call it with their clock). */
  tick(now = this.options.now()): void {
    for (const [callSid, call] of this.calls) if (call.subscribers.size) this.flushCall(callSid, call, now, false);
  }

  private call(callSid: string): CallState {
    let call = this.calls.get(callSid);
    if (!call) this.calls.set(callSid, (call = { subscribers: new Set(), streams: new Set(), seq: { caller: 0, bot: 0 } }));
    return call;
  }

  /** Nobody listens any more: buffered audio is dropped, the timer stops when no call is listened to. */
  private quiet(callSid: string, call: CallState): void {
    this.options.onListening?.(callSid, false);
    for (const stream of call.streams) {
      stream.callerBytes = 0;
      stream.bot = new PlayedAudio();
    }
    if (!call.streams.size) this.calls.delete(callSid);
  }

  private arm(): void {
    if (this.timer !== null) return;
    this.timer = this.options.timers.set(() => {
      this.timer = null;
      this.tick();
      if ([...this.calls.values()].some((c) => c.subscribers.size)) this.arm();
    }, this.batchMs);
  }

  private flushCall(callSid: string, call: CallState, now: number, ending: boolean): void {
    for (const stream of call.streams) this.flushStream(callSid, call, stream, now, ending);
  }

  private flushStream(callSid: string, call: CallState, stream: StreamState, now: number, ending: boolean): void {
    if (stream.callerBytes) {
      this.send(callSid, call, 'caller', stream.callerAt, stream.caller.subarray(0, stream.callerBytes));
      stream.callerBytes = 0;
    }
    // contiguous played frames go out as one message; a gap (underrun, a new reply) starts another
    let run: Buffer[] = [];
    let runAt = 0;
    let runEnd = 0;
    const out = (audio: Buffer, playAt: number) => {
      if (run.length && Math.abs(playAt - runEnd) > 1) {
        this.send(callSid, call, 'bot', runAt, Buffer.concat(run));
        run = [];
      }
      if (!run.length) runAt = playAt;
      run.push(audio);
      runEnd = playAt + audio.length / 8;
    };
    if (ending) stream.bot.end(now, out);
    else stream.bot.release(now, out);
    if (run.length) this.send(callSid, call, 'bot', runAt, Buffer.concat(run));
  }

  private send(callSid: string, call: CallState, leg: AudioLeg, at: number, audio: Buffer): void {
    const message: ConsoleMessage = { kind: 'audio', callSid, leg, at: Math.round(at), seq: call.seq[leg]++, payload: audio.toString('base64') };
    for (const s of call.subscribers) safe(s, message);
  }
}

function safe(subscriber: Subscriber, message: ConsoleMessage): void {
  try {
    subscriber(message);
  } catch {
    // one broken subscriber must not starve the others
  }
}
