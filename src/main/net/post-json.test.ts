import { createServer, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { PostError, postJson } from './post-json';

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0)) await c();
});

/** A raw HTTP server: `answer(n, socket)` decides what the n-th request (over all connections) gets. */
async function rawServer(answer: (n: number, socket: Socket) => void) {
  const seen = { requests: 0, connections: 0 };
  const sockets = new Set<Socket>();
  const server = createServer((socket) => {
    seen.connections++;
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    let buf = '';
    socket.on('data', (d) => {
      buf += d.toString('latin1');
      // one small request per read in these tests: headers end, then a JSON body of content-length bytes
      const end = buf.indexOf('\r\n\r\n');
      const len = Number(/content-length: (\d+)/i.exec(buf)?.[1] ?? 0);
      if (end >= 0 && buf.length >= end + 4 + len) {
        buf = '';
        answer(++seen.requests, socket);
      }
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  cleanups.push(async () => {
    for (const s of sockets) s.destroy();
    await new Promise((r) => server.close(r));
  });
  return { seen, url: new URL(`http://127.0.0.1:${(server.address() as AddressInfo).port}/jobs`) };
}

const ok = (socket: Socket, body: string) =>
  socket.write(`HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\nConnection: keep-alive\r\n\r\n${body}`);

describe('postJson', () => {
  it('a kept-alive socket the server reset before answering is retried once on a fresh socket', async () => {
    const { seen, url } = await rawServer((n, socket) => {
      if (n === 2) return socket.resetAndDestroy(); // the server had given up on this idle socket
      ok(socket, `{"job_id":"j${n}"}`);
    });
    expect((await postJson(url, { a: 1 }, { timeoutMs: 2000 })).text).toBe('{"job_id":"j1"}');
    expect((await postJson(url, { a: 2 }, { timeoutMs: 2000 })).text).toBe('{"job_id":"j3"}');
    expect(seen).toEqual({ requests: 3, connections: 2 });
  });

  it('a reset on a fresh socket is not retried (the server may have seen the request)', async () => {
    const { seen, url } = await rawServer((_n, socket) => socket.resetAndDestroy());
    const err = await postJson(url, {}, { timeoutMs: 2000 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(PostError);
    expect((err as PostError).reason).toBe('network');
    expect(seen.requests).toBe(1);
  });
});
