// The messages between the host and its media workers (MEDIA_WORKERS: a thread or processes, thread/run.ts).
// A worker owns its streams' sockets, pacer, TTS pollers, barge-in cascade and recordings; the host keeps the
// registry, admission grants, conversations, listen-in and the console. One channel per worker (a MessagePort or a
// child's IPC), FIFO in both directions: a worker posts its registry events before any other message, so the host
// sees them in the order an in-process host would apply them.
import type { CallEventBody, ReplyKind } from '../../../shared/model';
import type { Config } from '../../config/load';
import type { NoticeInput } from '../../console/notices';
import type { Notice } from '../../tts/notices';
import type { Admission, StartClaim } from '../admission';
import type { DetectorEvent } from '../bargein/energy';
import type { ReplyOutcome, ReplyTimes } from '../reply-tracker';

/** Event-loop delay of the media thread, ms. */
export interface LoopDelay {
  p50: number;
  p99: number;
  max: number;
}

/** workerData of the media thread. */
export interface MediaWorkerData {
  config: Config;
  /** The public URLs Twilio signs the upgrade against (`abs` is rebuilt in the thread). */
  urls: { base: string; media: string };
  authToken: string | null;
  /** Demo: the folder the TTS stand-in writes parts to. */
  partFolder: string | null;
  /** Part notices: the base URL the TTS service reaches the host at (null = off). */
  noticeBase: string | null;
  /** Where recordings go (DATA_DIR/history). */
  recordingsDir: string;
  /** A thread listens on WS_PORT itself; a process is handed the host's accepted sockets. */
  listen: boolean;
}

/** Main -> media thread. */
export type ToMedia =
  | { type: 'admitted'; id: number; admission: Admission; conversation: boolean; startedAt?: number }
  | { type: 'speak'; streamSid: string; text: string; turn?: number; kind: ReplyKind; replyId: string }
  | { type: 'control'; streamSid: string; op: 'interrupt'; trigger: 'vad' | 'transcript' }
  | { type: 'control'; streamSid: string; op: 'pause'; reason: string }
  | { type: 'control'; streamSid: string; op: 'resume' }
  | { type: 'control'; streamSid: string; op: 'close'; reason: string }
  | { type: 'handoff'; callSid: string; status: string }
  | { type: 'listen'; callSid: string; on: boolean }
  | { type: 'callEnded'; callSid: string }
  | { type: 'partNotice'; token: string; notice: Notice }
  /** The thread's event-loop delay since the last ask (then reset): the pacer's own loop, for benchmarks and health. */
  | { type: 'loopDelay' }
  | { type: 'stop' };

/** One leg of a listened call's audio (only for calls an operator listens to). */
export type TapMessage =
  | { type: 'tap'; streamSid: string; op: 'in'; audio: Uint8Array; mediaMs: number; at: number }
  | { type: 'tap'; streamSid: string; op: 'out'; audio: Uint8Array; playAt: number }
  | { type: 'tap'; streamSid: string; op: 'cleared'; at: number };

/** Media thread -> main. */
export type FromMedia =
  | { type: 'ready'; port: number }
  /** The thread could not start; `setting`/`port`: a listen failure (net/listen.ts PortError). */
  | { type: 'failed'; message: string; setting?: string; port?: number }
  | { type: 'events'; events: Array<[callSid: string, body: CallEventBody, at: number]>; streams: number }
  | { type: 'admit'; id: number; claim: StartClaim }
  | { type: 'release'; id: number }
  | { type: 'speech'; streamSid: string; event: DetectorEvent }
  | { type: 'ended'; streamSid: string; reason: string }
  | { type: 'firstFrame'; streamSid: string; replyId: string; times: ReplyTimes }
  | { type: 'outcome'; streamSid: string; replyId: string; outcome: ReplyOutcome }
  | { type: 'closed'; streamSid: string }
  /** A part-notice token of a live reply opened / released (the host's /tts_part route answers 404 for others). */
  | { type: 'token'; token: string; open: boolean }
  | { type: 'notice'; notice: NoticeInput; key?: string }
  | TapMessage
  /** One pino JSON line of the media thread's log (the main thread's logger writes it: one log, one redaction). */
  | { type: 'log'; line: string }
  | { type: 'loopDelay'; delay: LoopDelay }
  | { type: 'stopped' };
