// ConsoleApi over the console WebSocket (browser mode): request ids, pushes, reconnect with backoff,
// and the 4401 "access token missing/invalid" close code.
import type { ConsoleMessage, ConsoleMethod, ConsoleReply, ConsoleRequest, ConsoleServerMessage } from '../../../shared/api';
import type { Bridge, ConnectionState } from './types';

export const TOKEN_KEY = 'frontdoor.consoleToken';
export const UNAUTHORIZED_CLOSE = 4401;

/** Take ?token= from the address (keeping it in sessionStorage and removing it from the bar), else the stored one. */
export function takeToken(href: string, storage: Pick<Storage, 'getItem' | 'setItem'> | null, replaceUrl: (url: string) => void): string | null {
  const url = new URL(href);
  const fromUrl = url.searchParams.get('token');
  if (fromUrl) {
    try {
      storage?.setItem(TOKEN_KEY, fromUrl);
    } catch {
      // storage disabled: the token still works for this page load
    }
    url.searchParams.delete('token');
    replaceUrl(`${url.pathname}${url.search}${url.hash}`);
    return fromUrl;
  }
  try {
    return storage?.getItem(TOKEN_KEY) ?? null;
  } catch {
    return null;
  }
}

export function consoleSocketUrl(location: Pick<Location, 'protocol' | 'host'>, token: string | null): string {
  const scheme = location.protocol === 'https:' ? 'wss' : 'ws';
  return `${scheme}://${location.host}/api?token=${encodeURIComponent(token ?? '')}`;
}

/** 0.5 s, 1 s, 2 s, 4 s, 8 s, then every 10 s. */
export function backoffMs(attempt: number): number {
  return Math.min(10_000, 500 * 2 ** Math.max(0, attempt));
}

/** The subset of the WebSocket API we use, so tests can drive a fake one. */
export interface SocketLike {
  readonly readyState: number;
  onopen: ((ev: unknown) => void) | null;
  onclose: ((ev: { code: number; reason?: string }) => void) | null;
  onmessage: ((ev: { data: unknown }) => void) | null;
  onerror: ((ev: unknown) => void) | null;
  send(data: string): void;
  close(code?: number, reason?: string): void;
}

export interface WsBridgeOptions {
  url: string;
  tokenPresent: boolean;
  createSocket?: (url: string) => SocketLike;
  setTimer?: (fn: () => void, ms: number) => unknown;
  clearTimer?: (handle: unknown) => void;
  requestTimeoutMs?: number;
  onProtocolError?: (message: string) => void;
}

const OPEN = 1;

