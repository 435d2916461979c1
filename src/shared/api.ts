// ConsoleApi: the one typed API both doors (Electron IPC and the browser WebSocket) expose.
import type { Call, CallEvent, CallRecord, CommandResult, DemoScenario, HistoryQuery, HostHealth, HostNotice, Snapshot } from './model';

/** What a subscriber receives. The first message is always a snapshot. */
export type ConsoleMessage =
  // -- listen (listen-in audio; sent only to the subscriber that asked, see ConsoleApi.listen)
  /** One leg's mu-law 8 kHz audio, about 100 ms of it: `at` is the host time of its first byte (caller: arrival;
   *  bot: when Twilio plays it), `seq` counts the leg's batches from 0 (a gap means batches were lost). */
  | { kind: 'audio'; callSid: string; leg: AudioLeg; at: number; seq: number; payload: string }
  /** Listening to a call started or stopped (`reason`: the operator, the call ended, the host stopped). */
  | { kind: 'listen'; callSid: string; listening: boolean; reason?: string }
  // -- end listen
  | { kind: 'snapshot'; snapshot: Snapshot }
  | { kind: 'call'; call: Call }
  | { kind: 'event'; event: CallEvent }
  | { kind: 'health'; health: HostHealth }
  | { kind: 'call.removed'; callSid: string }
  // host-level notices that belong to no call (refused stream, red health check)
  | { kind: 'notice'; notice: HostNotice };

export interface ConsoleApi {
  subscribe(listener: (message: ConsoleMessage) => void): () => void;
  getCall(callSid: string): Promise<CallRecord | null>;
  listHistory(query: HistoryQuery): Promise<Call[]>;
  exportCall(callSid: string): Promise<string | null>;
  // -- listen and recordings
  /** Start (true) or stop hearing a live streamed call: `audio` messages then reach this subscriber only. */
  listen(callSid: string, on: boolean): Promise<CommandResult>;
  /** Both legs of a streamed call's recording (null: none was made). */
  getRecording(callSid: string): Promise<Recording | null>;
  /** The recording as a stereo 8 kHz WAV (caller left, bot right), base64 (null: none was made). */
  exportRecording(callSid: string, encoding: WavEncoding): Promise<string | null>;
  // -- end listen and recordings
  handoff(callSid: string): Promise<CommandResult>;
  hangup(callSid: string): Promise<CommandResult>;
  simulate(scenario: DemoScenario): Promise<CommandResult>;
  setAutoDemo(enabled: boolean): Promise<CommandResult>;
  // ops: operator powers and real health
  /** Speak `text` to the caller now (streamed call: TTS on its stream; Gather call: REST <Say> + its Gather). */
  say(callSid: string, text: string): Promise<CommandResult>;
  /** Hold (true) or release the bot's next turns on a streamed call. */
  setBotMuted(callSid: string, muted: boolean): Promise<CommandResult>;
  /** Run every health check now; resolves with the health they produced. */
  runHealthChecks(): Promise<HostHealth>;
}

/** Request/response methods (everything but subscribe), as carried over IPC and the console WebSocket. */
export type ConsoleMethod = Exclude<keyof ConsoleApi, 'subscribe'>;

export const CONSOLE_METHODS: readonly ConsoleMethod[] = [
  'getCall',
  'listHistory',
  'exportCall',
  'listen',
  'getRecording',
  'exportRecording',
  'handoff',
  'hangup',
  'simulate',
  'setAutoDemo',
  'say',
  'setBotMuted',
  'runHealthChecks',
];

/** The console WebSocket's wire format. */
export type ConsoleRequest = { id: number; method: ConsoleMethod; params: unknown[] };
export type ConsoleReply =
  | { id: number; ok: true; result: unknown }
  | { id: number; ok: false; error: string };
export type ConsoleServerMessage = ConsoleReply | { push: ConsoleMessage };

// -- listen and recordings
import type { Recording, WavEncoding } from './recording';

/** The two legs of a streamed call. */
export type AudioLeg = 'caller' | 'bot';
