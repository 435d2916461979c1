// What the listen-in control and the recording player need from the door to the host (the bridge), and how the
// page saves a file. Provided once at the root; without it (component tests of other views) they render nothing.
import { createContext, useContext, type ReactNode } from 'react';
import type { Bridge } from '../../bridge/types';

export type MonitorPort = Pick<Bridge, 'subscribe' | 'listen' | 'getRecording' | 'exportRecording' | 'onConnection'>;

export interface MonitorDeps {
  port: MonitorPort;
  /** Save bytes as a file (a download in the browser and in Electron). */
  save(filename: string, bytes: Uint8Array, type: string): void;
  /** Web Audio (tests and pages without it: null). */
  audioContext?: () => AudioContext | null;
}

const MonitorContext = createContext<MonitorDeps | null>(null);

export function MonitorProvider({ children, ...deps }: MonitorDeps & { children: ReactNode }) {
  return <MonitorContext.Provider value={deps}>{children}</MonitorContext.Provider>;
}

export function useMonitor(): MonitorDeps | null {
  return useContext(MonitorContext);
}

/** The page's AudioContext, created on the first user gesture that needs one. */
export function browserAudioContext(): AudioContext | null {
  const Ctor = typeof window === 'undefined' ? undefined : window.AudioContext;
  return Ctor ? new Ctor({ latencyHint: 'interactive' }) : null;
}

/** Base64 -> bytes. */
export function fromBase64(b64: string): Uint8Array {
  const bin = atob(b64);
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out;
}
