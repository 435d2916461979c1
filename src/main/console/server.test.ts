import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import type { ConsoleServerMessage } from '../../shared/api';
import { CallRegistry } from '../calls/registry';
import { HistoryStore } from '../history/store';
import { silentLogger } from '../log';
import { createConsoleApi } from './api';
import { CONTENT_SECURITY_POLICY } from '../shell/window';
import { startConsoleServer, type ConsoleServer } from './server';

const TOKEN = 'test-token-abcdefghijklmnop';
let server: ConsoleServer | null = null;
let history: HistoryStore | null = null;

async function setup() {
  const dir = mkdtempSync(join(tmpdir(), 'fd-console-'));
  // the real page (its meta CSP), as the build copies it
  writeFileSync(join(dir, 'index.html'), readFileSync(join(__dirname, '../../renderer/index.html')));
  history = new HistoryStore({ dir: mkdtempSync(join(tmpdir(), 'fd-console-history-')), log: silentLogger() });
  await history.open();
  const registry = new CallRegistry();
  const handoffs: string[] = [];
  const api = createConsoleApi({
    registry,
    history,
    snapshot: () => ({ health: {} as never, settings: {} as never, demo: { enabled: false, autoDemo: false } }),
    handoff: async (sid) => (handoffs.push(sid), { ok: true, message: 'requested' }),
    hangup: async () => ({ ok: true, message: 'ok' }),
    demo: null,
  });
  server = await startConsoleServer({ api, token: TOKEN, port: 0, rendererDir: dir, log: silentLogger() });
  return { registry, handoffs, port: server.port };
}

afterEach(async () => {
  await server?.stop();
  await history?.close();
  server = null;
});

function get(port: number, path: string, host = `127.0.0.1:${port}`): Promise<{ status: number; body: string; headers: Record<string, unknown> }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, headers: { host } }, (res) => {
      let body = '';
      res.on('data', (d) => (body += d));
      res.on('end', () => resolve({ status: res.statusCode!, body, headers: res.headers }));
    });
    req.on('error', reject);
    req.end();
  });
}

function connect(port: number, token: string): Promise<{ ws: WebSocket; messages: ConsoleServerMessage[]; closed: Promise<number> }> {
  const ws = new WebSocket(`ws://127.0.0.1:${port}/api?token=${encodeURIComponent(token)}`);
  const messages: ConsoleServerMessage[] = [];
  ws.on('message', (d) => messages.push(JSON.parse(String(d))));
  const closed = new Promise<number>((r) => ws.on('close', (code) => r(code)));
  return new Promise((resolve, reject) => {
    ws.on('open', () => resolve({ ws, messages, closed }));
    ws.on('error', reject);
  });
}

const until = async (cond: () => boolean) => {
  for (let i = 0; i < 200 && !cond(); i++) await new Promise((r) => setTimeout(r, 10));
  expect(cond()).toBe(true);
};

describe('console server', () => {
  it('serves the app with a CSP, falls back to index.html, and refuses foreign Host headers', async () => {
    const { port } = await setup();
    const index = await get(port, '/');
    expect(index.status).toBe(200);
    expect(String(index.headers['content-security-policy'])).toContain("default-src 'self'");
    // the renderer's policy, with connect-src widened to exactly this server's socket — in the header and the meta tag
    const exact = `connect-src 'self' ws://127.0.0.1:${port} ws://localhost:${port};`;
    expect(index.headers['content-security-policy']).toBe(CONTENT_SECURITY_POLICY.replace("connect-src 'self';", exact));
    expect(index.body).toContain(exact);
    expect(index.body).not.toMatch(/ws:[;'" ]|ws:\/\/[^;]*\*/);
    expect((await get(port, '/history')).body).toContain('Front Door');
    expect((await get(port, '/', 'evil.example:80')).status).toBe(421);
    expect((await get(port, '/../../etc/passwd')).body).not.toContain('root:');
  });

  it('closes with 4401 and sends no call data without the right token', async () => {
    const { port, registry } = await setup();
    registry.apply('CA1', { type: 'dtmf', digit: '5' });
    const { messages, closed } = await connect(port, 'wrong-token');
    expect(await closed).toBe(4401);
    expect(messages).toEqual([]);
  });

  it('sends a snapshot first, then live events, and answers requests', async () => {
    const { port, registry, handoffs } = await setup();
    registry.apply('CA1', { type: 'call.started', from: '+821012345678', to: '+8270', fromMasked: 'a', toMasked: 'b', mode: 'stream', simulated: true });
    const { ws, messages } = await connect(port, TOKEN);
    await until(() => messages.length >= 1);
    const first = messages[0] as { push: { kind: string; snapshot: { calls: unknown[] } } };
    expect(first.push.kind).toBe('snapshot');
    expect(first.push.snapshot.calls).toHaveLength(1);
    registry.apply('CA1', { type: 'transcript', text: '안녕하세요', source: 'stream' });
    await until(() => messages.some((m) => 'push' in m && m.push.kind === 'event'));
    ws.send(JSON.stringify({ id: 7, method: 'handoff', params: ['CA1'] }));
    ws.send('not json');
    ws.send(JSON.stringify({ id: 8, method: 'constructor', params: [] }));
    // parameters are schema-checked: a wrong type, an extra argument, an unknown query key
    ws.send(JSON.stringify({ id: 9, method: 'handoff', params: [{ callSid: 'CA1' }] }));
    ws.send(JSON.stringify({ id: 10, method: 'handoff', params: ['CA1', 'extra'] }));
    ws.send(JSON.stringify({ id: 11, method: 'listHistory', params: [{ where: '1=1' }] }));
    await until(() => messages.some((m) => 'id' in m && m.id === 7));
    expect(messages.find((m) => 'id' in m && m.id === 7)).toEqual({ id: 7, ok: true, result: { ok: true, message: 'requested' } });
    await until(() => messages.filter((m) => 'id' in m && m.id >= 8).length === 4);
    expect(messages.filter((m) => 'id' in m && m.id === -1)).toHaveLength(1);
    for (const id of [8, 9, 10, 11]) expect(messages.find((m) => 'id' in m && m.id === id)).toMatchObject({ ok: false, error: expect.stringMatching(/^Refused: /) });
    expect(handoffs).toEqual(['CA1']);
    ws.close();
  });
});
