// The IPC sender check: only our own renderer may call the host. Exact comparisons, never prefixes: the dev server's
// origin (scheme, host and port) or the packaged renderer's own file, so neither http://localhost:5173.evil.example
// nor file:///elsewhere/renderer/index.html passes.
import { fileURLToPath } from 'node:url';

export { IPC_INVOKE, IPC_PUSH, IPC_SUBSCRIBE } from '../../shared/ipc';

export interface TrustedRenderer {
  /** The electron-vite dev server URL (development only). */
  devUrl?: string;
  /** Absolute path of the packaged renderer's index.html. */
  rendererFile: string;
}

/** Only our own renderer may call the host: the packaged file, or the dev server electron-vite started. */
export function isTrustedSender(url: string | undefined, trusted: TrustedRenderer): boolean {
  if (!url) return false;
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return false;
  }
  if (trusted.devUrl) return parsed.origin !== 'null' && parsed.origin === new URL(trusted.devUrl).origin;
  if (parsed.protocol !== 'file:' || parsed.host !== '') return false;
  try {
    return fileURLToPath(new URL(parsed.pathname, 'file://')) === trusted.rendererFile;
  } catch {
    return false;
  }
}
