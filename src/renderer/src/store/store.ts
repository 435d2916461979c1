// The one zustand store, fed only by ConsoleApi messages. Reducers live in live.ts (pure);
// this file wires them to the bridge, the audio buffers and the few side effects (notifications,
// downloads, preferences).
import { createStore, type StoreApi } from 'zustand/vanilla';
import type { ConsoleMessage } from '../../../shared/api';
import { historyCursor, type Call, type CommandResult, type DemoScenario, type HistoryQuery } from '../../../shared/model';
import type { Bridge, ConnectionState } from '../bridge/types';
import { newAlerts, type NotificationsPort, type NotifyPermission } from '../features/attention/alerts';
import { displayNumber } from '../format';
import { translate, type StringKey } from '../i18n/strings';
import { maskExport } from '../features/monitor/mask';
import { AudioBuffers } from './audio-buffers';
import { autoSelectCandidate, callLoaded, closeCall, initialLive, moveCursor, reduceMessage, selectCall, type LiveState } from './live';
import { savePrefs, type Prefs, type PrefsEnv } from './prefs';

export type View = 'live' | 'history' | 'setup';

export interface Toast {
  id: number;
  tone: 'ok' | 'error' | 'info';
  text: string;
}

export interface ConfirmRequest {
  action: 'handoff' | 'hangup';
  callSid: string;
}

export interface HistoryState {
  query: HistoryQuery;
  results: Call[];
  loading: boolean;
  searched: boolean;
  error?: string;
  /** The last page was full: there may be older calls (the host pages the list, HistoryQuery.cursor). */
  more?: boolean;
}

export interface ConsoleState extends LiveState {
  view: View;
  prefs: Prefs;
  connection: ConnectionState;
  notifyPermission: NotifyPermission;
  toasts: Toast[];
  confirm: ConfirmRequest | null;
  busy: Record<string, 'handoff' | 'hangup' | undefined>;
  history: HistoryState;
  // ops: operator powers and health
  /** Open the first live streamed call by itself until the operator opens or closes one (demo mode). */
  autoSelect: boolean;
  /** Say / mute requests on their way, per callSid. */
  operatorBusy: Record<string, 'say' | 'mute' | undefined>;
  healthRunning: boolean;
}

export interface ConsoleActions {
  ingest(message: ConsoleMessage): void;
  select(callSid: string, readOnly?: boolean): void;
  close(): void;
  moveCursor(delta: number): void;
  openCursor(): void;
  setView(view: View): void;
  setPrefs(patch: Partial<Prefs>): void;
  enableNotifications(): Promise<void>;
  ask(action: ConfirmRequest['action'], callSid?: string): void;
  cancelConfirm(): void;
  confirmAction(): Promise<void>;
  simulate(scenario: DemoScenario): Promise<void>;
  setAutoDemo(enabled: boolean): Promise<void>;
  searchHistory(query: HistoryQuery): Promise<void>;
  /** The next page of the current search, appended (older calls). */
  moreHistory(): Promise<void>;
  exportCall(callSid: string): Promise<void>;
  toast(tone: Toast['tone'], text: string): void;
  dismissToast(id: number): void;
  // ops
  /** Speak to the caller; resolves true when the host accepted it (the composer then clears). */
  say(callSid: string, text: string): Promise<boolean>;
  setBotMuted(callSid: string, muted: boolean): Promise<void>;
  runHealthChecks(): Promise<void>;
}

export interface ConsoleDeps {
  bridge: Bridge;
  buffers: AudioBuffers;
  notifications: NotificationsPort;
  prefs: Prefs;
  storage?: PrefsEnv['storage'];
  download?: (filename: string, text: string) => void;
}

export type ConsoleStore = StoreApi<ConsoleState & { actions: ConsoleActions }>;

