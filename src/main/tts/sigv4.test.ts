import { createHash, createHmac } from 'node:crypto';
import { SignatureV4 } from '@smithy/signature-v4';
import { describe, expect, it } from 'vitest';
import { escapeKey } from './s3-get';
import { amzDates, EMPTY_SHA256, signGet, SigningKeys, type Credentials } from './sigv4';

/** The SDK's own signer, configured as the S3 client configures it. */
class Sha256 {
  private readonly h;
  constructor(secret?: string | Uint8Array) {
    this.h = secret === undefined ? createHash('sha256') : createHmac('sha256', secret);
  }
  update(d: string | Uint8Array) {
    this.h.update(d);
  }
  digest() {
    return Promise.resolve(new Uint8Array(this.h.digest()));
  }
}

async function sdkHeaders(host: string, path: string, region: string, credentials: Credentials, now: Date) {
  const signer = new SignatureV4({ credentials, region, service: 's3', sha256: Sha256 as never, uriEscapePath: false, applyChecksum: true });
  const [hostname, port] = host.split(':');
  const signed = await signer.sign(
    { method: 'GET', protocol: 'https:', hostname: hostname!, port: port ? Number(port) : undefined, path, query: {}, headers: { host, 'x-amz-content-sha256': EMPTY_SHA256 } },
    { signingDate: now },
  );
  return signed.headers;
}

describe('signGet is byte-equal to the SDK signer', () => {
  const keys: Credentials = { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY' };
  it.each<[string, string, string, string, Credentials, string]>([
    ['AWS virtual-hosted', 'pilot-tts.s3.ap-northeast-2.amazonaws.com', '/tts/job-1/part0.wav', 'ap-northeast-2', keys, '2026-11-28T10:15:00Z'],
    ['path style on a port', '127.0.0.1:4569', '/tts-parts/tts/j/part12.wav', 'us-east-1', keys, '2026-01-01T00:00:00Z'],
    ['with a session token', 's3.us-west-2.amazonaws.com', '/b/done', 'us-west-2', { ...keys, sessionToken: 'FwoGZXIvYXdzEJr//////////wEaDPQ+token==' }, '2026-06-30T23:59:59Z'],
    ['escaped Korean key', 'b.s3.ap-northeast-2.amazonaws.com', `/${escapeKey('tts/잡 1/part(0).wav')}`, 'ap-northeast-2', keys, '2026-11-28T12:00:00Z'],
  ])('%s', async (_name, host, path, region, credentials, at) => {
    const now = new Date(at);
    const ours = signGet({ host, path, region, credentials, now });
    const sdk = await sdkHeaders(host, path, region, credentials, now);
    expect(ours.authorization).toBe(sdk.authorization);
    expect(ours['x-amz-date']).toBe(sdk['x-amz-date']);
    expect(ours['x-amz-security-token']).toBe(sdk['x-amz-security-token']);
  });
});

describe('amzDates', () => {
  it('formats the long and short dates in UTC', () => {
    expect(amzDates(new Date('2026-11-28T01:02:03.456Z'))).toEqual({ long: '20261128T010203Z', short: '20261128' });
  });
});

describe('SigningKeys', () => {
  it('derives once per day, region and secret', () => {
    const k = new SigningKeys();
    const a = k.get('s', '20261128', 'us-east-1', 's3');
    expect(k.get('s', '20261128', 'us-east-1', 's3')).toBe(a);
    expect(k.get('s', '20261129', 'us-east-1', 's3')).not.toEqual(a);
    expect(k.get('t', '20261129', 'us-east-1', 's3')).not.toEqual(k.get('s', '20261129', 'us-east-1', 's3'));
  });
});
