// The contract between the host and the console UI: plain data types only.
// Nothing here imports from Node, the DOM or electron (lint enforces it).

/** How the bot talks to the caller on this call. */
export type CallMode = 'gather' | 'stream';

/** What the operator sees as the call's state (see calls/transitions.ts for the rules). */
export type CallState =
  | 'ringing'
  | 'in_conversation'
  | 'bot_speaking'
  | 'caller_speaking'
  | 'handing_off'
  | 'with_agent'
  | 'ended';

export type HandoffStatus = 'requested' | 'accepted' | 'dialing' | 'connected' | 'failed';
/** Who asked for the handoff: a keyword the caller said, the operator's button, or the pilot's bot (BOT_URL). */
export type HandoffSource = 'keyword' | 'operator' | 'bot';

/** What a bot turn is for (all of them play on the call's one media stream in mode B). */
export type ReplyKind = 'greeting' | 'answer' | 'reprompt' | 'goodbye' | 'handoff' | 'operator' | 'apology';

/** What decided the bot's answer to a caller turn. */
export type DecidedBy = 'echo' | 'keyword' | 'bot_url' | 'fallback';

/** Barge-in decisions: yield fast (paused), then commit (interrupted) or give the turn back (resumed). */
export type BargeInDecision = 'paused' | 'resumed' | 'interrupted';

export type AlertKind =
  | 'agent_requested'
  | 'handoff_failed'
  | 'tts_error'
  | 'underrun'
  | 'stream_error'
  | 'transcription_error'
  | 'bot_error';

export interface Alert {
  kind: AlertKind;
  at: number;
  message: string;
}

export interface HandoffInfo {
  status: HandoffStatus;
  source: HandoffSource;
  at: number;
  /** Plain-words outcome, e.g. "The caller already hung up (Twilio 21220)". */
  message?: string;
  /** Twilio error code when the REST call failed. */
  code?: number;
}

/** One call as the list and header show it. Derived from the call's events by the registry. */
export interface Call {
  callSid: string;
  from: string;
  to: string;
  /** Display forms with the middle digits masked (presentation mode, logs). */
  fromMasked: string;
  toMasked: string;
  /** True when the embedded demo's simulated caller made this call. */
  simulated: boolean;
  mode: CallMode;
  state: CallState;
  startedAt: number;
  endedAt?: number;
  endReason?: string;
  /** Twilio's CallStatus as last reported (queued, ringing, in-progress, completed, …). */
  twilioStatus?: string;
  streamSid?: string;
  lastTranscript?: string;
  /** Alerts that still need a person; cleared when the call ends or is handed off successfully. */
  alerts: Alert[];
  handoff?: HandoffInfo;
  /** Set on load when the host stopped (crash, kill -9) before the call ended. */
  interrupted?: boolean;
}

/** One TTS part as the audio chart draws it. Times are epoch milliseconds. */
export interface TtsPart {
  replyId: string;
  jobId: string;
  part: number;
  key: string;
  bytes: number;
  audioMs: number;
  /** S3 LastModified (second resolution on real S3), or the file's mtime for the local store. */
  landedAt?: number;
  seenAt: number;
  firstFrameAt?: number;
  lastFrameAt?: number;
  /** e.g. 'partial-read', 'pcm16-converted', 'padded-last-frame'. */
  flags: string[];
  error?: string;
}

/** A window (~100 ms or more) of outbound pacing measurements for one stream. */
export interface PacingWindow {
  streamSid: string;
  from: number;
  to: number;
  frames: number;
  /** Per-frame samples, downsampled: [sentAt epoch ms, lateness ms vs the 20 ms grid]. */
  samples: Array<[number, number]>;
  latenessP50: number;
  latenessP99: number;
  latenessMax: number;
  /** Audio queued at Twilio (sent but not yet due to play) at the window's end. */
  leadMs: number;
  underruns: number;
  /** rel: send deadlines that passed with nothing queued while Twilio still held the lead (no gap heard; optional). */
  leadAtRisk?: number;
  marksSent: number;
  marksPlayed: number;
  marksCleared: number;
  /** History only: how many live windows this one summarises (a reply's pacing is written as one window). */
  windows?: number;
}

