// The Electron shell's wiring, with a mocked electron (the binary cannot run here).
import { EventEmitter } from 'node:events';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import type { ConsoleApi } from '../../shared/api';
import type { Host } from '../host';
import { IPC_INVOKE, IPC_PUSH, IPC_SUBSCRIBE, isTrustedSender } from './ipc';
import { runShell } from './run';
import { CONTENT_SECURITY_POLICY } from './window';

function mockElectron() {
  const handlers = new Map<string, (...args: unknown[]) => unknown>();
  const listeners = new Map<string, (...args: unknown[]) => void>();
  const appEvents = new EventEmitter();
  const windows: Array<{ options: Record<string, unknown>; loaded?: string; openHandler?: () => unknown; navigate?: (e: { preventDefault(): void }) => void }> = [];
  let csp: string | undefined;
  let quitCount = 0;
  class BrowserWindow {
    webContents: Record<string, unknown>;
    constructor(readonly options: Record<string, unknown>) {
      const rec: (typeof windows)[number] = { options };
      windows.push(rec);
      this.webContents = {
        setWindowOpenHandler: (h: () => unknown) => (rec.openHandler = h),
        on: (name: string, h: (e: { preventDefault(): void }) => void) => name === 'will-navigate' && (rec.navigate = h),
      };
      Object.assign(this, { once: () => undefined, loadFile: async (f: string) => (rec.loaded = f), loadURL: async (u: string) => (rec.loaded = u) });
    }
  }
  const electron = {
    app: {
      whenReady: () => Promise.resolve(),
      on: (name: string, h: (...a: unknown[]) => void) => appEvents.on(name, h),
      quit: () => {
        quitCount++;
      },
    },
    BrowserWindow,
    ipcMain: {
      handle: (ch: string, h: (...a: unknown[]) => unknown) => handlers.set(ch, h),
      on: (ch: string, h: (...a: unknown[]) => void) => listeners.set(ch, h),
    },
    session: {
      defaultSession: {
        webRequest: {
          onHeadersReceived: (h: (d: unknown, cb: (r: { responseHeaders: Record<string, string[]> }) => void) => void) =>
            h({ responseHeaders: {} }, (r) => (csp = r.responseHeaders['Content-Security-Policy']?.[0])),
        },
        setPermissionRequestHandler: () => undefined,
      },
    },
    Notification: Object.assign(
      class {
        constructor(readonly opts: unknown) {}
        show() {}
      },
      { isSupported: () => false },
    ),
    shell: {},
  };
  return { electron, handlers, listeners, appEvents, windows, csp: () => csp, quits: () => quitCount };
}

function fakeHost() {
  const calls: string[] = [];
  let stopped = 0;
  const api = {
    subscribe: (l: (m: unknown) => void) => {
      l({ kind: 'snapshot', snapshot: { calls: [] } });
      return () => calls.push('unsubscribed');
    },
    handoff: async (sid: string) => (calls.push(`handoff:${sid}`), { ok: true, message: 'requested' }),
  } as unknown as ConsoleApi;
  const host = { start: async () => calls.push('start'), stop: async () => (stopped++, calls.push('stop')), api } as unknown as Host;
  return { host, calls, stopped: () => stopped };
}

