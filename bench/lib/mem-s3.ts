// A minimal in-memory S3-compatible server (path-style GET/HEAD/PUT of objects) for the high-concurrency
// runs. Hand-written because s3rver (koa + files, ~2 ms per request) saturates at a few hundred requests
// per second and would make the fake store, not the host, the bottleneck at 100+ polling streams. Writes
// are atomic (an object appears whole when its PUT completes), like real S3.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createHash } from 'node:crypto';

interface StoredObject {
  body: Buffer;
  etag: string;
  lastModified: Date;
}

export interface MemS3 {
  readonly endpoint: string;
  /** Store an object directly (the TTS stand-in in the same process): visible to the next GET at once. */
  put(key: string, body: Buffer): void;
  /** Every request before it is answered (counting, by key). */
  onRequest(listener: (req: IncomingMessage) => void): void;
  close(): Promise<void>;
}

const xmlEscape = (s: string) => s.replace(/[<>&'"]/g, (c) => `&#${c.charCodeAt(0)};`);

function notFound(res: ServerResponse, key: string, head: boolean): void {
  const body = `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>NoSuchKey</Code><Message>The specified key does not exist.</Message><Key>${xmlEscape(key)}</Key></Error>`;
  res.writeHead(404, { 'content-type': 'application/xml', 'content-length': head ? 0 : Buffer.byteLength(body) });
  res.end(head ? undefined : body);
}

export async function startMemS3(bucket: string): Promise<MemS3> {
  const objects = new Map<string, StoredObject>();
  const store = (key: string, body: Buffer): string => {
    const etag = `"${createHash('md5').update(body).digest('hex')}"`;
    objects.set(key, { body, etag, lastModified: new Date() });
    return etag;
  };
  const listeners: Array<(req: IncomingMessage) => void> = [];
  const server: Server = createServer((req, res) => {
    for (const l of listeners) l(req);
    const path = decodeURIComponent((req.url ?? '/').split('?')[0]);
    const prefix = `/${bucket}/`;
    if (!path.startsWith(prefix)) {
      res.writeHead(404, { 'content-type': 'application/xml' }).end('<Error><Code>NoSuchBucket</Code></Error>');
      return;
    }
    const key = path.slice(prefix.length);
    if (req.method === 'PUT') {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const etag = store(key, Buffer.concat(chunks));
        res.writeHead(200, { etag, 'content-length': 0 }).end();
      });
      return;
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(501, { 'content-type': 'application/xml' }).end('<Error><Code>NotImplemented</Code></Error>');
      return;
    }
    const o = objects.get(key);
    if (!o) return notFound(res, key, req.method === 'HEAD');
    res.writeHead(200, {
      'content-type': 'application/octet-stream',
      'content-length': o.body.length,
      etag: o.etag,
      // S3 gives whole seconds here
      'last-modified': o.lastModified.toUTCString(),
    });
    res.end(req.method === 'HEAD' ? undefined : o.body);
  });
  server.keepAliveTimeout = 30_000;
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const port = (server.address() as { port: number }).port;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    put: (key, body) => void store(key, body),
    onRequest: (l) => void listeners.push(l),
    async close() {
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
      objects.clear();
    },
  };
}
