// Where parts are read from: S3 (a lean signed GET, s3-get.ts) or a local folder (demo). createS3Client is the
// full SDK client for everything else that talks to S3 (the demo's TTS stand-in uploads, tests).
import { open } from 'node:fs/promises';
import { join, resolve, sep } from 'node:path';
import { S3Client, type S3ClientConfig } from '@aws-sdk/client-s3';
import { defaultProvider } from '@aws-sdk/credential-provider-node';
import type { AwsCredentialIdentity, AwsCredentialIdentityProvider } from '@smithy/types';
import type { Config } from '../config/load';
import { S3Getter, S3NetworkError, type S3GetResult } from './s3-get';
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
 * offThread: run the S3 reads in a worker thread (the host does with S3_OFF_THREAD=true; by default it reads in process).
 * credentials: fixed keys (tests); by default the AWS SDK's chain (environment, shared config, SSO, instance role).
 */
export function createPartStore(
  config: Config,
  opts: { folder?: string; credentials?: AwsCredentialIdentity | AwsCredentialIdentityProvider; offThread?: boolean } = {},
): PartStore {
  const s = config.settings;
  if (s.TTS_BUCKET || s.S3_ENDPOINT) {
    if (!s.TTS_BUCKET) throw new TtsError('S3_ENDPOINT is set but TTS_BUCKET is not: set the bucket the TTS service writes parts to', 'store');
    const where = s.S3_ENDPOINT ? `${new URL(s.S3_ENDPOINT).host}` : `AWS ${s.AWS_REGION}`;
    if (opts.offThread && !opts.credentials) return new WorkerPartStore(config, where);
    const getter = new S3Getter({
      location: { bucket: s.TTS_BUCKET, region: s.AWS_REGION, endpoint: s.S3_ENDPOINT, forcePathStyle: s.S3_FORCE_PATH_STYLE },
      credentials: opts.credentials ?? defaultProvider(),
      timeoutMs: s.S3_REQUEST_TIMEOUT_MS,
    });
    return new S3PartStore(getter, s.TTS_BUCKET, where);
  }
  return new FolderPartStore(opts.folder ?? s.PART_STORE_DIR ?? join(config.dataDir, 'tts-parts'));
}

const CREDENTIAL_CODES = /^(InvalidAccessKeyId|SignatureDoesNotMatch|ExpiredToken|InvalidToken|TokenRefreshRequired|AuthorizationHeaderMalformed)$/;

export class S3PartStore implements PartStore {
  constructor(
    private readonly getter: S3Getter,
    readonly bucket: string,
    private readonly where: string,
  ) {}

  async get(key: string, signal?: AbortSignal): Promise<{ bytes: Buffer; lastModified?: number } | null> {
    const target = `s3://${this.bucket}/${key} (${this.where})`;
    let res: S3GetResult;
    try {
      res = await this.getter.get(key, signal);
    } catch (err) {
      if (signal?.aborted) throw err; // the caller cancelled: not a store problem
      if (err instanceof S3NetworkError) {
        if (err.timeout) throw new TransientStoreError(`S3 did not answer for ${target} within S3_REQUEST_TIMEOUT_MS`, 'timeout', err);
        throw new TransientStoreError(`S3 unreachable reading ${target}: ${err.message}`, 'store', err);
      }
      const message = err instanceof Error ? err.message : String(err);
      if (/credential/i.test(message)) throw new TtsError(`no AWS credentials to read ${target}: ${message.slice(0, 200)}`, 'store', err);
      throw new TransientStoreError(`S3 error reading ${target}: ${message.slice(0, 200)}`, 'store', err);
    }
    const { status, code } = res;
    if (status === 200) return { bytes: res.bytes, lastModified: res.lastModified };
    const name = code ?? `HTTP ${status}`;
    if (code === 'NoSuchBucket') throw new TtsError(`bucket "${this.bucket}" does not exist at ${this.where} (TTS_BUCKET)`, 'store');
    if (status === 404) return null; // NoSuchKey: not written yet
    if (status === 403 && !(code && CREDENTIAL_CODES.test(code))) {
      throw new TtsError(
        `S3 refused to read ${target}: 403 ${name}. The host's role needs s3:GetObject on the parts and s3:ListBucket on the bucket (without ListBucket a part not written yet answers 403, not 404)`,
        'store',
      );
    }
    if (status === 400 || status === 401 || status === 403) {
      throw new TtsError(`S3 rejected our credentials reading ${target}: ${name}${res.message ? ` (${res.message.slice(0, 160)})` : ''}`, 'store');
    }
    throw new TransientStoreError(`S3 error reading ${target}: HTTP ${status} ${code ?? ''}${res.message ? ` (${res.message.slice(0, 160)})` : ''}`.trimEnd(), 'store');
  }

  describe(): string {
    return `s3://${this.bucket} at ${this.where}`;
  }

  close(): void {
    this.getter.close();
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
