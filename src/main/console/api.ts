// The host side of ConsoleApi: registry + history + commands, for both doors (IPC and the console WebSocket).
import type { ConsoleApi, ConsoleMessage } from '../../shared/api';
import type { Call, CallRecord, CommandResult, DemoScenario, HistoryQuery, HostHealth, Snapshot } from '../../shared/model';
import { DEMO_SCENARIOS } from '../../shared/model';
import type { CallRegistry } from '../calls/registry';
import type { HistoryStore } from '../history/store';
import type { ListenHub } from '../monitor/listen';
import type { Recorder } from '../monitor/recorder';
import type { NoticeHub } from './notices';

export interface ConsoleApiDeps {
  registry: CallRegistry;
  history: HistoryStore;
  // -- listen and recordings (monitor/)
  listen?: ListenHub;
  recorder?: Recorder;
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
  /** ConsoleApi.listen on behalf of one subscriber (the doors call it through scopeConsole). */
  listenFor(subscriber: (m: ConsoleMessage) => void, callSid: string, on: boolean): Promise<CommandResult>;
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
      return () => {
        listeners.delete(listener);
        deps.listen?.drop(listener);
      };
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
    // -- listen and recordings
    async listen() {
      return { ok: false, message: 'Listening needs a console connection' };
    },
    async listenFor(subscriber, callSid, on) {
      if (!sidOk(callSid)) return { ok: false, message: 'Unknown call' };
      if (!deps.listen) return { ok: false, message: 'The host is not running' };
      if (!on) {
        deps.listen.listen(subscriber, callSid, false);
        return { ok: true, message: 'Stopped listening' };
      }
      const call = deps.registry.get(callSid);
      if (!call || call.state === 'ended') return { ok: false, message: 'The call is not live' };
      if (!call.streamSid) return { ok: false, message: 'Only a streamed call can be heard' };
      deps.listen.listen(subscriber, callSid, true);
      return { ok: true, message: 'Listening' };
    },
    async getRecording(callSid) {
      return sidOk(callSid) && deps.recorder ? deps.recorder.read(callSid) : null;
    },
    async exportRecording(callSid, encoding) {
      if (!sidOk(callSid) || !deps.recorder) return null;
      const wav = await deps.recorder.exportWav(callSid, encoding === 'pcm16' ? 'pcm16' : 'mulaw');
      return wav ? wav.toString('base64') : null;
    },
    // -- end listen and recordings
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
