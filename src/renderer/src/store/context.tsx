// React access to the store and the audio buffers (one provider at the root).
import { createContext, useContext, type ReactNode } from 'react';
import { useStore } from 'zustand';
import type { AudioBuffers } from './audio-buffers';
import type { ConsoleActions, ConsoleState, ConsoleStore } from './store';

interface ConsoleContextValue {
  store: ConsoleStore;
  buffers: AudioBuffers;
}

const ConsoleContext = createContext<ConsoleContextValue | null>(null);

export function ConsoleProvider({ store, buffers, children }: ConsoleContextValue & { children: ReactNode }) {
  return <ConsoleContext.Provider value={{ store, buffers }}>{children}</ConsoleContext.Provider>;
}

function useConsoleContext(): ConsoleContextValue {
  const value = useContext(ConsoleContext);
  if (!value) throw new Error('ConsoleProvider is missing above this component');
  return value;
}

export function useConsole<T>(selector: (state: ConsoleState) => T): T {
  return useStore(useConsoleContext().store, selector);
}

export function useActions(): ConsoleActions {
  return useStore(useConsoleContext().store, (s) => s.actions);
}

export function useBuffers(): AudioBuffers {
  return useConsoleContext().buffers;
}