export function createConsoleStore(deps: ConsoleDeps): ConsoleStore {
  const { bridge, buffers, notifications } = deps;
  let toastId = 0;
  let historySearch = 0;

  return createStore<ConsoleState & { actions: ConsoleActions }>()((set, get) => {
    const t = (key: StringKey, vars?: Record<string, string | number>) => translate(get().prefs.locale, key, vars);

    const toast = (tone: Toast['tone'], text: string) => set((s) => ({ toasts: [...s.toasts.slice(-3), { id: ++toastId, tone, text }] }));

    const load = (callSid: string) => {
      bridge.getCall(callSid).then(
        (record) => {
          if (record) buffers.replace(callSid, record.events);
          set((s) => callLoaded(s, callSid, record));
        },
        (err: unknown) => set((s) => callLoaded(s, callSid, null, err instanceof Error ? err.message : String(err))),
      );
    };

    const notifyAlerts = (prev: Call | undefined, next: Call) => {
      const fresh = newAlerts(prev, next);
      if (fresh.length === 0 || !get().prefs.notifications) return;
      const who = displayNumber(next, get().prefs.presentation);
      for (const alert of fresh) {
        notifications.show(`${t(`alert.${alert.kind}` as StringKey)} — ${who}`, alert.message, `${next.callSid}:${alert.kind}`, () => {
          get().actions.setView('live');
          get().actions.select(next.callSid);
        });
      }
    };

    const run = async (label: string, callSid: string | null, action: 'handoff' | 'hangup' | null, fn: () => Promise<CommandResult>) => {
      if (callSid && action) set((s) => ({ busy: { ...s.busy, [callSid]: action } }));
      try {
        const result = await fn();
        toast(result.ok ? 'ok' : 'error', result.ok ? result.message || label : t('toast.failed', { message: result.message }));
      } catch (err) {
        toast('error', t('toast.failed', { message: err instanceof Error ? err.message : String(err) }));
      } finally {
        if (callSid && action) set((s) => ({ busy: { ...s.busy, [callSid]: undefined } }));
      }
    };

    const actions: ConsoleActions = {
      ingest(message) {
        if (message.kind === 'event') buffers.ingest(message.event);
        const before = get();
        const prevCall = message.kind === 'call' ? before.calls[message.call.callSid] : undefined;
        const next = reduceMessage(before, message);
        if (next !== before) set(next);
        if (message.kind === 'call') notifyAlerts(prevCall, message.call);
        // ui: host notices — a new one (not a repeat of its id) is raised once as a toast
        if (message.kind === 'notice' && next !== before) {
          const { notice } = message;
          toast(notice.level === 'info' ? 'info' : 'error', t('notice.text', { source: t(`notice.source.${notice.source}`), message: notice.message }));
        }
        if (message.kind === 'snapshot') {
          const sel = next.selected;
          buffers.retain([...next.order, ...(sel ? [sel.callSid] : [])]);
          // after a reconnect the open live call may have missed events: fetch it again
          if (sel && !sel.readOnly && !sel.loading) {
            set((s) => selectCall({ ...s, selected: null }, sel.callSid, false));
            load(sel.callSid);
          }
        }
        if (message.kind === 'call.removed' && get().selected?.callSid !== message.callSid) buffers.drop(message.callSid);
        // ops: a red health check reaches the operator before a caller does
        if (message.kind === 'notice' && next !== before && message.notice.level === 'error') {
          toast('error', message.notice.message);
          if (get().prefs.notifications) notifications.show(t('notice.title'), message.notice.message, `notice:${message.notice.id}`, () => get().actions.setView('setup'));
        }
        if ((message.kind === 'call' || message.kind === 'snapshot') && get().autoSelect && get().demo.enabled && get().view === 'live') {
          const sid = autoSelectCandidate(get());
          if (sid) {
            set((s) => selectCall(s, sid, false));
            load(sid);
          }
        }
      },
      select(callSid, readOnly = false) {
        if (get().autoSelect) set({ autoSelect: false });
        const before = get().selected;
        set((s) => selectCall(s, callSid, readOnly));
        const after = get().selected;
        if (after && after !== before && after.loading) load(callSid);
      },
      close: () => set((s) => ({ ...closeCall(s), autoSelect: false })),
      moveCursor: (delta) => set((s) => moveCursor(s, delta)),
      openCursor() {
        const cursor = get().cursor;
        if (cursor) actions.select(cursor);
      },
      setView: (view) => set({ view }),
      setPrefs(patch) {
        const prefs = { ...get().prefs, ...patch };
        savePrefs(deps.storage, prefs);
        set({ prefs });
      },
      async enableNotifications() {
        let permission = notifications.permission();
        if (permission === 'default') permission = await notifications.request();
        set({ notifyPermission: permission });
        actions.setPrefs({ notifications: permission === 'granted' });
      },
      ask(action, callSid) {
        const sid = callSid ?? get().selected?.callSid;
        if (sid) set({ confirm: { action, callSid: sid } });
      },
      cancelConfirm: () => set({ confirm: null }),
      async confirmAction() {
        const confirm = get().confirm;
        if (!confirm) return;
        set({ confirm: null });
        const { action, callSid } = confirm;
        await run(t(action === 'handoff' ? 'call.handoff' : 'call.hangup'), callSid, action, () => (action === 'handoff' ? bridge.handoff(callSid) : bridge.hangup(callSid)));
      },
      // ops: the call a simulation starts opens at once (stakeholders watch the main pane)
      async simulate(scenario) {
        try {
          const result = await bridge.simulate(scenario);
          toast(result.ok ? 'ok' : 'error', result.ok ? result.message : t('toast.failed', { message: result.message }));
          if (result.ok && result.callSid) {
            actions.setView('live');
            actions.select(result.callSid);
          }
        } catch (err) {
          toast('error', t('toast.failed', { message: err instanceof Error ? err.message : String(err) }));
        }
      },
      setAutoDemo: (enabled) => run(t('demo.auto'), null, null, () => bridge.setAutoDemo(enabled)),
      async searchHistory(query) {
        const mine = ++historySearch;
        set((s) => ({ history: { ...s.history, query, loading: true, error: undefined } }));
        try {
          const results = await bridge.listHistory(query);
          const more = query.limit !== undefined && results.length >= query.limit;
          if (mine === historySearch) set((s) => ({ history: { ...s.history, results, loading: false, searched: true, more } }));
        } catch (err) {
          if (mine === historySearch) set((s) => ({ history: { ...s.history, loading: false, searched: true, error: err instanceof Error ? err.message : String(err) } }));
        }
      },
      async moreHistory() {
        const { query, results, loading } = get().history;
        const last = results.at(-1);
        if (loading || !last) return;
        const mine = ++historySearch;
        set((s) => ({ history: { ...s.history, loading: true } }));
        try {
          const page = await bridge.listHistory({ ...query, cursor: historyCursor(last) });
          const more = query.limit !== undefined && page.length >= query.limit;
          if (mine === historySearch) set((s) => ({ history: { ...s.history, results: [...s.history.results, ...page], loading: false, more } }));
        } catch (err) {
          if (mine === historySearch) set((s) => ({ history: { ...s.history, loading: false, error: err instanceof Error ? err.message : String(err) } }));
        }
      },
      async exportCall(callSid) {
        try {
          const text = await bridge.exportCall(callSid);
          if (text === null) {
            toast('error', t('call.notFound'));
            return;
          }
          const file = `front-door-call-${callSid}.json`;
          // presentation mode: the export carries masked numbers only (features/monitor/mask.ts)
          deps.download?.(file, get().prefs.presentation ? maskExport(text) : text);
          toast('ok', t('history.exported', { file }));
        } catch (err) {
          toast('error', t('toast.failed', { message: err instanceof Error ? err.message : String(err) }));
        }
      },
      toast,
      dismissToast: (id) => set((s) => ({ toasts: s.toasts.filter((x) => x.id !== id) })),
      // ops: operator powers and health
      async say(callSid, text) {
        set((s) => ({ operatorBusy: { ...s.operatorBusy, [callSid]: 'say' } }));
        try {
          const result = await bridge.say(callSid, text);
          toast(result.ok ? 'ok' : 'error', result.ok ? t('say.sent') : t('toast.failed', { message: result.message }));
          return result.ok;
        } catch (err) {
          toast('error', t('toast.failed', { message: err instanceof Error ? err.message : String(err) }));
          return false;
        } finally {
          set((s) => ({ operatorBusy: { ...s.operatorBusy, [callSid]: undefined } }));
        }
      },
      async setBotMuted(callSid, muted) {
        set((s) => ({ operatorBusy: { ...s.operatorBusy, [callSid]: 'mute' } }));
        try {
          const result = await bridge.setBotMuted(callSid, muted);
          toast(result.ok ? 'ok' : 'error', result.ok ? t(muted ? 'say.muted' : 'say.resumed') : t('toast.failed', { message: result.message }));
        } catch (err) {
          toast('error', t('toast.failed', { message: err instanceof Error ? err.message : String(err) }));
        } finally {
          set((s) => ({ operatorBusy: { ...s.operatorBusy, [callSid]: undefined } }));
        }
      },
      async runHealthChecks() {
        if (get().healthRunning) return;
        set({ healthRunning: true });
        try {
          const health = await bridge.runHealthChecks();
          set({ health });
        } catch (err) {
          toast('error', t('toast.failed', { message: err instanceof Error ? err.message : String(err) }));
        } finally {
          set({ healthRunning: false });
        }
      },
    };

    return {
      ...initialLive,
      view: 'live',
      prefs: deps.prefs,
      connection: bridge.connection(),
      notifyPermission: notifications.permission(),
      toasts: [],
      confirm: null,
      busy: {},
      history: { query: {}, results: [], loading: false, searched: false },
      autoSelect: true,
      operatorBusy: {},
      healthRunning: false,
      actions,
    };
  });
}

/** Feed the store from the bridge; returns the function that stops it. */
export function connectStore(store: ConsoleStore, bridge: Bridge): () => void {
  const offMessages = bridge.subscribe((m) => store.getState().actions.ingest(m));
  const offConnection = bridge.onConnection((connection) => store.setState({ connection }));
  store.setState({ connection: bridge.connection() });
  return () => {
    offMessages();
    offConnection();
  };
}
