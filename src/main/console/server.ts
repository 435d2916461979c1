// The browser door: serves the built renderer and ConsoleApi over a WebSocket, on 127.0.0.1 only,
// guarded by CONSOLE_TOKEN (no call data without it) and a Host-header check against DNS rebinding.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { readFile, stat } from 'node:fs/promises';
import { extname, join, normalize, resolve, sep } from 'node:path';
import { timingSafeEqual, createHash } from 'node:crypto';
import { WebSocketServer, type WebSocket } from 'ws';
import type { ConsoleApi, ConsoleRequest, ConsoleServerMessage } from '../../shared/api';
import type { Logger } from '../log';
import { listen } from '../net/listen';
import { CONTENT_SECURITY_POLICY } from '../shell/window';
import { checkConsoleRequest } from './params';
import { scopeConsole } from './scope';

export interface ConsoleServerOptions {
  api: ConsoleApi;
  token: string;
  port: number;
  rendererDir: string;
  log: Logger;
}

export interface ConsoleServer {
  port: number;
  url: string;
  stop(): Promise<void>;
}

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.woff2': 'font/woff2',
  '.json': 'application/json',
  '.ico': 'image/x-icon',
};

/**
 * The renderer's policy (shell/window.ts) with connect-src widened to exactly this server's WebSocket, in the header
 * and in the page's meta tag (both apply; the page connects to ws://{its own host}/api).
 */
export function consoleCsp(policy: string, port: number): string {
  return policy.replace("connect-src 'self'", `connect-src 'self' ws://127.0.0.1:${port} ws://localhost:${port}`);
}

function sameToken(a: string, b: string): boolean {
  const ha = createHash('sha256').update(a).digest();
  const hb = createHash('sha256').update(b).digest();
  return timingSafeEqual(ha, hb);
}

export async function startConsoleServer(options: ConsoleServerOptions): Promise<ConsoleServer> {
  const root = resolve(options.rendererDir);
  let port = options.port;
  const hostAllowed = (host: string | undefined) => host === `127.0.0.1:${port}` || host === `localhost:${port}`;

  async function serveStatic(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (!hostAllowed(req.headers.host)) {
      res.writeHead(421, { 'content-type': 'text/plain' }).end('Misdirected request');
      return;
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { allow: 'GET, HEAD' }).end();
      return;
    }
    const url = new URL(req.url ?? '/', 'http://x');
    let path: string;
    try {
      path = normalize(decodeURIComponent(url.pathname)).replace(/^([/\\])+/, '');
    } catch {
      res.writeHead(400).end();
      return;
    }
    let file = join(root, path);
    if (!file.startsWith(root + sep) && file !== root) {
      res.writeHead(400).end();
      return;
    }
    try {
      if ((await stat(file)).isDirectory()) file = join(file, 'index.html');
    } catch {
      // not a file: a client-side route
    }
    let body: Buffer;
    try {
      body = await readFile(file);
    } catch {
      file = join(root, 'index.html'); // client-side routes fall back to the app
      try {
        body = await readFile(file);
      } catch {
        res.writeHead(503, { 'content-type': 'text/plain; charset=utf-8' }).end('The console UI is not built. Run: npm run build');
        return;
      }
    }
    const csp = consoleCsp(CONTENT_SECURITY_POLICY, port);
    // the meta tag's connect-src 'self' gets the same exact socket
    if (extname(file) === '.html') body = Buffer.from(consoleCsp(body.toString('utf8'), port));
    res.writeHead(200, {
      'content-type': TYPES[extname(file)] ?? 'application/octet-stream',
      'content-security-policy': csp,
      'x-content-type-options': 'nosniff',
      'referrer-policy': 'no-referrer',
      'cache-control': extname(file) === '.html' ? 'no-store' : 'public, max-age=3600',
    });
    res.end(req.method === 'HEAD' ? undefined : body);
  }

  const server: Server = createServer((req, res) => void serveStatic(req, res));
  const wss = new WebSocketServer({ noServer: true, maxPayload: 64 * 1024, perMessageDeflate: false });

  server.on('upgrade', (req, socket, head) => {
    const url = new URL(req.url ?? '/', 'http://x');
    const origin = req.headers.origin;
    const originOk = !origin || origin === `http://127.0.0.1:${port}` || origin === `http://localhost:${port}`;
    if (url.pathname !== '/api' || !hostAllowed(req.headers.host) || !originOk) {
      socket.end('HTTP/1.1 403 Forbidden\r\nConnection: close\r\n\r\n');
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => {
      const token = url.searchParams.get('token') ?? '';
      if (!token || !sameToken(token, options.token)) {
        options.log.warn('console: refused a connection with a missing or wrong token');
        ws.close(4401, 'token missing or invalid');
        return;
      }
      attach(ws);
    });
  });

  function attach(ws: WebSocket): void {
    const send = (m: ConsoleServerMessage) => {
      if (ws.readyState === ws.OPEN) ws.send(JSON.stringify(m));
    };
    // this connection's subscription and listen-in (console/scope.ts): audio reaches only the connection that asked
    const scope = scopeConsole(options.api, (push) => send({ push }));
    const unsubscribe = scope.close;
    ws.on('message', async (data, isBinary) => {
      let req: ConsoleRequest;
      try {
        if (isBinary) throw new Error('binary');
        req = JSON.parse(String(data)) as ConsoleRequest;
        if (typeof req !== 'object' || req === null || typeof req.id !== 'number') throw new Error('shape');
      } catch {
        send({ id: -1, ok: false, error: 'Malformed request' });
        return;
      }
      // every method's parameters are schema-checked (console/params.ts) before the host sees them
      const checked = checkConsoleRequest(req.method, req.params);
      if (!checked.ok) {
        options.log.warn({ method: String(req.method).slice(0, 40) }, `console: refused a request: ${checked.error}`);
        send({ id: req.id, ok: false, error: `Refused: ${checked.error}` });
        return;
      }
      try {
        const fn = scope.api[checked.method] as (...args: unknown[]) => Promise<unknown>;
        const result = await fn.apply(scope.api, checked.params);
        send({ id: req.id, ok: true, result });
      } catch (err) {
        options.log.error({ err, method: req.method }, 'console: request failed');
        send({ id: req.id, ok: false, error: 'The host could not complete the request' });
      }
    });
    ws.on('close', unsubscribe);
    ws.on('error', unsubscribe);
  }

  port = await listen(server, options.port, '127.0.0.1', 'CONSOLE_PORT');
  return {
    port,
    url: `http://127.0.0.1:${port}/`,
    async stop() {
      for (const client of wss.clients) client.terminate();
      wss.close();
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}
