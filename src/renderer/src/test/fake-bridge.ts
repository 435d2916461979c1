// A fake door to the host for component tests: records calls, lets the test push messages.
import { vi } from 'vitest';
import type { ConsoleMessage } from '../../../shared/api';
import type { CallRecord, CommandResult, HostHealth } from '../../../shared/model';
import type { Bridge, ConnectionState } from '../bridge/types';
import type { Recording } from '../../../shared/recording';

export function fakeBridge(records: Record<string, CallRecord> = {}) {
  const listeners = new Set<(m: ConsoleMessage) => void>();
  const connectionListeners = new Set<(s: ConnectionState) => void>();
  let connection: ConnectionState = { status: 'open', tokenPresent: true, attempt: 0 };
  const ok = (message: string): CommandResult => ({ ok: true, message });
  let health: HostHealth = {
    mode: 'demo',
    twiml: { state: 'up' },
    media: { state: 'up' },
    tts: { state: 'up' },
    s3: { state: 'up' },
    twilio: { state: 'up' },
    signatureValidation: true,
  };
  const bridge = {
    subscribe: (l: (m: ConsoleMessage) => void) => {
      listeners.add(l);
      return () => listeners.delete(l);
    },
    getCall: vi.fn(async (callSid: string) => records[callSid] ?? null),
    listHistory: vi.fn(async () => Object.values(records).map((r) => r.call)),
    exportCall: vi.fn(async (callSid: string) => (records[callSid] ? JSON.stringify(records[callSid]) : null)),
    listen: vi.fn(async (_callSid: string, on: boolean) => ok(on ? 'Listening' : 'Stopped listening')),
    getRecording: vi.fn(async (): Promise<Recording | null> => null),
    exportRecording: vi.fn(async (): Promise<string | null> => null),
    handoff: vi.fn(async () => ok('Handoff requested')),
    hangup: vi.fn(async () => ok('Hung up')),
    simulate: vi.fn(async () => ok('Simulated call started')),
    setAutoDemo: vi.fn(async () => ok('Auto-demo on')),
    say: vi.fn(async (callSid: string): Promise<CommandResult> => ({ ok: true, message: 'Said to the caller', callSid })),
    setBotMuted: vi.fn(async (callSid: string, muted: boolean): Promise<CommandResult> => ({ ok: true, message: muted ? 'Bot held' : 'Bot resumed', callSid })),
    runHealthChecks: vi.fn(async (): Promise<HostHealth> => health),
    onConnection: (l: (s: ConnectionState) => void) => {
      connectionListeners.add(l);
      return () => connectionListeners.delete(l);
    },
    connection: () => connection,
    close: vi.fn(),
  } satisfies Bridge;
  return {
    bridge,
    push(message: ConsoleMessage) {
      for (const l of listeners) l(message);
    },
    setConnection(next: Partial<ConnectionState>) {
      connection = { ...connection, ...next };
      for (const l of connectionListeners) l(connection);
    },
    listenerCount: () => listeners.size,
    /** What runHealthChecks resolves with next. */
    setHealth(next: HostHealth) {
      health = next;
    },
  };
}
