import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { silentLogger } from '../log';
import { noticeRoute } from './notice-route';
import { NoticeBoard } from './notices';

let server: Server | null = null;
afterEach(async () => {
  server?.closeAllConnections();
  await new Promise((r) => (server ? server.close(r) : r(null)));
  server = null;
});

async function serve(board: NoticeBoard): Promise<string> {
  const route = noticeRoute({ deliver: (t, n) => board.deliver(t, n), log: silentLogger() });
  server = createServer((req, res) => route(req, res) || res.writeHead(418).end());
  await new Promise<void>((r) => server!.listen(0, '127.0.0.1', () => r()));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

function send(base: string, path: string, body: string | Buffer, method = 'POST'): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const req = request(base + path, { method, headers: { 'content-type': 'application/json' } }, (res) => {
      let text = '';
      res.on('data', (c: Buffer) => (text += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

describe('POST /tts_part/{token}', () => {
  it('delivers a notice to the reply holding the token (204) and wakes nothing else', async () => {
    const board = new NoticeBoard();
    const a = board.open();
    const b = board.open();
    const base = await serve(board);
    expect(await send(base, `/tts_part/${a.token}`, '{"job_id":"job-1","part":3}')).toEqual({ status: 204, text: '' });
    expect(a.box.take()).toEqual({ part: 3, done: false });
    expect(b.box.pending()).toBe(false);
    expect((await send(base, `/tts_part/${a.token}`, '{"done":true}')).status).toBe(204);
    expect(a.box.take().done).toBe(true);
  });

  it.each([
    ['an unknown token', '/tts_part/AAAAAAAAAAAAAAAAAAAAAA', '{"part":0}', 404, /no live reply/],
    ['a token of the wrong shape', '/tts_part/..%2f..%2fetc', '{"part":0}', 404, /no live reply/],
    ['a body that is not JSON', null, 'part=0', 400, /not JSON/],
    ['a notice that says nothing', null, '{"job_id":"j"}', 400, /"part": N/],
    ['a negative part', null, '{"part":-2}', 400, /./],
    ['a body over 1 KB', null, JSON.stringify({ part: 1, job_id: 'x'.repeat(2000) }), 413, /at most 1024 bytes/],
  ])('%s: %i with a reason, nothing delivered', async (_what, path, body, status, reason) => {
    const board = new NoticeBoard();
    const live = board.open();
    const base = await serve(board);
    const res = await send(base, path ?? `/tts_part/${live.token}`, body);
    expect(res.status).toBe(status);
    expect(JSON.parse(res.text).error).toMatch(reason);
    expect(live.box.pending()).toBe(false);
  });

  it('answers 405 to anything but POST, and leaves other paths to the app', async () => {
    const base = await serve(new NoticeBoard());
    expect((await send(base, '/tts_part/abc', '', 'GET')).status).toBe(405);
    expect((await send(base, '/voice_stream', '')).status).toBe(418);
  });
});
