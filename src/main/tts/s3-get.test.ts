import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { backoffMs, escapeKey, objectUrl, parseS3Error, retryableStatus, S3Getter, S3NetworkError, type S3Location } from './s3-get';

describe('objectUrl', () => {
  const aws = { bucket: 'pilot-tts', region: 'ap-northeast-2', forcePathStyle: false };
  it.each<[string, S3Location, string, string]>([
    ['AWS, virtual-hosted', aws, 'tts/j1/part0.wav', 'https://pilot-tts.s3.ap-northeast-2.amazonaws.com/tts/j1/part0.wav'],
    ['AWS, path style forced', { ...aws, forcePathStyle: true }, 'tts/j1/part0.wav', 'https://s3.ap-northeast-2.amazonaws.com/pilot-tts/tts/j1/part0.wav'],
    ['AWS, a bucket with dots falls back to path style', { ...aws, bucket: 'a.b' }, 'k', 'https://s3.ap-northeast-2.amazonaws.com/a.b/k'],
    ['custom endpoint, path style', { ...aws, endpoint: 'http://127.0.0.1:4569', forcePathStyle: true }, 'p/j/part1.wav', 'http://127.0.0.1:4569/pilot-tts/p/j/part1.wav'],
    ['custom endpoint with a base path', { ...aws, endpoint: 'http://minio.local/s3/', forcePathStyle: true }, 'k', 'http://minio.local/s3/pilot-tts/k'],
    ['custom endpoint, virtual-hosted', { ...aws, endpoint: 'https://storage.example.com' }, 'k', 'https://pilot-tts.storage.example.com/k'],
    ['key characters are escaped once, slashes kept', { ...aws, forcePathStyle: true }, "tts/잡 1/part(0)!*'.wav", 'https://s3.ap-northeast-2.amazonaws.com/pilot-tts/tts/%EC%9E%A1%201/part%280%29%21%2A%27.wav'],
  ])('%s', (_name, loc, key, url) => {
    expect(objectUrl(loc, key).href).toBe(url);
  });

  it('escapeKey leaves unreserved characters alone', () => {
    expect(escapeKey('a-b_c.d~e/f')).toBe('a-b_c.d~e/f');
  });
});

describe('parseS3Error', () => {
  it.each([
    ['<?xml version="1.0"?><Error><Code>NoSuchKey</Code><Message>The specified key does not exist.</Message></Error>', { code: 'NoSuchKey', message: 'The specified key does not exist.' }],
    ['<Error><Code>AccessDenied</Code></Error>', { code: 'AccessDenied', message: undefined }],
    ['', { code: undefined, message: undefined }],
    ['<html>bad gateway</html>', { code: undefined, message: undefined }],
  ])('%s', (xml, expected) => {
    expect(parseS3Error(xml)).toEqual(expected);
  });
});

describe('retry policy (the SDK standard mode)', () => {
  it.each<[number, string | undefined, boolean]>([
    [500, 'InternalError', true],
    [503, 'SlowDown', true],
    [429, undefined, true],
    [400, 'RequestTimeout', true],
    [404, 'NoSuchKey', false],
    [403, 'AccessDenied', false],
    [400, 'InvalidRequest', false],
  ])('HTTP %i %s -> retry %s', (status, code, retry) => {
    expect(retryableStatus(status, code)).toBe(retry);
  });

  it('backs off with full jitter under a doubling cap', () => {
    expect(backoffMs(1, () => 0.999)).toBe(199);
    expect(backoffMs(2, () => 0.5)).toBe(200);
    expect(backoffMs(30, () => 0.999)).toBe(19_980);
    expect(backoffMs(1, () => 0)).toBe(0);
  });
});

