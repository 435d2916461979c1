// Preload: exposes exactly ConsoleApi as window.frontDoor, and nothing else (no ipcRenderer, no Node).
import { contextBridge, ipcRenderer } from 'electron';
import type { ConsoleApi, ConsoleMessage, ConsoleMethod } from '../shared/api';
import { IPC_INVOKE, IPC_PUSH, IPC_SUBSCRIBE } from '../shared/ipc';

const invoke = (method: ConsoleMethod, ...params: unknown[]) => ipcRenderer.invoke(IPC_INVOKE, method, params);
const listeners = new Set<(m: ConsoleMessage) => void>();
let subscribed = false;

const api: ConsoleApi = {
  subscribe(listener) {
    listeners.add(listener);
    if (!subscribed) {
      subscribed = true;
      ipcRenderer.on(IPC_PUSH, (_event, message: ConsoleMessage) => {
        for (const l of listeners) l(message);
      });
    }
    ipcRenderer.send(IPC_SUBSCRIBE); // the host answers with a fresh snapshot first
    return () => listeners.delete(listener);
  },
  getCall: (callSid) => invoke('getCall', callSid) as ReturnType<ConsoleApi['getCall']>,
  listHistory: (query) => invoke('listHistory', query) as ReturnType<ConsoleApi['listHistory']>,
  exportCall: (callSid) => invoke('exportCall', callSid) as ReturnType<ConsoleApi['exportCall']>,
  // listen and recordings
  listen: (callSid, on) => invoke('listen', callSid, on) as ReturnType<ConsoleApi['listen']>,
  getRecording: (callSid) => invoke('getRecording', callSid) as ReturnType<ConsoleApi['getRecording']>,
  exportRecording: (callSid, encoding) => invoke('exportRecording', callSid, encoding) as ReturnType<ConsoleApi['exportRecording']>,
  handoff: (callSid) => invoke('handoff', callSid) as ReturnType<ConsoleApi['handoff']>,
  hangup: (callSid) => invoke('hangup', callSid) as ReturnType<ConsoleApi['hangup']>,
  simulate: (scenario) => invoke('simulate', scenario) as ReturnType<ConsoleApi['simulate']>,
  setAutoDemo: (enabled) => invoke('setAutoDemo', enabled) as ReturnType<ConsoleApi['setAutoDemo']>,
  // ops: operator powers and health
  say: (callSid, text) => invoke('say', callSid, text) as ReturnType<ConsoleApi['say']>,
  setBotMuted: (callSid, muted) => invoke('setBotMuted', callSid, muted) as ReturnType<ConsoleApi['setBotMuted']>,
  runHealthChecks: () => invoke('runHealthChecks') as ReturnType<ConsoleApi['runHealthChecks']>,
};

contextBridge.exposeInMainWorld('frontDoor', api);
