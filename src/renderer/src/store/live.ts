// Pure reducers for what the host pushes: calls by callSid, their order, health, settings, demo,
// and the selected call's timeline. The zustand store (store.ts) only wires these to ConsoleApi.
import type { ConsoleMessage } from '../../../shared/api';
import type { Call, CallEvent, CallRecord, HostHealth, HostNotice, SettingsView } from '../../../shared/model';

/** Events that are high-rate measurements: they go to the audio buffers, not into the timeline. */
export function isTimelineEvent(event: CallEvent): boolean {
  return event.type !== 'pacing';
}

export const MAX_TIMELINE_EVENTS = 3000;
/** Host notices kept for the status area (newest last). */
export const MAX_NOTICES = 20;

export interface SelectedCall {
  callSid: string;
  /** Opened from the live list or from History (each view shows only its own). */
  origin: 'live' | 'history';
  /** History calls (and live calls that have left the live list) cannot be acted on. */
  readOnly: boolean;
  loading: boolean;
  error?: string;
  /** The call as recorded; for live calls the list's copy (calls[callSid]) is fresher. */
  record?: Call;
  events: CallEvent[];
  /** Live events that arrived while the call was loading; merged when it lands. */
  pending: CallEvent[];
}

export interface LiveState {
  hasSnapshot: boolean;
  calls: Record<string, Call>;
  /** callSids, newest first. */
  order: string[];
  health: HostHealth | null;
  settings: SettingsView | null;
  demo: { enabled: boolean; autoDemo: boolean };
  selected: SelectedCall | null;
  /** The row the keyboard is on (Enter opens it). */
  cursor: string | null;
  /** Host-level notices (no call), newest last, each id once (a repeat is ignored). */
  notices: HostNotice[];
}

export const initialLive: LiveState = {
  hasSnapshot: false,
  calls: {},
  order: [],
  health: null,
  settings: null,
  demo: { enabled: false, autoDemo: false },
  selected: null,
  cursor: null,
  notices: [],
};

function sortOrder(calls: Record<string, Call>): string[] {
  return Object.values(calls)
    .sort((a, b) => b.startedAt - a.startedAt || (a.callSid < b.callSid ? -1 : 1))
    .map((c) => c.callSid);
}

/** Insert or move one callSid so the order stays newest first (no full re-sort per update). */
function placeInOrder(order: string[], calls: Record<string, Call>, call: Call): string[] {
  const at = order.indexOf(call.callSid);
  if (at >= 0) {
    const before = at > 0 ? calls[order[at - 1]] : undefined;
    const after = at < order.length - 1 ? calls[order[at + 1]] : undefined;
    const fits = (!before || before.startedAt >= call.startedAt) && (!after || after.startedAt <= call.startedAt);
    if (fits) return order;
  }
  const rest = at >= 0 ? order.filter((sid) => sid !== call.callSid) : order;
  let i = 0;
  while (i < rest.length && (calls[rest[i]]?.startedAt ?? 0) >= call.startedAt) i++;
  return [...rest.slice(0, i), call.callSid, ...rest.slice(i)];
}

/**
 * Transcription partials arrive several times a second while the caller talks, each the whole utterance so far:
 * the timeline keeps only the latest one of the utterance in progress. A partial replaces the previous partial
 * unless a final transcript or a barge-in decision came between them (then the older one belongs to a finished
 * utterance or a pause, and stays). Returns the index of the partial to replace, or -1.
 */
function replaceablePartial(list: readonly CallEvent[]): number {
  for (let i = list.length - 1; i >= 0; i--) {
    const type = list[i].type;
    if (type === 'transcript.partial') return i;
    if (type === 'transcript' || type === 'bargein' || type === 'call.ended') return -1;
  }
  return -1;
}

/** The same rule over a whole record (a call loaded from the host or from history). */
export function compactPartials(events: readonly CallEvent[]): CallEvent[] {
  const out: CallEvent[] = [];
  for (const e of events) {
    if (e.type === 'transcript.partial') {
      const at = replaceablePartial(out);
      if (at >= 0) out.splice(at, 1);
    }
    out.push(e);
  }
  return out;
}

function appendEvent(list: CallEvent[], event: CallEvent): CallEvent[] {
  const last = list[list.length - 1];
  if (event.type === 'transcript.partial' && (!last || last.seq < event.seq)) {
    const at = replaceablePartial(list);
    if (at >= 0) return [...list.slice(0, at), ...list.slice(at + 1), event];
  }
  if (last && last.seq >= event.seq) {
    if (list.some((e) => e.seq === event.seq)) return list;
    const merged = [...list, event].sort((a, b) => a.seq - b.seq);
    return merged.slice(-MAX_TIMELINE_EVENTS);
  }
  const next = [...list, event];
  return next.length > MAX_TIMELINE_EVENTS ? next.slice(-MAX_TIMELINE_EVENTS) : next;
}

