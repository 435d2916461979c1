import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTtsJob } from './job-client';
import { TtsError } from './types';

type Handler = (req: IncomingMessage, body: string, res: ServerResponse) => void;
let handler: Handler = () => undefined;
let server: Server;
let url: string;

beforeAll(async () => {
  server = createServer((req, res) => {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => handler(req, body, res));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/jobs`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise((r) => server.close(r));
});

const request = { text: '안녕하세요', callSid: 'CA1', streamSid: 'MZ1' };
const reply = (status: number, body: string, type = 'application/json'): Handler => (_req, _b, res) => {
  res.writeHead(status, { 'content-type': type });
  res.end(body);
};
const start = (timeoutMs = 2000, signal?: AbortSignal) => startTtsJob({ url, request, timeoutMs, signal });

async function failure(p: Promise<unknown>): Promise<TtsError> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(TtsError);
  expect((err as TtsError).kind).toBe('start');
  return err as TtsError;
}

describe('startTtsJob', () => {
  it('POSTs {text, callSid, streamSid} as JSON and returns job_id', async () => {
    let seen: { method?: string; type?: string; body?: unknown } = {};
    handler = (req, body, res) => {
      seen = { method: req.method, type: req.headers['content-type'], body: JSON.parse(body) };
      reply(200, '{"job_id":"job-123"}')(req, body, res);
    };
    await expect(start()).resolves.toBe('job-123');
    expect(seen).toEqual({ method: 'POST', type: 'application/json', body: request });
  });

  it.each([
    ['{"jobId":"abc"}', 'abc'],
    ['{"job_id":42}', '42'],
    ['{"job_id":"a","jobId":"b"}', 'a'],
  ])('accepts %s', async (body, id) => {
    handler = reply(201, body);
    await expect(start()).resolves.toBe(id);
  });

  it.each([
    { name: 'HTTP 500', h: reply(500, 'model overloaded', 'text/plain'), message: /127\.0\.0\.1:\d+ answered HTTP 500 Internal Server Error: model overloaded/ },
    { name: 'HTTP 404 with no body', h: reply(404, ''), message: /answered HTTP 404 Not Found$/ },
    { name: 'no job id', h: reply(200, '{"status":"queued"}'), message: /without a job_id \(got keys: status\)/ },
    { name: 'empty job id', h: reply(200, '{"job_id":""}'), message: /without a job_id/ },
    { name: 'JSON that is not an object', h: reply(200, '"job"'), message: /without a job_id \(got string\)/ },
    { name: 'bad JSON', h: reply(200, '<html>oops</html>', 'text/html'), message: /invalid JSON: <html>oops<\/html>/ },
    { name: 'job id that escapes the key folder', h: reply(200, '{"job_id":"../../etc"}'), message: /cannot be used in an S3 key/ },
    { name: 'job id that is an object', h: reply(200, '{"job_id":{"a":1}}'), message: /cannot be used in an S3 key/ },
  ])('$name → TtsError(start)', async ({ h, message }) => {
    handler = h;
    const err = await failure(start());
    expect(err.message).toMatch(message);
    expect(err.message).not.toContain('안녕하세요');
  });

  it('a service that never answers → timeout error naming TTS_TIMEOUT_MS', async () => {
    handler = () => undefined; // hold the request
    const err = await failure(start(150));
    expect(err.message).toMatch(/did not answer within 150 ms \(TTS_TIMEOUT_MS\)/);
  });

  it('a refused connection → could not reach', async () => {
    const closed = createServer();
    await new Promise<void>((r) => closed.listen(0, '127.0.0.1', r));
    const port = (closed.address() as AddressInfo).port;
    await new Promise((r) => closed.close(r));
    const err = await failure(startTtsJob({ url: `http://127.0.0.1:${port}/`, request, timeoutMs: 2000 }));
    expect(err.message).toMatch(/could not reach TTS service at 127\.0\.0\.1:\d+: ECONNREFUSED/);
  });

  it('cancel aborts the request', async () => {
    handler = () => undefined;
    const ac = new AbortController();
    const p = start(5000, ac.signal);
    setImmediate(() => ac.abort());
    const err = await failure(p);
    expect(err.message).toMatch(/cancelled before it started/);
  });

  it('sends user:pass@ from TTS_URL as Basic auth and never puts it in a message', async () => {
    let auth: string | undefined;
    handler = (req, body, res) => {
      auth = req.headers.authorization;
      reply(500, '')(req, body, res);
    };
    const err = await failure(startTtsJob({ url: url.replace('http://', 'http://user:s3cret@'), request, timeoutMs: 2000 }));
    expect(err.message).not.toContain('s3cret');
    expect(auth).toBe(`Basic ${Buffer.from('user:s3cret').toString('base64')}`);
  });

  it('an answer that stops mid-body → did not finish within TTS_TIMEOUT_MS', async () => {
    handler = (_req, _body, res) => {
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': '100' });
      res.write('{"job_');
    };
    const err = await failure(start(150));
    expect(err.message).toMatch(/did not finish its answer within 150 ms \(TTS_TIMEOUT_MS\)/);
  });

  it('a connection cut mid-body → the answer broke off', async () => {
    handler = (req, _body, res) => {
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': '100' });
      res.write('{"job_');
      setTimeout(() => req.socket.destroy(), 10);
    };
    const err = await failure(start(2000));
    expect(err.message).toMatch(/answer broke off/);
  });

  it('keeps one socket for consecutive jobs (keep-alive)', async () => {
    const ports = new Set<number>();
    handler = (req, body, res) => {
      ports.add(req.socket.remotePort!);
      reply(200, '{"job_id":"k"}')(req, body, res);
    };
    for (let i = 0; i < 3; i++) await start();
    expect(ports.size).toBe(1);
  });
});