export type CallEventBody =
  | { type: 'call.started'; from: string; to: string; fromMasked: string; toMasked: string; mode: CallMode; simulated: boolean }
  | { type: 'call.status'; status: string; sequenceNumber?: number }
  | { type: 'call.mode'; mode: CallMode }
  | { type: 'prompt'; text: string }
  /** A final caller turn. `scripted`: the demo's simulated transcription, not a real engine. */
  | { type: 'transcript'; text: string; confidence?: number; latencyMs?: number; source: 'gather' | 'stream' | 'transcription'; turn?: number; scripted?: boolean;
      /** 네 / 음 said while the bot spoke: shown, never a turn, never answered (conversation/backchannel.ts). */
      backchannel?: boolean }
  /** Real-Time Transcription partial (never answered; the console grows the caller's bubble). */
  | { type: 'transcript.partial'; text: string; stability?: number; sequenceId?: number; scripted?: boolean }
  /** The call's Real-Time Transcription session. */
  | { type: 'transcription'; status: 'started' | 'stopped' | 'error'; name?: string; message?: string; code?: string }
  | { type: 'bot.reply'; text: string; via: 'say' | 'stream'; replyId?: string; turn?: number; kind?: ReplyKind }
  /** How the bot's answer to caller turn `turn` was decided, and how long it took. */
  | { type: 'bot.decision'; turn: number; decidedBy: DecidedBy; ms: number; action: 'say' | 'handoff' | 'hangup'; error?: string }
  /** Operator held (muted) or released the bot's next turns. */
  | { type: 'bot.muted'; muted: boolean }
  /** Per caller turn, epoch ms of each step: caller stopped → final transcript → decision → TTS job → first frame → heard. */
  | { type: 'turn.latency'; turn: number; replyId?: string; callerStoppedAt?: number; finalAt: number; decidedAt?: number; ttsJobAt?: number; firstFrameAt?: number; heardAt?: number }
  | { type: 'stream.started'; streamSid: string; customParameters: Record<string, string> }
  | { type: 'stream.stopped'; streamSid: string; reason: string }
  | { type: 'tts.job'; replyId: string; status: 'started' | 'done' | 'failed' | 'cancelled'; jobId?: string; text?: string; error?: string; firstAudioMs?: number }
  | { type: 'tts.part'; part: TtsPart }
  | { type: 'pacing'; window: PacingWindow }
  | { type: 'mark'; name: string; outcome: 'sent' | 'played' | 'cleared' }
  | { type: 'clear'; reason: string }
  /**
   * Barge-in: `paused` (the bot went quiet at the first sign of speech: trigger, model probability), `resumed` (it was
   * a backchannel / noise / echo: the reply goes on from where it stopped, after pauseMs) or `interrupted` (speech
   * lasted speechMs or the transcription said so: the reply is cancelled; heardMs of replyMs were heard).
   */
  | {
      type: 'bargein';
      decision: BargeInDecision;
      replyId?: string;
      trigger?: 'vad' | 'transcript';
      probability?: number;
      verdict?: 'speech' | 'backchannel' | 'noise' | 'echo';
      pauseMs?: number;
      speechMs?: number;
      heardMs: number;
      replyMs: number;
      detectionLatencyMs?: number;
    }
  | { type: 'caller.speech'; state: 'started' | 'ended'; durationMs?: number }
  | { type: 'dtmf'; digit: string }
  | { type: 'handoff'; status: HandoffStatus; source: HandoffSource; message?: string; code?: number; dialCallStatus?: string }
  | { type: 'alert'; alert: Alert }
  | { type: 'error'; message: string; code?: string }
  /** `interrupted`: closed by the host, not by Twilio (no events for STALE_CALL_MIN minutes). */
  | { type: 'call.ended'; reason: string; interrupted?: boolean };

export type CallEventType = CallEventBody['type'];

/** Every event is about one call, stamped by the registry (seq is per host run, strictly increasing). */
export type CallEvent = CallEventBody & { callSid: string; at: number; seq: number };

export type ServiceState = 'up' | 'down' | 'degraded' | 'off' | 'unknown';

