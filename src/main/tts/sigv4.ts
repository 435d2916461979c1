// AWS Signature Version 4 for one case: an S3 GET with no query and an empty body. Hand-written because the
// SDK's general signer (@smithy/signature-v4) cost ~190 µs of CPU per poll GET here (async hashing, request
// cloning, a fresh HMAC per call for its key cache); this one is a SHA-256 and an HMAC with the day's key cached.
// sigv4.test.ts holds it byte-equal to the SDK's signer.
import { createHash, createHmac } from 'node:crypto';

export const EMPTY_SHA256 = 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855';

export interface Credentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
}

export interface GetToSign {
  /** The Host header as sent (with the port when there is one). */
  host: string;
  /** The request path, already escaped the way S3 wants it (escapeKey). */
  path: string;
  region: string;
  service?: string;
  credentials: Credentials;
  now: Date;
}

/** 20261128T101500Z and 20261128 */
export function amzDates(now: Date): { long: string; short: string } {
  const long = now.toISOString().replace(/[-:]/g, '').replace(/\.\d{3}/, '');
  return { long, short: long.slice(0, 8) };
}

const hmac = (key: string | Buffer, data: string) => createHmac('sha256', key).update(data).digest();

/** Derives and caches the day's signing key (one entry: it changes once a day, or when the credentials do). */
export class SigningKeys {
  private cached: { id: string; key: Buffer } | null = null;

  get(secret: string, short: string, region: string, service: string): Buffer {
    const id = `${short}\n${region}\n${service}\n${secret}`;
    if (this.cached?.id === id) return this.cached.key;
    const key = hmac(hmac(hmac(hmac(`AWS4${secret}`, short), region), service), 'aws4_request');
    this.cached = { id, key };
    return key;
  }
}

/** The headers that sign the GET: host, x-amz-content-sha256, x-amz-date, x-amz-security-token (with a session), authorization. */
export function signGet(r: GetToSign, keys = new SigningKeys()): Record<string, string> {
  const service = r.service ?? 's3';
  const { long, short } = amzDates(r.now);
  const token = r.credentials.sessionToken;
  const signedHeaders = token ? 'host;x-amz-content-sha256;x-amz-date;x-amz-security-token' : 'host;x-amz-content-sha256;x-amz-date';
  const canonical =
    `GET\n${r.path}\n\nhost:${r.host}\nx-amz-content-sha256:${EMPTY_SHA256}\nx-amz-date:${long}\n` +
    (token ? `x-amz-security-token:${token}\n` : '') +
    `\n${signedHeaders}\n${EMPTY_SHA256}`;
  const scope = `${short}/${r.region}/${service}/aws4_request`;
  const stringToSign = `AWS4-HMAC-SHA256\n${long}\n${scope}\n${createHash('sha256').update(canonical).digest('hex')}`;
  const signature = createHmac('sha256', keys.get(r.credentials.secretAccessKey, short, r.region, service)).update(stringToSign).digest('hex');
  return {
    host: r.host,
    'x-amz-content-sha256': EMPTY_SHA256,
    'x-amz-date': long,
    ...(token ? { 'x-amz-security-token': token } : {}),
    authorization: `AWS4-HMAC-SHA256 Credential=${r.credentials.accessKeyId}/${scope}, SignedHeaders=${signedHeaders}, Signature=${signature}`,
  };
}
