import { describe, expect, it } from 'vitest';
import type { ConsoleMessage } from '../../../shared/api';
import { backoffMs, consoleSocketUrl, createWsBridge, takeToken, TOKEN_KEY, type SocketLike } from './ws';
import type { ConnectionState } from './types';

class FakeSocket implements SocketLike {
  readyState = 0;
  onopen: SocketLike['onopen'] = null;
  onclose: SocketLike['onclose'] = null;
  onmessage: SocketLike['onmessage'] = null;
  onerror: SocketLike['onerror'] = null;
  sent: unknown[] = [];
  closedWith: number | undefined;
  constructor(readonly url: string) {}
  send(data: string) {
    this.sent.push(JSON.parse(data));
  }
  close(code?: number) {
    this.closedWith = code;
    this.readyState = 3;
  }
  open() {
    this.readyState = 1;
    this.onopen?.({});
  }
  serverSends(message: unknown) {
    this.onmessage?.({ data: typeof message === 'string' ? message : JSON.stringify(message) });
  }
  serverCloses(code: number) {
    this.readyState = 3;
    this.onclose?.({ code });
  }
}

function harness() {
  const sockets: FakeSocket[] = [];
  const timers: Array<{ fn: () => void; ms: number; cleared: boolean }> = [];
  const states: ConnectionState[] = [];
  const bridge = createWsBridge({
    url: 'ws://127.0.0.1:5173/api?token=t',
    tokenPresent: true,
    createSocket: (url) => {
      const s = new FakeSocket(url);
      sockets.push(s);
      return s;
    },
    setTimer: (fn, ms) => {
      const t = { fn, ms, cleared: false };
      timers.push(t);
      return t;
    },
    clearTimer: (h) => {
      (h as { cleared: boolean }).cleared = true;
    },
    requestTimeoutMs: 1000,
  });
  bridge.onConnection((s) => states.push(s));
  const live = () => timers.filter((t) => !t.cleared);
  return { bridge, sockets, timers, live, states, socket: () => sockets[sockets.length - 1] };
}

describe('takeToken', () => {
  function storage(initial: Record<string, string> = {}) {
    const map = new Map(Object.entries(initial));
    return { getItem: (k: string) => map.get(k) ?? null, setItem: (k: string, v: string) => void map.set(k, v), map };
  }
  it('takes ?token= from the address, stores it and removes it from the bar', () => {
    const s = storage();
    let replaced = '';
    expect(takeToken('http://127.0.0.1:5173/?token=abc&x=1#h', s, (u) => (replaced = u))).toBe('abc');
    expect(s.map.get(TOKEN_KEY)).toBe('abc');
    expect(replaced).toBe('/?x=1#h');
  });
  it('falls back to the stored token, or null', () => {
    expect(takeToken('http://127.0.0.1:5173/', storage({ [TOKEN_KEY]: 'kept' }), () => undefined)).toBe('kept');
    expect(takeToken('http://127.0.0.1:5173/', storage(), () => undefined)).toBeNull();
    expect(takeToken('http://127.0.0.1:5173/', null, () => undefined)).toBeNull();
  });
});

describe('consoleSocketUrl / backoffMs', () => {
  it('builds ws(s)://host/api?token=', () => {
    expect(consoleSocketUrl({ protocol: 'http:', host: '127.0.0.1:5173' }, 'a b')).toBe('ws://127.0.0.1:5173/api?token=a%20b');
    expect(consoleSocketUrl({ protocol: 'https:', host: 'x' }, null)).toBe('wss://x/api?token=');
  });
  it.each([
    [0, 500],
    [1, 1000],
    [3, 4000],
    [4, 8000],
    [5, 10_000],
    [50, 10_000],
  ])('attempt %i waits %i ms', (attempt, ms) => expect(backoffMs(attempt)).toBe(ms));
});

describe('createWsBridge', () => {
  it('delivers pushes to subscribers and answers requests by id', async () => {
    const h = harness();
    const got: ConsoleMessage[] = [];
    h.bridge.subscribe((m) => got.push(m));
    h.socket().open();
    expect(h.states.at(-1)?.status).toBe('open');
    h.socket().serverSends({ push: { kind: 'call.removed', callSid: 'CA1' } });
    expect(got).toEqual([{ kind: 'call.removed', callSid: 'CA1' }]);
    const a = h.bridge.handoff('CA1');
    const b = h.bridge.listHistory({ text: '환불' });
    expect(h.socket().sent).toEqual([
      { id: 1, method: 'handoff', params: ['CA1'] },
      { id: 2, method: 'listHistory', params: [{ text: '환불' }] },
    ]);
    h.socket().serverSends({ id: 2, ok: true, result: [] });
    h.socket().serverSends({ id: 1, ok: false, error: 'CONNECT_DID is not set' });
    await expect(b).resolves.toEqual([]);
    await expect(a).rejects.toThrow('CONNECT_DID is not set');
    expect(h.live().length).toBe(0); // request timers cleared
  });

  it('ignores malformed messages and replies to unknown ids', () => {
    const h = harness();
    const got: ConsoleMessage[] = [];
    h.bridge.subscribe((m) => got.push(m));
    h.socket().open();
    h.socket().serverSends('not json{');
    h.socket().serverSends({ id: 99, ok: true, result: 1 });
    expect(got).toEqual([]);
  });

  it('replays the last snapshot to a late subscriber', () => {
    const h = harness();
    h.socket().open();
    h.socket().serverSends({ push: { kind: 'snapshot', snapshot: { calls: [] } } });
    const got: ConsoleMessage[] = [];
    h.bridge.subscribe((m) => got.push(m));
    expect(got[0]?.kind).toBe('snapshot');
  });

  it('rejects requests while disconnected and when the host does not answer in time', async () => {
    const h = harness();
    await expect(h.bridge.hangup('CA1')).rejects.toThrow(/Not connected/);
    h.socket().open();
    const p = h.bridge.hangup('CA1');
    h.live()[0].fn();
    await expect(p).rejects.toThrow(/did not answer hangup/);
  });

  it('reconnects with backoff after a drop, failing pending requests, and resets the attempt count on open', async () => {
    const h = harness();
    h.socket().open();
    const pending = h.bridge.getCall('CA1');
    h.socket().serverCloses(1006);
    await expect(pending).rejects.toThrow(/lost/);
    expect(h.states.at(-1)).toMatchObject({ status: 'reconnecting', attempt: 1 });
    const retry = h.live().find((t) => t.ms === 500)!;
    retry.cleared = true;
    retry.fn();
    expect(h.sockets).toHaveLength(2);
    h.socket().serverCloses(1006);
    expect(h.live().find((t) => t.ms === 1000)).toBeTruthy();
    h.live().find((t) => t.ms === 1000)!.fn();
    h.socket().open();
    expect(h.states.at(-1)).toMatchObject({ status: 'open', attempt: 0 });
  });

  it('stops on 4401 with the unauthorized state and does not retry', () => {
    const h = harness();
    h.socket().serverCloses(4401);
    expect(h.states.at(-1)).toMatchObject({ status: 'unauthorized', tokenPresent: true });
    expect(h.live()).toHaveLength(0);
    expect(h.sockets).toHaveLength(1);
  });

  it('close() leaves no timer or socket behind', () => {
    const h = harness();
    h.socket().serverCloses(1006);
    expect(h.live()).toHaveLength(1);
    h.bridge.close();
    expect(h.live()).toHaveLength(0);
    h.timers[0].fn(); // a timer that fired anyway must not reconnect
    expect(h.sockets).toHaveLength(1);
  });
});
