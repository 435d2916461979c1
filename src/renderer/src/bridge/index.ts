// Pick the door: Electron IPC when the preload put a ConsoleApi on window, else the console WebSocket.
import type { ConsoleApi } from '../../../shared/api';
import { createIpcBridge } from './ipc';
import type { Bridge } from './types';
import { consoleSocketUrl, createWsBridge, takeToken } from './ws';

export type { Bridge, ConnectionState, ConnectionStatus } from './types';

export function createBridge(win: Window & { frontDoor?: ConsoleApi }): Bridge {
  if (win.frontDoor) return createIpcBridge(win.frontDoor);
  let storage: Storage | null = null;
  try {
    storage = win.sessionStorage;
  } catch {
    storage = null;
  }
  const token = takeToken(win.location.href, storage, (url) => win.history.replaceState(win.history.state, '', url));
  return createWsBridge({
    url: consoleSocketUrl(win.location, token),
    tokenPresent: Boolean(token),
    onProtocolError: (message) => console.warn(message),
  });
}
