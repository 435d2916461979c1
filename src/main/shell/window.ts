// The secure BrowserWindow options and the navigation lock-down, kept apart so tests can check them.
import type { BrowserWindowConstructorOptions } from 'electron';

/**
 * The renderer's one policy: the header the shell adds, and (minus frame-ancestors, which a meta tag cannot carry) the
 * meta tag in src/renderer/index.html, which is what a file:// page actually gets. connect-src 'self' only: no ws:
 * to any host in the desktop build (it talks to the host over IPC). The browser console server widens connect-src
 * to exactly its own ws://127.0.0.1:port (console/server.ts). run.test.ts asserts the meta tag equals this.
 */
export const CONTENT_SECURITY_POLICY =
  "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

export function windowOptions(preloadPath: string): BrowserWindowConstructorOptions {
  return {
    width: 1440,
    height: 900,
    minWidth: 1024,
    minHeight: 640,
    title: 'Front Door',
    backgroundColor: '#0f1115',
    show: false,
    webPreferences: {
      preload: preloadPath,
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      spellcheck: false,
    },
  };
}