/** Apply one ConsoleMessage. */
export function reduceMessage(state: LiveState, message: ConsoleMessage): LiveState {
  switch (message.kind) {
    // listen-in audio is played by features/monitor, not kept in the store
    case 'audio':
    case 'listen':
      return state;
    case 'snapshot': {
      const calls: Record<string, Call> = {};
      for (const call of message.snapshot.calls) calls[call.callSid] = call;
      const order = sortOrder(calls);
      return {
        ...state,
        hasSnapshot: true,
        calls,
        order,
        health: message.snapshot.health,
        settings: message.snapshot.settings,
        demo: message.snapshot.demo,
        cursor: state.cursor && calls[state.cursor] ? state.cursor : null,
        notices: message.snapshot.notices ? message.snapshot.notices.slice(-MAX_NOTICES) : state.notices,
      };
    }
    case 'call': {
      const call = message.call;
      const calls = { ...state.calls, [call.callSid]: call };
      const order = placeInOrder(state.order, calls, call);
      return { ...state, calls, order };
    }
    case 'health':
      return { ...state, health: message.health };
    case 'notice':
      if (state.notices.some((n) => n.id === message.notice.id)) return state;
      return { ...state, notices: [...state.notices.slice(-(MAX_NOTICES - 1)), message.notice] };
    case 'call.removed': {
      if (!state.calls[message.callSid]) return state;
      const { [message.callSid]: gone, ...calls } = state.calls;
      const order = state.order.filter((sid) => sid !== message.callSid);
      let selected = state.selected;
      // An open call that leaves the live list stays open, read-only, as it was last seen.
      if (selected && selected.callSid === message.callSid) selected = { ...selected, readOnly: true, record: gone };
      const cursor = state.cursor === message.callSid ? nearest(state.order, message.callSid, order) : state.cursor;
      return { ...state, calls, order, selected, cursor };
    }
    case 'event': {
      const { event } = message;
      const selected = state.selected;
      if (!selected || selected.readOnly || selected.callSid !== event.callSid || !isTimelineEvent(event)) return state;
      if (selected.loading) return { ...state, selected: { ...selected, pending: appendEvent(selected.pending, event) } };
      return { ...state, selected: { ...selected, events: appendEvent(selected.events, event) } };
    }
  }
}

function nearest(oldOrder: string[], removed: string, newOrder: string[]): string | null {
  const at = oldOrder.indexOf(removed);
  return newOrder[Math.min(at, newOrder.length - 1)] ?? null;
}

/** Open a call: live ones are acted on, history ones are read-only. Loading starts here. */
export function selectCall(state: LiveState, callSid: string, readOnly: boolean): LiveState {
  if (state.selected?.callSid === callSid && state.selected.readOnly === readOnly && !state.selected.error) return { ...state, cursor: readOnly ? state.cursor : callSid };
  return {
    ...state,
    cursor: readOnly ? state.cursor : callSid,
    selected: { callSid, origin: readOnly ? 'history' : 'live', readOnly, loading: true, events: [], pending: [] },
  };
}

export function closeCall(state: LiveState): LiveState {
  return state.selected ? { ...state, selected: null } : state;
}

/** The record arrived (or not): timeline = record events + live events that came meanwhile. */
export function callLoaded(state: LiveState, callSid: string, record: CallRecord | null, error?: string): LiveState {
  const selected = state.selected;
  if (!selected || selected.callSid !== callSid) return state;
  if (!record) {
    return { ...state, selected: { ...selected, loading: false, error: error ?? 'not-found', events: selected.pending, pending: [] } };
  }
  let events = compactPartials(record.events.filter(isTimelineEvent));
  const maxSeq = events.reduce((m, e) => Math.max(m, e.seq), -Infinity);
  for (const e of selected.pending) if (e.seq > maxSeq) events = appendEvent(events, e);
  if (events.length > MAX_TIMELINE_EVENTS) events = events.slice(-MAX_TIMELINE_EVENTS);
  return { ...state, selected: { ...selected, loading: false, error: undefined, record: record.call, events, pending: [] } };
}

/** Move the keyboard cursor through the live list. */
export function moveCursor(state: LiveState, delta: number): LiveState {
  if (state.order.length === 0) return state.cursor === null ? state : { ...state, cursor: null };
  const at = state.cursor ? state.order.indexOf(state.cursor) : -1;
  const from = at < 0 ? (delta > 0 ? -1 : state.order.length) : at;
  const next = Math.max(0, Math.min(state.order.length - 1, from + delta));
  const cursor = state.order[next];
  return cursor === state.cursor ? state : { ...state, cursor };
}

/** The call the header shows: the live copy when there is one. */
export function selectedCallOf(state: Pick<LiveState, 'selected' | 'calls'>): Call | undefined {
  const s = state.selected;
  if (!s) return undefined;
  return (!s.readOnly ? state.calls[s.callSid] : undefined) ?? s.record ?? state.calls[s.callSid];
}

/**
 * ops: the call to open by itself when the operator has opened nothing yet: the newest live call with a media
 * stream (so a demo opens on moving charts), else null.
 */
export function autoSelectCandidate(state: Pick<LiveState, 'selected' | 'calls' | 'order'>): string | null {
  if (state.selected) return null;
  for (const sid of state.order) {
    const c = state.calls[sid];
    if (c && c.state !== 'ended' && c.mode === 'stream' && c.streamSid && !c.handoff) return sid;
  }
  return null;
}

/** ops: whether the bot is held on this call, from its timeline (the last bot.muted event). */
export function botMuted(events: readonly CallEvent[]): boolean {
  for (let i = events.length - 1; i >= 0; i--) {
    const e = events[i]!;
    if (e.type === 'bot.muted') return e.muted;
  }
  return false;
}