export interface ServiceHealth {
  state: ServiceState;
  detail?: string;
}

export interface HostHealth {
  mode: 'demo' | 'live';
  twiml: ServiceHealth & { port?: number };
  media: ServiceHealth & { port?: number };
  tts: ServiceHealth;
  s3: ServiceHealth;
  twilio: ServiceHealth;
  /** False when webhook signature validation is switched off (shown as a red warning). */
  signatureValidation: boolean;
  /** ops: the real health checks (src/main/health), latest result of each; absent before the first run. */
  checks?: HealthCheck[];
}

// --- ops: health checks (src/main/health) ---
/** green: works; amber: works but needs a look (a reminder, a trial account); red: a caller would suffer it. */
export type CheckLevel = 'green' | 'amber' | 'red';
export type HealthCheckId = 'tts' | 's3' | 'twilio' | 'connectDid' | 'publicUrl';

/** One check's outcome, in plain words: what we found and, when it is not green, what to do. */
export interface HealthCheck {
  id: HealthCheckId;
  level: CheckLevel;
  reason: string;
  fix?: string;
  /** What was checked (a URL, bucket, account), never a secret. */
  target?: string;
  /** Epoch ms the check finished, and how long it took. */
  at: number;
  ms: number;
}
// --- end ops: health checks ---

export type SettingState = 'set' | 'default' | 'missing' | 'invalid';

/** What the Setup view may know about one setting. Secrets never carry a value. */
export interface SettingView {
  name: string;
  secret: boolean;
  state: SettingState;
  /** Present for non-secret settings only. */
  value?: string;
  description: string;
  message?: string;
}

export interface SettingsView {
  mode: 'demo' | 'live';
  publicUrl: string;
  webhooks: { voiceGather: string; voiceStream: string; callStatus: string; streamStatus: string; media: string };
  settings: SettingView[];
  connectDidSet: boolean;
  connectDidMasked?: string;
  signatureValidation: boolean;
  warnings: string[];
  /** ops: OPERATOR_PHRASES, the saved phrases of the Say composer. */
  operatorPhrases?: string[];
}

export type DemoScenario =
  | 'gather'
  | 'stream'
  | 'barge-in'
  | 'keyword-handoff'
  | 'operator-handoff'
  | 'hangup-mid-reply'
  | 'tts-failure'
  // demo: the streamed conversation's backchannels (issue 11)
  | 'backchannel';

export const DEMO_SCENARIOS: readonly DemoScenario[] = [
  'gather',
  'stream',
  'barge-in',
  'keyword-handoff',
  'operator-handoff',
  'hangup-mid-reply',
  'tts-failure',
  'backchannel',
];

export interface Snapshot {
  /** Live calls and recently ended ones (still shown in the rail), newest first. */
  calls: Call[];
  health: HostHealth;
  settings: SettingsView;
  demo: { enabled: boolean; autoDemo: boolean };
  /** Recent host notices (bounded, oldest first). */
  notices?: HostNotice[];
}

export interface CallRecord {
  call: Call;
  events: CallEvent[];
}

export interface HistoryQuery {
  text?: string;
  /** Epoch ms bounds on startedAt. */
  since?: number;
  until?: number;
  limit?: number;
  /**
   * Paging: the calls after this one in the list's order (newest first). The cursor of a page is
   * `historyCursor(lastCallOfThePage)` = `${startedAt}:${callSid}`; a page shorter than `limit` is the last.
   */
  cursor?: string;
}

/** The paging cursor that continues a history list after `call` (see HistoryQuery.cursor). */
export function historyCursor(call: Pick<Call, 'startedAt' | 'callSid'>): string {
  return `${call.startedAt}:${call.callSid}`;
}

export interface CommandResult {
  ok: boolean;
  message: string;
  code?: number;
  /** ops: the call a command started or acted on (simulate returns the simulated call's CallSid). */
  callSid?: string;
}

/** A host-level notice for the operator that belongs to no call (a refused media stream, a red health check). */
export interface HostNotice {
  id: string;
  at: number;
  level: 'info' | 'warn' | 'error';
  source: 'media' | 'health' | 'security' | 'host';
  message: string;
}
