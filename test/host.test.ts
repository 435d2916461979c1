// The composition root: starts every server on ephemeral ports in demo mode, and stop() leaves nothing running.
import { createServer } from 'node:net';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { testConfig } from '../src/main/config/load';
import { createHost, loopbackHost } from '../src/main/host';
import { silentLogger } from '../src/main/log';
import { PortError } from '../src/main/net/listen';
import { leftSince, resources } from './helpers/leaks';

const demoConfig = (extra: Record<string, string> = {}) =>
  testConfig({ HTTP_PORT: '0', WS_PORT: '0', DATA_DIR: mkdtempSync(join(tmpdir(), 'fd-host-')), ...extra });

describe('host', () => {
  it('starts in demo mode with every server up and stop() leaves no timer, socket or poller behind', async () => {
    const before = resources();
    const host = createHost({ config: demoConfig(), log: silentLogger() });
    await host.start();
    expect(host.config.mode).toBe('demo');
    expect(host.ports.http).toBeGreaterThan(0);
    expect(host.ports.ws).toBeGreaterThan(0);
    const res = await fetch(`http://127.0.0.1:${host.ports.http}/voice_gather`, { method: 'POST' });
    expect(res.status).toBeGreaterThanOrEqual(400); // unsigned: refused
    const snapshot = await new Promise<unknown>((resolve) => {
      const off = host.api.subscribe((m) => {
        if (m.kind === 'snapshot') resolve(m.snapshot);
      });
      off();
    });
    expect(snapshot).toMatchObject({ demo: { enabled: true }, health: { mode: 'demo', twiml: { state: 'up' }, media: { state: 'up' } } });
    expect(JSON.stringify(snapshot)).not.toContain(host.config.consoleToken);
    await host.stop();
    await new Promise((r) => setTimeout(r, 50));
    expect(leftSince(before)).toEqual([]);
  });

  it('takes TTS part notices on the webhook port, ahead of the TwiML app (unknown token: 404, not a notice: 400)', async () => {
    const host = createHost({ config: demoConfig(), log: silentLogger() });
    await host.start();
    try {
      const post = (path: string, body: string) => fetch(`http://127.0.0.1:${host.ports.http}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
      const unknown = await post('/tts_part/AAAAAAAAAAAAAAAAAAAAAA', '{"part":0}');
      expect(unknown.status).toBe(404);
      expect(await unknown.json()).toEqual({ error: 'no live reply has this token' });
      expect((await post('/tts_part/AAAAAAAAAAAAAAAAAAAAAA', '{}')).status).toBe(400);
    } finally {
      await host.stop();
    }
  });

  it.each([
    ['127.0.0.1', '127.0.0.1'],
    ['0.0.0.0', '127.0.0.1'],
    ['::', '127.0.0.1'],
    ['::1', '[::1]'],
    ['10.0.0.5', '10.0.0.5'],
  ])('reaches its own servers bound to %s at %s', (bind, host) => expect(loopbackHost(bind)).toBe(host));

  it('names the port and the setting when a port is taken, and cleans up what it started', async () => {
    const blocker = createServer();
    await new Promise<void>((r) => blocker.listen(0, '127.0.0.1', () => r()));
    const port = (blocker.address() as { port: number }).port;
    const before = resources();
    const host = createHost({ config: demoConfig({ WS_PORT: String(port) }), log: silentLogger() });
    const error = await host.start().then(
      () => null,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(PortError);
    expect((error as Error).message).toBe(`Port ${port} (WS_PORT) is already in use: stop the other program or set WS_PORT to a free port`);
    await new Promise((r) => setTimeout(r, 50));
    expect(leftSince(before)).toEqual([]);
    await new Promise<void>((r) => blocker.close(() => r()));
  });
});
