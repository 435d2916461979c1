// The Electron shell: lifecycle, one secure window, ConsoleApi over IPC, native notifications.
// All logic lives in the host; this file only wires it to Electron (tested with a mocked electron).
import type * as Electron from 'electron';
import { join } from 'node:path';
import type { ConsoleApi, ConsoleMessage } from '../../shared/api';
import { checkConsoleRequest } from '../console/params';
import { scopeConsole } from '../console/scope';
import type { Host } from '../host';
import { CONTENT_SECURITY_POLICY, windowOptions } from './window';
import { IPC_INVOKE, IPC_PUSH, IPC_SUBSCRIBE, isTrustedSender } from './ipc';

type ElectronApi = Pick<typeof Electron, 'app' | 'BrowserWindow' | 'ipcMain' | 'session' | 'Notification' | 'shell'>;

export interface ShellOptions {
  electron: ElectronApi;
  createHost: () => Host;
  outDir: string;
  devUrl?: string;
  onFatal?: (message: string) => void;
}

export function runShell(options: ShellOptions): { ready: Promise<void> } {
  const { app, BrowserWindow, ipcMain, session, Notification } = options.electron;
  const host = options.createHost();
  let quitting = false;
  const unsubscribers = new Map<number, () => void>();
  const trusted = { devUrl: options.devUrl, rendererFile: join(options.outDir, 'renderer/index.html') };
  // each window's own ConsoleApi view (console/scope.ts): listen-in audio goes only to the window that asked
  const scopes = new Map<number, ConsoleApi>();

  // every method's parameters are schema-checked (console/params.ts) before the host sees them
  ipcMain.handle(IPC_INVOKE, async (event, method: unknown, params: unknown) => {
    if (!isTrustedSender(event.senderFrame?.url, trusted)) throw new Error('Refused: untrusted sender');
    const request = checkConsoleRequest(method, params);
    if (!request.ok) throw new Error(`Refused: ${request.error}`);
    const api = scopes.get(event.sender?.id) ?? host.api;
    const fn = api[request.method] as (...args: unknown[]) => Promise<unknown>;
    return fn.apply(api, request.params);
  });

  ipcMain.on(IPC_SUBSCRIBE, (event) => {
    if (!isTrustedSender(event.senderFrame?.url, trusted)) return;
    const contents = event.sender;
    unsubscribers.get(contents.id)?.();
    const scope = scopeConsole(host.api, (message: ConsoleMessage) => {
      if (!contents.isDestroyed()) contents.send(IPC_PUSH, message);
      notifyIfNeeded(message);
    });
    const off = scope.close;
    unsubscribers.set(contents.id, off);
    scopes.set(contents.id, scope.api);
    contents.once('destroyed', () => {
      off();
      unsubscribers.delete(contents.id);
      scopes.delete(contents.id);
    });
  });

  function notifyIfNeeded(message: ConsoleMessage): void {
    if (message.kind !== 'event' || message.event.type !== 'alert' || !Notification.isSupported()) return;
    new Notification({ title: 'Front Door: a call needs attention', body: message.event.alert.message }).show();
  }

  const ready = app.whenReady().then(async () => {
    session.defaultSession.webRequest.onHeadersReceived((details, callback) => {
      callback({ responseHeaders: { ...details.responseHeaders, 'Content-Security-Policy': [CONTENT_SECURITY_POLICY] } });
    });
    session.defaultSession.setPermissionRequestHandler((_wc, permission, callback) => callback(permission === 'notifications'));
    try {
      await host.start();
    } catch (err) {
      options.onFatal?.(err instanceof Error ? err.message : String(err));
      app.quit();
      return;
    }
    const win = new BrowserWindow(windowOptions(join(options.outDir, 'preload/index.cjs')));
    win.webContents.setWindowOpenHandler(() => ({ action: 'deny' }));
    win.webContents.on('will-navigate', (event) => event.preventDefault());
    win.once('ready-to-show', () => win.show());
    if (options.devUrl) await win.loadURL(options.devUrl);
    else await win.loadFile(join(options.outDir, 'renderer/index.html'));
  });

  app.on('window-all-closed', () => app.quit());
  app.on('before-quit', (event) => {
    if (quitting) return;
    event.preventDefault();
    quitting = true;
    for (const off of unsubscribers.values()) off();
    void host.stop().finally(() => app.quit());
  });

  return { ready };
}