describe('S3Getter against a local HTTP server', () => {
  const cleanups: Array<() => Promise<void> | void> = [];
  afterEach(async () => {
    for (const c of cleanups.splice(0)) await c();
  });

  async function serve(respond: (req: IncomingMessage, res: ServerResponse) => void, getterOpts: { timeoutMs?: number; maxAttempts?: number } = {}) {
    const seen: IncomingMessage[] = [];
    const server = createServer((req, res) => {
      seen.push(req);
      respond(req, res);
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const getter = new S3Getter({
      location: { bucket: 'b', region: 'us-east-1', endpoint, forcePathStyle: true },
      credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'secret', sessionToken: 'tok' },
      timeoutMs: getterOpts.timeoutMs ?? 2000,
      maxAttempts: getterOpts.maxAttempts ?? 3,
      sleep: () => Promise.resolve(),
    });
    cleanups.push(async () => {
      getter.close();
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
    });
    return { seen, getter };
  }

  it('sends a SigV4-signed GET (session token, empty-payload hash) and returns the body and Last-Modified', async () => {
    const { seen, getter } = await serve((_req, res) => {
      res.writeHead(200, { 'content-length': '4', 'last-modified': 'Sat, 28 Nov 2026 10:00:00 GMT' });
      res.end('RIFF');
    });
    const got = await getter.get('tts/j1/part0.wav');
    expect(got.status).toBe(200);
    expect(got.bytes.toString()).toBe('RIFF');
    expect(got.lastModified).toBe(Date.parse('2026-11-28T10:00:00Z'));
    const req = seen[0]!;
    expect(req.method).toBe('GET');
    expect(req.url).toBe('/b/tts/j1/part0.wav');
    expect(req.headers.authorization).toMatch(/^AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE\/\d{8}\/us-east-1\/s3\/aws4_request, SignedHeaders=[a-z0-9;-]*host;[a-z0-9;-]*x-amz-date[a-z0-9;-]*, Signature=[0-9a-f]{64}$/);
    expect(req.headers['x-amz-content-sha256']).toBe('e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
    expect(req.headers['x-amz-security-token']).toBe('tok');
  });

  it('returns a 404 with its error code at once (a miss is one request)', async () => {
    const { seen, getter } = await serve((_req, res) => {
      res.writeHead(404, { 'content-type': 'application/xml' });
      res.end('<Error><Code>NoSuchKey</Code><Message>nope</Message></Error>');
    });
    expect(await getter.get('k')).toMatchObject({ status: 404, code: 'NoSuchKey', message: 'nope' });
    expect(seen).toHaveLength(1);
  });

  it('retries 503 SlowDown up to maxAttempts, then returns the last answer', async () => {
    const { seen, getter } = await serve((_req, res) => {
      res.writeHead(503);
      res.end('<Error><Code>SlowDown</Code></Error>');
    });
    expect(await getter.get('k')).toMatchObject({ status: 503, code: 'SlowDown' });
    expect(seen).toHaveLength(3);
  });

  it('a 500 then a 200: the retry delivers the object', async () => {
    let n = 0;
    const { getter } = await serve((_req, res) => {
      if (n++ === 0) {
        res.writeHead(500);
        return res.end();
      }
      res.end('ok');
    });
    expect((await getter.get('k')).bytes.toString()).toBe('ok');
  });

  it('a server that never answers: S3NetworkError(timeout) after every attempt', async () => {
    const { seen, getter } = await serve(() => undefined, { timeoutMs: 50, maxAttempts: 2 });
    const err = await getter.get('k').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(S3NetworkError);
    expect((err as S3NetworkError).timeout).toBe(true);
    expect(seen).toHaveLength(2);
  });

  it('a body cut short of its Content-Length is a network error, not a part', async () => {
    const { getter } = await serve((req, res) => {
      res.writeHead(200, { 'content-length': '100' });
      res.write('RIFF');
      setTimeout(() => req.socket.destroy(), 10);
    }, { maxAttempts: 1 });
    await expect(getter.get('k')).rejects.toBeInstanceOf(S3NetworkError);
  });

  it('an abort rejects with the signal reason and sends nothing more', async () => {
    const { seen, getter } = await serve(() => undefined);
    const controller = new AbortController();
    const pending = getter.get('k', controller.signal);
    await new Promise((r) => setTimeout(r, 30));
    controller.abort(new Error('hung up'));
    await expect(pending).rejects.toThrow('hung up');
    expect(seen).toHaveLength(1);
  });
});
