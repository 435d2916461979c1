// The host side of ConsoleApi: registry + history + commands, for both doors (IPC and the console WebSocket).
import type { ConsoleApi, ConsoleMessage } from '../../shared/api';
import type { Call, CallRecord, CommandResult, DemoScenario, HistoryQuery, HostHealth, Snapshot } from '../../shared/model';
import { DEMO_SCENARIOS } from '../../shared/model';
import type { CallRegistry } from '../calls/registry';
import type { HistoryStore } from '../history/store';
import type { NoticeHub } from './notices';

export interface ConsoleApiDeps {
  registry: CallRegistry;
  history: HistoryStore;
  snapshot: () => Omit<Snapshot, 'calls'>;
  handoff: (callSid: string) => Promise<CommandResult>;
  hangup: (callSid: string) => Promise<CommandResult>;
  demo: { simulate(s: DemoScenario): Promise<CommandResult>; setAutoDemo(on: boolean): void } | null;
  /** Host notices, broadcast as { kind: 'notice' } (the snapshot carries the recent ones). */
  notices?: NoticeHub;
  // ops: operator powers and health (console/operator.ts, health/)
  say?: (callSid: string, text: string) => Promise<CommandResult>;
  setBotMuted?: (callSid: string, muted: boolean) => Promise<CommandResult>;
  runHealthChecks?: () => Promise<HostHealth>;
}

export interface HostConsoleApi extends ConsoleApi {
  /** Push a message to every subscriber (health changes). */
  broadcast(message: ConsoleMessage): void;
  close(): void;
}

export function createConsoleApi(deps: ConsoleApiDeps): HostConsoleApi {
  const listeners = new Set<(m: ConsoleMessage) => void>();
  const send = (m: ConsoleMessage) => {
    for (const l of listeners) {
      try {
        l(m);
      } catch {
        // one broken subscriber must not starve the others
      }
    }
  };
  const offEvent = deps.registry.onEvent((event, call) => {
    if (!listeners.size) return;
    send({ kind: 'event', event });
    if (event.type !== 'pacing' && event.type !== 'tts.part' && event.type !== 'mark') send({ kind: 'call', call });
  });
  const offRemoved = deps.registry.onRemoved((callSid) => send({ kind: 'call.removed', callSid }));
  const offNotice = deps.notices?.onNotice((notice) => send({ kind: 'notice', notice })) ?? (() => undefined);

  const sidOk = (sid: unknown): sid is string => typeof sid === 'string' && /^[A-Za-z0-9_-]{1,64}$/.test(sid);

  return {
    subscribe(listener) {
      listeners.add(listener);
      listener({ kind: 'snapshot', snapshot: { ...deps.snapshot(), calls: deps.registry.list() } });
      return () => listeners.delete(listener);
    },
    async getCall(callSid): Promise<CallRecord | null> {
      if (!sidOk(callSid)) return null;
      const live = deps.registry.get(callSid);
      if (live) return { call: live, events: deps.registry.eventsOf(callSid) };
      return deps.history.get(callSid);
    },
    async listHistory(query: HistoryQuery): Promise<Call[]> {
      return deps.history.list(query ?? {});
    },
    async exportCall(callSid) {
      const record = await this.getCall(callSid);
      return record ? JSON.stringify({ exportedAt: new Date().toISOString(), ...record }, null, 2) : null;
    },
    async handoff(callSid) {
      if (!sidOk(callSid)) return { ok: false, message: 'Unknown call' };
      return deps.handoff(callSid);
    },
    async hangup(callSid) {
      if (!sidOk(callSid)) return { ok: false, message: 'Unknown call' };
      return deps.hangup(callSid);
    },
    async simulate(scenario) {
      if (!deps.demo) return { ok: false, message: 'Simulated calls are available in demo mode only' };
      if (!DEMO_SCENARIOS.includes(scenario)) return { ok: false, message: `Unknown scenario: ${String(scenario)}` };
      return deps.demo.simulate(scenario);
    },
    async setAutoDemo(enabled) {
      if (!deps.demo) return { ok: false, message: 'Auto-demo is available in demo mode only' };
      deps.demo.setAutoDemo(Boolean(enabled));
      return { ok: true, message: enabled ? 'Auto-demo on' : 'Auto-demo off' };
    },
    // ops: operator powers and health
    async say(callSid, text) {
      if (!sidOk(callSid)) return { ok: false, message: 'Unknown call' };
      if (!deps.say) return { ok: false, message: 'The host is not running' };
      return deps.say(callSid, text);
    },
    async setBotMuted(callSid, muted) {
      if (!sidOk(callSid)) return { ok: false, message: 'Unknown call' };
      if (!deps.setBotMuted) return { ok: false, message: 'The host is not running' };
      return deps.setBotMuted(callSid, muted === true);
    },
    async runHealthChecks() {
      return deps.runHealthChecks ? deps.runHealthChecks() : deps.snapshot().health;
    },
    broadcast: send,
    close() {
      offEvent();
      offRemoved();
      offNotice();
      listeners.clear();
    },
  };
}
