// A small JSON POST over node:http(s) with keep-alive sockets. Used where a request starts per call on the media
// thread (the TTS job): the bench's ramp profile put undici's fetch at ~1.2 ms of CPU per POST (web streams, a
// wasm HTTP parser); node:http's native parser and a reused socket cost a fraction of that.
import { Agent as HttpAgent, request as httpRequest, type IncomingMessage } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';

export interface PostResult {
  status: number;
  statusText: string;
  text: string;
}

/** Why no answer came: the caller's signal, the timeout, or the network (code such as ECONNREFUSED). */
export class PostError extends Error {
  /** A reused keep-alive socket was reset before any answer: safe to send again. */
  readonly staleSocket: boolean;

  constructor(
    readonly reason: 'aborted' | 'timeout' | 'network' | 'body',
    message: string,
    /** The status line had arrived (a timeout or a break while reading the body). */
    readonly answered: boolean,
    options?: { cause?: unknown; staleSocket?: boolean },
  ) {
    super(message, options);
    this.staleSocket = options?.staleSocket ?? false;
    this.name = 'PostError';
  }
}

const agents = { http: new HttpAgent({ keepAlive: true, maxSockets: 256 }), https: new HttpsAgent({ keepAlive: true, maxSockets: 256 }) };

type PostOptions = { timeoutMs: number; signal?: AbortSignal; headers?: Record<string, string> };

/**
 * POST `body` as JSON to `url`; the whole exchange (connect, answer, body) within timeoutMs. A kept-alive socket
 * that the server had already closed (reset before any answer) is retried once on a fresh one, as Node's docs advise:
 * the request cannot have been processed.
 */
export async function postJson(url: URL, body: unknown, o: PostOptions): Promise<PostResult> {
  const started = Date.now();
  try {
    return await postOnce(url, body, o);
  } catch (err) {
    if (!(err instanceof PostError) || !err.staleSocket) throw err;
    return postOnce(url, body, { ...o, timeoutMs: Math.max(1, o.timeoutMs - (Date.now() - started)) });
  }
}

function postOnce(url: URL, body: unknown, o: PostOptions): Promise<PostResult> {
  return new Promise<PostResult>((resolve, reject) => {
    if (o.signal?.aborted) return reject(new PostError('aborted', 'cancelled', false));
    const payload = Buffer.from(JSON.stringify(body));
    const secure = url.protocol === 'https:';
    const send = secure ? httpsRequest : httpRequest;
    const req = send(url, {
      method: 'POST',
      agent: secure ? agents.https : agents.http,
      headers: { 'content-type': 'application/json', accept: 'application/json', 'content-length': String(payload.length), ...o.headers },
    });
    let answered = false;
    let settled = false;
    const settle = (fn: () => void) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      o.signal?.removeEventListener('abort', onAbort);
      fn();
    };
    const fail = (reason: PostError['reason'], message: string, cause?: unknown) => {
      const code = (cause as NodeJS.ErrnoException | undefined)?.code;
      const staleSocket = req.reusedSocket && !answered && (code === 'ECONNRESET' || code === 'EPIPE');
      settle(() => reject(new PostError(reason, message, answered, { cause, staleSocket })));
      req.destroy();
    };
    const onAbort = () => fail('aborted', 'cancelled');
    const timer = setTimeout(() => fail('timeout', `no answer within ${o.timeoutMs} ms`), o.timeoutMs);
    o.signal?.addEventListener('abort', onAbort, { once: true });
    req.on('error', (err: NodeJS.ErrnoException) => fail(answered ? 'body' : 'network', err.code ?? err.message, err));
    req.on('response', (res: IncomingMessage) => {
      answered = true;
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('close', () => {
        if (!res.complete) fail('body', 'the answer broke off');
      });
      res.on('error', (err: NodeJS.ErrnoException) => fail('body', err.code ?? err.message, err));
      res.on('end', () => settle(() => resolve({ status: res.statusCode ?? 0, statusText: res.statusMessage ?? '', text: Buffer.concat(chunks).toString('utf8') })));
    });
    req.end(payload);
  });
}