describe('runShell', () => {
  it('opens one window with secure webPreferences, a CSP, and navigation locked down', async () => {
    const m = mockElectron();
    const { host, calls } = fakeHost();
    await runShell({ electron: m.electron as never, createHost: () => host, outDir: '/app/out' }).ready;
    expect(calls).toContain('start');
    expect(m.windows).toHaveLength(1);
    const prefs = m.windows[0]!.options.webPreferences as Record<string, unknown>;
    expect(prefs).toMatchObject({ contextIsolation: true, sandbox: true, nodeIntegration: false, webSecurity: true, preload: '/app/out/preload/index.cjs' });
    expect(m.windows[0]!.loaded).toBe('/app/out/renderer/index.html');
    expect(m.windows[0]!.openHandler!()).toEqual({ action: 'deny' });
    const prevent = vi.fn();
    m.windows[0]!.navigate!({ preventDefault: prevent });
    expect(prevent).toHaveBeenCalled();
    expect(m.csp()).toBe(CONTENT_SECURITY_POLICY);
  });

  it('the page’s meta CSP (what a file:// page gets) is the header’s policy: no ws: to any host', () => {
    const html = readFileSync(join(__dirname, '../../renderer/index.html'), 'utf8');
    const meta = /http-equiv="Content-Security-Policy"\s+content="([^"]+)"/.exec(html)?.[1];
    const directives = (p: string) => p.split(';').map((d) => d.trim()).filter((d) => d && !d.startsWith('frame-ancestors')).sort();
    expect(meta).toBeDefined();
    expect(directives(meta!)).toEqual(directives(CONTENT_SECURITY_POLICY));
    expect(directives(meta!)).toContain("connect-src 'self'");
    expect(meta).not.toMatch(/\bws:|wss:|\*/);
  });

  it('answers IPC only from our own renderer and only for ConsoleApi methods', async () => {
    const m = mockElectron();
    const { host, calls } = fakeHost();
    await runShell({ electron: m.electron as never, createHost: () => host, outDir: '/app/out' }).ready;
    const invoke = m.handlers.get(IPC_INVOKE)!;
    const ours = { senderFrame: { url: 'file:///app/out/renderer/index.html' } };
    await expect(invoke(ours, 'handoff', ['CA1'])).resolves.toEqual({ ok: true, message: 'requested' });
    await expect(invoke({ senderFrame: { url: 'https://evil.example/' } }, 'handoff', ['CA1'])).rejects.toThrow(/untrusted/);
    await expect(invoke(ours, 'constructor', [])).rejects.toThrow(/unknown method/);
    await expect(invoke(ours, 'toString', [])).rejects.toThrow(/unknown method/);
    // every method's parameters are schema-checked before the host sees them
    await expect(invoke(ours, 'handoff', [{ callSid: 'CA1' }])).rejects.toThrow(/invalid parameters for handoff/);
    await expect(invoke(ours, 'handoff', ['CA1', 'more'])).rejects.toThrow(/invalid parameters for handoff/);
    await expect(invoke(ours, 'handoff', 'CA1')).rejects.toThrow(/invalid parameters for handoff/);
    await expect(invoke(ours, 'handoff', ['../../etc'])).rejects.toThrow(/invalid parameters for handoff/);
    await expect(invoke(ours, 'simulate', ['rm -rf'])).rejects.toThrow(/invalid parameters for simulate/);
    await expect(invoke(ours, 'setAutoDemo', ['yes'])).rejects.toThrow(/invalid parameters for setAutoDemo/);
    await expect(invoke(ours, 'listHistory', [{ limit: 1e9 }])).rejects.toThrow(/invalid parameters for listHistory/);
    // a sibling file under the same folder, or the renderer path on another host, is not ours
    await expect(invoke({ senderFrame: { url: 'file:///app/out/renderer/other.html' } }, 'handoff', ['CA1'])).rejects.toThrow(/untrusted/);
    await expect(invoke({ senderFrame: { url: 'file://evil.example/app/out/renderer/index.html' } }, 'handoff', ['CA1'])).rejects.toThrow(/untrusted/);
    expect(calls.filter((c) => c.startsWith('handoff'))).toEqual(['handoff:CA1']);

    const sent: unknown[] = [];
    const contents = Object.assign(new EventEmitter(), { id: 1, isDestroyed: () => false, send: (ch: string, msg: unknown) => sent.push([ch, msg]) });
    m.listeners.get(IPC_SUBSCRIBE)!({ ...ours, sender: contents });
    expect(sent).toEqual([[IPC_PUSH, { kind: 'snapshot', snapshot: { calls: [] } }]]);
    contents.emit('destroyed');
    expect(calls).toContain('unsubscribed');
  });

  it('stops the host before quitting', async () => {
    const m = mockElectron();
    const { host, stopped } = fakeHost();
    await runShell({ electron: m.electron as never, createHost: () => host, outDir: '/app/out' }).ready;
    const event = { preventDefault: vi.fn() };
    m.appEvents.emit('before-quit', event);
    expect(event.preventDefault).toHaveBeenCalled();
    await vi.waitFor(() => expect(m.quits()).toBe(1));
    expect(stopped()).toBe(1);
  });

  it('refuses subscriptions from other senders', async () => {
    const m = mockElectron();
    const { host } = fakeHost();
    await runShell({ electron: m.electron as never, createHost: () => host, outDir: '/app/out' }).ready;
    const sent: unknown[] = [];
    const contents = Object.assign(new EventEmitter(), { id: 2, isDestroyed: () => false, send: (ch: string, msg: unknown) => sent.push([ch, msg]) });
    m.listeners.get(IPC_SUBSCRIBE)!({ senderFrame: { url: 'http://localhost:5173/' }, sender: contents });
    expect(sent).toEqual([]);
  });

  const FILE = '/app/out/renderer/index.html';
  it.each([
    ['file:///app/out/renderer/index.html', undefined, true],
    ['file:///app/out/renderer/index.html#/history', undefined, true],
    ['file:///app/out/renderer/index.html?x=1', undefined, true],
    ['file:///tmp/evil.html', undefined, false],
    ['file:///evil/app/out/renderer/index.html', undefined, false],
    ['file:///app/out/renderer/index.html.evil.html', undefined, false],
    ['file://evil.example/app/out/renderer/index.html', undefined, false],
    ['http://localhost:5173/', 'http://localhost:5173', true],
    ['http://localhost:5173/#/history', 'http://localhost:5173/', true],
    ['http://localhost:51730/', 'http://localhost:5173', false],
    ['http://localhost:5173.evil.example/', 'http://localhost:5173', false],
    ['https://localhost:5173/', 'http://localhost:5173', false],
    ['file:///app/out/renderer/index.html', 'http://localhost:5173', false],
    ['http://localhost:5173/', undefined, false],
    ['not a url', undefined, false],
    [undefined, undefined, false],
  ])('trusts %s (dev %s): %s', (url, dev, trusted) => {
    expect(isTrustedSender(url, { devUrl: dev, rendererFile: FILE })).toBe(trusted);
  });
});
