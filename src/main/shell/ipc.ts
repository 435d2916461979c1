// The IPC sender check: only our own renderer may call the host.
export { IPC_INVOKE, IPC_PUSH, IPC_SUBSCRIBE } from '../../shared/ipc';

/** Only our own renderer may call the host: the packaged file, or the dev server electron-vite started. */
export function isTrustedSender(url: string | undefined, devUrl: string | undefined): boolean {
  if (!url) return false;
  if (devUrl && url.startsWith(devUrl)) return true;
  return url.startsWith('file://') && /\/renderer\/index\.html(\?|#|$)/.test(url);
}
