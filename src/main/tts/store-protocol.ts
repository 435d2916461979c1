// Messages between the media thread's WorkerPartStore and the S3 worker (s3-worker.ts).
import type { TtsErrorKind } from './types';

export type StoreRequest = { type: 'get'; id: number; key: string } | { type: 'abort'; id: number };

export type StoreReply =
  | { id: number; ok: true; bytes: Uint8Array | null; lastModified?: number }
  | { id: number; ok: false; error: { message: string; kind: TtsErrorKind; transient: boolean } };
