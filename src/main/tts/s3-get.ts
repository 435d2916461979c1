// One signed S3 GetObject, lean: SigV4 (sigv4.ts, held equal to the SDK's signer), credentials from the SDK's
// default chain, one keep-alive node:http(s) request. Hand-written because this is the poller's hot path
// (thousands of GETs a second under load) and GetObjectCommand's middleware stack cost ~0.9 ms of CPU per GET
// (docs/BENCHMARKS.md); the retry policy mirrors the SDK's `standard` mode (3 attempts, 5xx/throttling/timeouts).
import { Agent as HttpAgent, request as httpRequest, type IncomingMessage } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import type { AwsCredentialIdentity, AwsCredentialIdentityProvider } from '@smithy/types';
import { signGet, SigningKeys } from './sigv4';

/** Where objects live. `endpoint` unset = AWS S3 in `region`. */
export interface S3Location {
  bucket: string;
  region: string;
  endpoint?: string;
  forcePathStyle: boolean;
}

export interface S3GetResult {
  status: number;
  bytes: Buffer;
  lastModified?: number;
  /** From an error response's XML body (NoSuchKey, AccessDenied, …). */
  code?: string;
  message?: string;
}

/** The request never got an HTTP answer (timeout, refused, reset) after every attempt. */
export class S3NetworkError extends Error {
  constructor(
    message: string,
    readonly timeout: boolean,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'S3NetworkError';
  }
}

/** SigV4's path rule for S3: each segment escaped once (RFC 3986), slashes kept. */
export function escapeKey(key: string): string {
  return key
    .split('/')
    .map((s) => encodeURIComponent(s).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`))
    .join('/');
}

/** The object's URL: path style (`host/bucket/key`) or virtual-hosted (`bucket.host/key`), as S3 clients choose. */
export function objectUrl(loc: S3Location, key: string): URL {
  // buckets with dots cannot be virtual-hosted over TLS (the wildcard certificate covers one label)
  const pathStyle = loc.forcePathStyle || loc.bucket.includes('.');
  const base = new URL(loc.endpoint ?? `https://s3.${loc.region}.amazonaws.com`);
  if (!pathStyle) base.hostname = `${loc.bucket}.${base.hostname}`;
  const prefix = base.pathname.replace(/\/+$/, '');
  base.pathname = `${prefix}${pathStyle ? `/${encodeURIComponent(loc.bucket)}` : ''}/${escapeKey(key)}`;
  return base;
}

/** Code and Message of an S3 error body (`<Error><Code>NoSuchKey</Code>…`); empty when there is none. */
export function parseS3Error(xml: string): { code?: string; message?: string } {
  const pick = (tag: string) => new RegExp(`<${tag}>([^<]{0,300})</${tag}>`).exec(xml)?.[1];
  return { code: pick('Code'), message: pick('Message') };
}

/** The SDK's `standard` retry rule: throttling and server errors are worth another attempt, client errors are not. */
export function retryableStatus(status: number, code?: string): boolean {
  return status >= 500 || status === 429 || code === 'SlowDown' || code === 'RequestTimeout' || code === 'Throttling';
}

/** Full-jitter exponential backoff (SDK standard: base 100 ms, cap 20 s). */
export function backoffMs(attempt: number, random = Math.random): number {
  return Math.floor(random() * Math.min(20_000, 100 * 2 ** attempt));
}

export interface S3GetterOptions {
  location: S3Location;
  credentials: AwsCredentialIdentity | AwsCredentialIdentityProvider;
  /** Whole request (connect + answer + body), per attempt. */
  timeoutMs: number;
  maxAttempts?: number;
  maxSockets?: number;
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
}

const defaultSleep = (ms: number, signal?: AbortSignal) =>
  new Promise<void>((resolve) => {
    const t = setTimeout(done, ms);
    function done() {
      clearTimeout(t);
      signal?.removeEventListener('abort', done);
      resolve();
    }
    signal?.addEventListener('abort', done, { once: true });
  });

export class S3Getter {
  private readonly keys = new SigningKeys();
  private readonly agent: HttpAgent;
  private readonly secure: boolean;
  private readonly maxAttempts: number;
  private readonly sleep: NonNullable<S3GetterOptions['sleep']>;

  constructor(private readonly o: S3GetterOptions) {
    this.secure = objectUrl(o.location, 'k').protocol === 'https:';
    const agentOptions = { keepAlive: true, maxSockets: o.maxSockets ?? 256 };
    this.agent = this.secure ? new HttpsAgent(agentOptions) : new HttpAgent(agentOptions);
    this.maxAttempts = Math.max(1, o.maxAttempts ?? 3);
    this.sleep = o.sleep ?? defaultSleep;
  }

  /** GET one object: any HTTP answer comes back (404s too); rejects with S3NetworkError when none came, or the signal's reason. */
  async get(key: string, signal?: AbortSignal): Promise<S3GetResult> {
    for (let attempt = 1; ; attempt++) {
      signal?.throwIfAborted();
      let result: S3GetResult | undefined;
      let failure: S3NetworkError | undefined;
      try {
        result = await this.once(key, signal);
      } catch (err) {
        if (signal?.aborted || !(err instanceof S3NetworkError)) throw err;
        failure = err;
      }
      const again = failure !== undefined || retryableStatus(result!.status, result!.code);
      if (!again || attempt >= this.maxAttempts) {
        if (failure) throw failure;
        return result!;
      }
      await this.sleep(backoffMs(attempt), signal);
    }
  }

  close(): void {
    this.agent.destroy();
  }

  private async once(key: string, signal?: AbortSignal): Promise<S3GetResult> {
    const url = objectUrl(this.o.location, key);
    const credentials = typeof this.o.credentials === 'function' ? await this.o.credentials() : this.o.credentials;
    const headers = signGet({ host: url.host, path: url.pathname, region: this.o.location.region, credentials, now: new Date() }, this.keys);
    return new Promise<S3GetResult>((resolve, reject) => {
      const send = this.secure ? httpsRequest : httpRequest;
      const req = send(url, { method: 'GET', headers, agent: this.agent, signal });
      const timer = setTimeout(() => req.destroy(new S3NetworkError(`no answer within ${this.o.timeoutMs} ms`, true)), this.o.timeoutMs);
      const fail = (err: Error) => {
        clearTimeout(timer);
        if (signal?.aborted) return reject(signal.reason);
        reject(err instanceof S3NetworkError ? err : new S3NetworkError(`${(err as NodeJS.ErrnoException).code ?? err.name}: ${err.message}`, false, { cause: err }));
      };
      req.on('error', fail);
      req.on('response', (res: IncomingMessage) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('error', fail);
        res.on('end', () => {
          clearTimeout(timer);
          const bytes = chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks);
          const status = res.statusCode ?? 0;
          const expected = Number(res.headers['content-length']);
          if (status === 200 && Number.isFinite(expected) && bytes.length !== expected) {
            return fail(new S3NetworkError(`body cut short: ${bytes.length} of ${expected} bytes`, false));
          }
          const modified = res.headers['last-modified'] ? Date.parse(res.headers['last-modified']) : Number.NaN;
          const error = status >= 300 ? parseS3Error(bytes.toString('utf8', 0, Math.min(bytes.length, 4096))) : {};
          resolve({ status, bytes, lastModified: Number.isFinite(modified) ? modified : undefined, ...error });
        });
      });
      req.end();
    });
  }
}
