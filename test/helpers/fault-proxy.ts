// A fault-injecting HTTP proxy for tests: put it in front of a real server (s3rver) and decide, per request, to pass
// it through or to break it the ways S3 breaks: 503 SlowDown, a stall (no answer), a connection reset, a body cut
// short of its Content-Length, or a body replaced by garbage. Hand-written: a few lines of node:http, and the faults
// must be exact (a library proxy would retry, buffer or fix them). stop() closes every socket it holds.
import { createServer, request, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

export type Fault =
  | 'pass'
  /** 503 with S3's SlowDown XML body. */
  | 'slowdown'
  /** Accept, never answer (until stop()). */
  | 'stall'
  /** Destroy the client's connection before any answer (ECONNRESET). */
  | 'reset'
  /** Forward, send the real headers, then only half the body and destroy the socket. */
  | 'truncate'
  /** Forward, answer 200 with the real length but bytes that are no WAV. */
  | 'corrupt';

export interface FaultProxy {
  url: string;
  /** Every request: method, path and the fault applied. */
  seen: Array<{ method: string; path: string; fault: Fault }>;
  /** Requests still held open (stalls). */
  readonly held: number;
  stop(): Promise<void>;
}

export async function startFaultProxy(target: string, decide: (req: { method: string; path: string }) => Fault): Promise<FaultProxy> {
  const to = new URL(target);
  const seen: FaultProxy['seen'] = [];
  const sockets = new Set<Socket>();
  const heldResponses = new Set<ServerResponse>();

  const forward = (req: IncomingMessage, res: ServerResponse, body: Buffer, fault: Fault) => {
    const up = request({ host: to.hostname, port: to.port, method: req.method, path: req.url, headers: req.headers }, (upRes) => {
      const chunks: Buffer[] = [];
      upRes.on('data', (c: Buffer) => chunks.push(c));
      upRes.on('end', () => {
        const bytes = Buffer.concat(chunks);
        const status = upRes.statusCode ?? 502;
        if (fault === 'pass' || status !== 200) {
          res.writeHead(status, upRes.headers);
          return res.end(bytes);
        }
        if (fault === 'corrupt') {
          res.writeHead(200, { ...upRes.headers, 'content-length': String(bytes.length) });
          return res.end(Buffer.alloc(bytes.length, 0x5a)); // "ZZZZ…": not RIFF
        }
        // truncate: the real length announced, half of it sent, then the connection dies
        res.writeHead(200, { ...upRes.headers, 'content-length': String(bytes.length) });
        res.write(bytes.subarray(0, Math.floor(bytes.length / 2)), () => res.socket?.destroy());
      });
    });
    up.on('error', () => res.socket?.destroy());
    up.end(body);
  };

  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const path = (req.url ?? '/').split('?')[0]!;
      const fault = decide({ method: req.method ?? 'GET', path });
      seen.push({ method: req.method ?? 'GET', path, fault });
      if (fault === 'slowdown') {
        res.writeHead(503, { 'content-type': 'application/xml' });
        return res.end('<?xml version="1.0" encoding="UTF-8"?><Error><Code>SlowDown</Code><Message>Please reduce your request rate.</Message></Error>');
      }
      if (fault === 'stall') {
        heldResponses.add(res);
        res.on('close', () => heldResponses.delete(res));
        return;
      }
      if (fault === 'reset') return req.socket.destroy();
      forward(req, res, Buffer.concat(chunks), fault);
    });
  });
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    seen,
    get held() {
      return heldResponses.size;
    },
    async stop() {
      for (const s of sockets) s.destroy();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}
