// The health checks' I/O: one request each, bounded by a timeout, reduced to the small outcomes levels.ts judges.
// Nothing here decides green or red. Each probe resolves (never rejects) so one broken check cannot hide the others.
import { constants } from 'node:fs';
import { access, mkdir } from 'node:fs/promises';
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { AwsCredentialIdentity, AwsCredentialIdentityProvider } from '@smithy/types';
import { S3Getter, S3NetworkError, type S3Location } from '../tts/s3-get';
import { toTwilioRestError } from '../twilio/errors';
import type { TwilioRest } from '../twilio/rest';
import type { HttpOutcome, NumbersOutcome, S3Outcome, TwilioOutcome } from './levels';

/** Node's error code of a failed request (fetch wraps it in `cause`). */
function errnoOf(err: unknown): string | undefined {
  let e = err as { code?: unknown; cause?: unknown } | undefined;
  for (let i = 0; e && i < 4; i++) {
    if (typeof e.code === 'string') return e.code;
    e = e.cause as typeof e;
  }
  return undefined;
}

/** GET `url` on a fresh connection (no pooled socket outlives the check): any HTTP answer (its status), or why none came. */
export function probeHttp(url: string, timeoutMs: number): Promise<HttpOutcome> {
  return new Promise<HttpOutcome>((resolve) => {
    let target: URL;
    try {
      target = new URL(url);
    } catch {
      resolve({ kind: 'no-answer', message: `not a URL: ${url}` });
      return;
    }
    const send = target.protocol === 'https:' ? httpsRequest : httpRequest;
    const req = send(target, { method: 'GET', agent: false, headers: { 'user-agent': 'front-door-health', connection: 'close' } });
    const timer = setTimeout(() => {
      resolve({ kind: 'no-answer', message: `no answer within ${timeoutMs} ms`, timeout: true });
      req.destroy();
    }, timeoutMs);
    req.on('response', (res) => {
      clearTimeout(timer);
      resolve({ kind: 'answer', status: res.statusCode ?? 0 });
      res.resume();
      res.on('end', () => req.destroy());
    });
    req.on('error', (err) => {
      clearTimeout(timer);
      resolve({ kind: 'no-answer', code: errnoOf(err), message: err.message });
    });
    req.end();
  });
}

export interface S3ProbeOptions {
  location: S3Location;
  credentials: AwsCredentialIdentity | AwsCredentialIdentityProvider;
  /** A key that should not exist: a 404 NoSuchKey proves bucket and credentials without reading a part. */
  key: string;
  timeoutMs: number;
}

/** One signed GET with the project's lean signer (tts/s3-get.ts), one attempt. */
export async function probeS3(o: S3ProbeOptions): Promise<S3Outcome> {
  let credentials: AwsCredentialIdentity;
  try {
    credentials = typeof o.credentials === 'function' ? await o.credentials() : o.credentials;
  } catch (err) {
    return { kind: 'no-credentials', message: err instanceof Error ? err.message : String(err) };
  }
  const getter = new S3Getter({ location: o.location, credentials, timeoutMs: o.timeoutMs, maxAttempts: 1, maxSockets: 1 });
  try {
    const r = await getter.get(o.key);
    return { kind: 'answer', status: r.status, ...(r.code ? { code: r.code } : {}), ...(r.message ? { message: r.message } : {}) };
  } catch (err) {
    if (err instanceof S3NetworkError) return { kind: 'no-answer', code: errnoOf(err.cause), message: err.message, timeout: err.timeout };
    return { kind: 'no-answer', message: err instanceof Error ? err.message : String(err) };
  } finally {
    getter.close();
  }
}

/** The demo's part folder: it exists (created if needed) and this user can write it. */
export async function probeFolder(path: string): Promise<S3Outcome> {
  try {
    await mkdir(path, { recursive: true });
    await access(path, constants.W_OK);
    return { kind: 'folder', path, writable: true };
  } catch (err) {
    return { kind: 'folder', path, writable: false, error: errnoOf(err) ?? String(err) };
  }
}

/** Fetch our own Twilio account over REST (the official client, twilio/rest.ts), bounded by `timeoutMs`. */
export async function probeTwilio(rest: TwilioRest | null, timeoutMs: number): Promise<TwilioOutcome> {
  if (!rest) return { kind: 'not-configured' };
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<TwilioOutcome>((resolve) => {
    timer = setTimeout(() => resolve({ kind: 'error', status: 0, message: `no answer within ${timeoutMs} ms` }), timeoutMs);
  });
  const fetched = rest.fetchAccount().then(
    (a): TwilioOutcome => ({ kind: 'account', ...a }),
    (err: unknown): TwilioOutcome => {
      const e = toTwilioRestError(err);
      return { kind: 'error', status: e.status, ...(e.code !== undefined ? { code: e.code } : {}), message: e.plain.replace(/^Could not reach Twilio: /, '') };
    },
  );
  try {
    return await Promise.race([fetched, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** The account's numbers over REST, bounded by `timeoutMs`. */
export async function probeNumbers(rest: TwilioRest | null, timeoutMs: number): Promise<NumbersOutcome> {
  if (!rest) return { kind: 'not-configured' };
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<NumbersOutcome>((resolve) => {
    timer = setTimeout(() => resolve({ kind: 'error', message: `no answer within ${timeoutMs} ms` }), timeoutMs);
  });
  const listed = rest.listNumbers().then(
    (numbers): NumbersOutcome => ({ kind: 'numbers', numbers }),
    (err: unknown): NumbersOutcome => ({ kind: 'error', message: toTwilioRestError(err).plain }),
  );
  try {
    return await Promise.race([listed, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
