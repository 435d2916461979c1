// The contract between the TTS pipeline (src/main/tts) and the media server (src/main/media).
import type { Notice } from './notices';

/** One TTS part as played: the WAV data chunk only, already G.711 mu-law 8 kHz mono. */
export interface AudioPart {
  part: number;
  key: string;
  /** The data chunk only: raw G.711 mu-law, 8 kHz, mono (PCM16 8 kHz converted). */
  audio: Buffer;
  /** audio.length */
  bytes: number;
  /** bytes / 8 */
  audioMs: number;
  /** S3 LastModified / file mtime, epoch ms. */
  landedAt?: number;
  /** When our GET returned it (epoch ms, pipeline clock). */
  seenAt: number;
  /** 'partial-read', 'pcm16-converted', 'short-data', … */
  flags: string[];
}

export type TtsErrorKind = 'start' | 'part' | 'store' | 'timeout';

/** An operator-readable TTS failure. Messages never carry secrets. */
export class TtsError extends Error {
  constructor(
    message: string,
    readonly kind: TtsErrorKind,
    override readonly cause?: unknown,
  ) {
    super(message);
    this.name = 'TtsError';
  }
}

export interface ReplyAudio {
  readonly replyId: string;
  /** Rejects with TtsError if the job cannot start. */
  readonly jobId: Promise<string>;
  /** In order; ends when the job is complete (its done marker; or going quiet with TTS_DONE_MARKER=false); throws
   *  TtsError (kind: start, part, store, timeout) — before the first part or after some, when the reply was cut short. */
  parts(): AsyncIterable<AudioPart>;
  /** Called by the media session with how much audio is queued but not yet sent (ms), so the poller can slow down when plenty is queued. */
  setQueuedMs(ms: number): void;
  /** Stops polling at once: no further S3 request after it returns. */
  cancel(reason: string): void;
  readonly stats: {
    s3Requests: number;
    startedAt: number;
    firstPartSeenAt?: number;
    /** The job's cancel at the service (job-cancel.ts): 'sent' while it is on its way, then its outcome. */
    cancel?: { ok: true; status: number } | { ok: false; status?: number; reason: string } | 'sent';
  };
}

export interface TtsPipeline {
  speak(text: string, ids: { callSid: string; streamSid: string; replyId: string }): ReplyAudio;
  /** A part notice from the TTS service for the reply holding `token` (notices.ts): false when none does. */
  notice?(token: string, notice: Notice): boolean;
  /** Cancels every reply, aborts in-flight requests. */
  stop(): Promise<void>;
}

/** Where parts are read from: S3 (AWS SDK) or a local folder (demo). */
export interface PartStore {
  /** null = not there yet. */
  get(key: string, signal?: AbortSignal): Promise<{ bytes: Buffer; lastModified?: number } | null>;
  /** For the Setup view/logs, no secrets. */
  describe(): string;
  /** Releases sockets (S3). Optional: the folder store holds nothing. */
  close?(): void;
}

/** A store failure worth retrying on the next poll (timeout, 5xx after the SDK's own retries, network). */
export class TransientStoreError extends TtsError {
  readonly transient = true;
}
