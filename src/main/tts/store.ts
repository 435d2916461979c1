// Where parts are read from: S3 (AWS SDK v3, one client per process) or a local folder (demo).
import { open } from 'node:fs/promises';
import { join, resolve, sep } from 'node:path';
import { GetObjectCommand, S3Client, type S3ClientConfig } from '@aws-sdk/client-s3';
import type { Config } from '../config/load';
import { TransientStoreError, TtsError, type PartStore } from './types';
import { WorkerPartStore } from './worker-store';

/** One per process: keep-alive sockets, a request timeout that really throws, standard retries (5xx/SlowDown/timeouts). */
export function createS3Client(config: Config, overrides: Partial<S3ClientConfig> = {}): S3Client {
  const s = config.settings;
  const custom = Boolean(s.S3_ENDPOINT);
  const agent = { keepAlive: true, maxSockets: 256 };
  return new S3Client({
    region: s.AWS_REGION,
    ...(custom ? { endpoint: s.S3_ENDPOINT } : {}),
    forcePathStyle: s.S3_FORCE_PATH_STYLE,
    // S3-compatible stores (s3rver, MinIO of early 2025, R2…) break on the SDK's default flexible checksums
    ...(custom ? { requestChecksumCalculation: 'WHEN_REQUIRED' as const, responseChecksumValidation: 'WHEN_REQUIRED' as const } : {}),
    retryMode: 'standard',
    maxAttempts: 3,
    requestHandler: {
      requestTimeout: s.S3_REQUEST_TIMEOUT_MS,
      throwOnRequestTimeout: true,
      socketTimeout: s.S3_REQUEST_TIMEOUT_MS,
      connectionTimeout: Math.min(1000, s.S3_REQUEST_TIMEOUT_MS),
      httpAgent: agent,
      httpsAgent: agent,
    },
    ...overrides,
  });
}

/**
 * S3 when TTS_BUCKET or S3_ENDPOINT is set, else the demo folder (opts.folder, PART_STORE_DIR or DATA_DIR/tts-parts).
 * offThread: run the S3 client in a worker thread (the host does: it keeps the SDK's CPU off the pacer's loop).
 */
export function createPartStore(config: Config, opts: { folder?: string; client?: S3Client; offThread?: boolean } = {}): PartStore {
  const s = config.settings;
  if (s.TTS_BUCKET || s.S3_ENDPOINT) {
    if (!s.TTS_BUCKET) throw new TtsError('S3_ENDPOINT is set but TTS_BUCKET is not: set the bucket the TTS service writes parts to', 'store');
    const where = s.S3_ENDPOINT ? `${new URL(s.S3_ENDPOINT).host}` : `AWS ${s.AWS_REGION}`;
    if (opts.offThread && !opts.client) return new WorkerPartStore(config, where);
    return new S3PartStore(opts.client ?? createS3Client(config), s.TTS_BUCKET, where, !opts.client);
  }
  return new FolderPartStore(opts.folder ?? s.PART_STORE_DIR ?? join(config.dataDir, 'tts-parts'));
}

interface SdkError {
  name?: string;
  Code?: string;
  message?: string;
  $metadata?: { httpStatusCode?: number };
  $retryable?: unknown;
}

export class S3PartStore implements PartStore {
  constructor(
    private readonly client: S3Client,
    readonly bucket: string,
    private readonly where: string,
    private readonly ownsClient: boolean,
  ) {}

  async get(key: string, signal?: AbortSignal): Promise<{ bytes: Buffer; lastModified?: number } | null> {
    try {
      const res = await this.client.send(new GetObjectCommand({ Bucket: this.bucket, Key: key }), { abortSignal: signal });
      // always consume the body: an unread body holds its socket (aws-sdk-js-v3 #6691)
      const body = (await res.Body?.transformToByteArray()) ?? new Uint8Array(0);
      return { bytes: Buffer.from(body.buffer, body.byteOffset, body.byteLength), lastModified: res.LastModified?.getTime() };
    } catch (err) {
      if (signal?.aborted) throw err; // the caller cancelled: not a store problem
      const e = err as SdkError;
      const status = e.$metadata?.httpStatusCode;
      const name = e.name ?? e.Code ?? 'Error';
      const target = `s3://${this.bucket}/${key} (${this.where})`;
      if (status === 404 && name !== 'NoSuchBucket') return null; // NoSuchKey / NotFound: not written yet
      if (name === 'NoSuchKey' || name === 'NotFound') return null;
      if (name === 'NoSuchBucket') throw new TtsError(`bucket "${this.bucket}" does not exist at ${this.where} (TTS_BUCKET)`, 'store', err);
      if (status === 403 || name === 'AccessDenied') {
        throw new TtsError(
          `S3 refused to read ${target}: 403 ${name}. The host's role needs s3:GetObject on the parts and s3:ListBucket on the bucket (without ListBucket a part not written yet answers 403, not 404)`,
          'store',
          err,
        );
      }
      if (status === 400 || status === 401 || /Credential|InvalidAccessKeyId|SignatureDoesNotMatch/i.test(name + (e.message ?? ''))) {
        throw new TtsError(`S3 rejected our credentials reading ${target}: ${name}${e.message ? ` (${e.message.slice(0, 160)})` : ''}`, 'store', err);
      }
      if (name === 'TimeoutError' || name === 'RequestTimeout') {
        throw new TransientStoreError(`S3 did not answer for ${target} within S3_REQUEST_TIMEOUT_MS`, 'timeout', err);
      }
      throw new TransientStoreError(`S3 error reading ${target}: ${status ? `HTTP ${status} ` : ''}${name}${e.message ? ` (${e.message.slice(0, 160)})` : ''}`, 'store', err);
    }
  }

  describe(): string {
    return `s3://${this.bucket} at ${this.where}`;
  }

  close(): void {
    if (this.ownsClient) this.client.destroy();
  }
}

export class FolderPartStore implements PartStore {
  readonly root: string;

  constructor(folder: string) {
    this.root = resolve(folder);
  }

  async get(key: string, signal?: AbortSignal): Promise<{ bytes: Buffer; lastModified?: number } | null> {
    const path = resolve(this.root, key);
    if (!path.startsWith(this.root + sep)) throw new TtsError(`part key "${key}" points outside the part folder`, 'store');
    let fh;
    try {
      fh = await open(path, 'r');
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'ENOENT' || code === 'ENOTDIR') return null;
      throw new TtsError(`cannot read part ${path}: ${code ?? String(err)}`, 'store', err);
    }
    try {
      const st = await fh.stat();
      const bytes = await fh.readFile({ signal });
      return { bytes, lastModified: st.mtimeMs };
    } finally {
      await fh.close();
    }
  }

  describe(): string {
    return `folder ${this.root}`;
  }
}