export function createWsBridge(options: WsBridgeOptions): Bridge {
  const createSocket = options.createSocket ?? ((url: string) => new WebSocket(url) as unknown as SocketLike);
  const setTimer = options.setTimer ?? ((fn, ms) => setTimeout(fn, ms));
  const clearTimer = options.clearTimer ?? ((h) => clearTimeout(h as ReturnType<typeof setTimeout>));
  const requestTimeoutMs = options.requestTimeoutMs ?? 20_000;
  const listeners = new Set<(m: ConsoleMessage) => void>();
  const connectionListeners = new Set<(s: ConnectionState) => void>();
  const pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void; timer: unknown }>();
  let state: ConnectionState = { status: 'connecting', tokenPresent: options.tokenPresent, attempt: 0 };
  let socket: SocketLike | null = null;
  let retryTimer: unknown = null;
  let nextId = 1;
  let closed = false;
  let lastSnapshot: ConsoleMessage | null = null;

  const setState = (next: Partial<ConnectionState>) => {
    state = { ...state, ...next };
    for (const l of connectionListeners) l(state);
  };

  const failPending = (message: string) => {
    for (const [id, p] of pending) {
      clearTimer(p.timer);
      p.reject(new Error(message));
      pending.delete(id);
    }
  };

  const onServerMessage = (raw: unknown) => {
    let message: ConsoleServerMessage;
    try {
      message = JSON.parse(String(raw)) as ConsoleServerMessage;
    } catch {
      options.onProtocolError?.('The host sent a message that is not JSON; ignored.');
      return;
    }
    if (message && typeof message === 'object' && 'push' in message) {
      if (message.push.kind === 'snapshot') lastSnapshot = message.push;
      for (const l of listeners) l(message.push);
      return;
    }
    const reply = message as ConsoleReply;
    const waiting = typeof reply?.id === 'number' ? pending.get(reply.id) : undefined;
    if (!waiting) return;
    pending.delete(reply.id);
    clearTimer(waiting.timer);
    if (reply.ok) waiting.resolve(reply.result);
    else waiting.reject(new Error(reply.error || 'The host refused the request.'));
  };

  const connect = () => {
    retryTimer = null;
    if (closed) return;
    const ws = createSocket(options.url);
    socket = ws;
    ws.onopen = () => setState({ status: 'open', attempt: 0 });
    ws.onmessage = (ev) => onServerMessage(ev.data);
    ws.onerror = () => {
      // a close event always follows; reconnecting is decided there
    };
    ws.onclose = (ev) => {
      if (socket !== ws) return;
      socket = null;
      failPending('The connection to the host was lost before it answered.');
      if (closed) return;
      if (ev.code === UNAUTHORIZED_CLOSE) {
        setState({ status: 'unauthorized' });
        return;
      }
      const attempt = state.attempt;
      setState({ status: 'reconnecting', attempt: attempt + 1 });
      retryTimer = setTimer(connect, backoffMs(attempt));
    };
  };

  const request = (method: ConsoleMethod, params: unknown[]): Promise<unknown> =>
    new Promise((resolve, reject) => {
      if (!socket || socket.readyState !== OPEN) {
        reject(new Error(state.status === 'unauthorized' ? 'Access token missing or invalid.' : 'Not connected to the host right now; reconnecting.'));
        return;
      }
      const id = nextId++;
      const timer = setTimer(() => {
        if (pending.delete(id)) reject(new Error(`The host did not answer ${method} in ${Math.round(requestTimeoutMs / 1000)} s.`));
      }, requestTimeoutMs);
      pending.set(id, { resolve, reject, timer });
      const body: ConsoleRequest = { id, method, params };
      socket.send(JSON.stringify(body));
    });

  connect();

  return {
    subscribe(listener) {
      listeners.add(listener);
      if (lastSnapshot) listener(lastSnapshot);
      return () => listeners.delete(listener);
    },
    getCall: (callSid) => request('getCall', [callSid]) as ReturnType<Bridge['getCall']>,
    listHistory: (query) => request('listHistory', [query]) as ReturnType<Bridge['listHistory']>,
    exportCall: (callSid) => request('exportCall', [callSid]) as ReturnType<Bridge['exportCall']>,
    // listen and recordings
    listen: (callSid, on) => request('listen', [callSid, on]) as ReturnType<Bridge['listen']>,
    getRecording: (callSid) => request('getRecording', [callSid]) as ReturnType<Bridge['getRecording']>,
    exportRecording: (callSid, encoding) => request('exportRecording', [callSid, encoding]) as ReturnType<Bridge['exportRecording']>,
    handoff: (callSid) => request('handoff', [callSid]) as ReturnType<Bridge['handoff']>,
    hangup: (callSid) => request('hangup', [callSid]) as ReturnType<Bridge['hangup']>,
    simulate: (scenario) => request('simulate', [scenario]) as ReturnType<Bridge['simulate']>,
    setAutoDemo: (enabled) => request('setAutoDemo', [enabled]) as ReturnType<Bridge['setAutoDemo']>,
    say: (callSid, text) => request('say', [callSid, text]) as ReturnType<Bridge['say']>,
    setBotMuted: (callSid, muted) => request('setBotMuted', [callSid, muted]) as ReturnType<Bridge['setBotMuted']>,
    runHealthChecks: () => request('runHealthChecks', []) as ReturnType<Bridge['runHealthChecks']>,
    onConnection(listener) {
      connectionListeners.add(listener);
      return () => connectionListeners.delete(listener);
    },
    connection: () => state,
    close() {
      closed = true;
      if (retryTimer !== null) clearTimer(retryTimer);
      retryTimer = null;
      failPending('The console was closed.');
      const ws = socket;
      socket = null;
      ws?.close(1000, 'console closed');
      listeners.clear();
      connectionListeners.clear();
    },
  };
}
