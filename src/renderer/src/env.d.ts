/// <reference types="vite/client" />
import type { ConsoleApi } from '../../shared/api';

declare global {
  interface Window {
    /** Set by the Electron preload (contextBridge); absent in browser mode. */
    frontDoor?: ConsoleApi;
  }
}
