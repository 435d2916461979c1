// ConsoleApi over Electron IPC: the preload exposes exactly a ConsoleApi as window.frontDoor.
import type { ConsoleApi } from '../../../shared/api';
import type { Bridge, ConnectionState } from './types';

export function createIpcBridge(api: ConsoleApi): Bridge {
  const state: ConnectionState = { status: 'open', tokenPresent: true, attempt: 0 };
  const unsubscribers = new Set<() => void>();
  return {
    subscribe(listener) {
      const off = api.subscribe(listener);
      unsubscribers.add(off);
      return () => {
        unsubscribers.delete(off);
        off();
      };
    },
    getCall: (callSid) => api.getCall(callSid),
    listHistory: (query) => api.listHistory(query),
    exportCall: (callSid) => api.exportCall(callSid),
    // listen and recordings
    listen: (callSid, on) => api.listen(callSid, on),
    getRecording: (callSid) => api.getRecording(callSid),
    exportRecording: (callSid, encoding) => api.exportRecording(callSid, encoding),
    handoff: (callSid) => api.handoff(callSid),
    hangup: (callSid) => api.hangup(callSid),
    simulate: (scenario) => api.simulate(scenario),
    setAutoDemo: (enabled) => api.setAutoDemo(enabled),
    say: (callSid, text) => api.say(callSid, text),
    setBotMuted: (callSid, muted) => api.setBotMuted(callSid, muted),
    runHealthChecks: () => api.runHealthChecks(),
    onConnection: () => () => undefined,
    connection: () => state,
    close() {
      for (const off of unsubscribers) off();
      unsubscribers.clear();
    },
  };
}
