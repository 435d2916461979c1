// Host notices: host-level messages for the operator that belong to no call (a refused media stream, a red
// health check). A small hub: post() stamps and keeps the most recent ones (bounded, for snapshots) and tells
// the listeners (the console API broadcasts them as { kind: 'notice' }). Posts with the same key within
// `throttleMs` are counted, not repeated, so a flood of refused sockets is one notice every few seconds
// ("…; 41 more like it"). Pure apart from the injected clock.
import type { HostNotice } from '../../shared/model';

export const MAX_NOTICES = 50;
export const NOTICE_THROTTLE_MS = 10_000;

export type NoticeInput = Omit<HostNotice, 'id' | 'at'>;

export interface NoticeHub {
  /** Post a notice; `key` groups repeats for throttling (default: source + message). Returns it, or null when held back. */
  post(notice: NoticeInput, key?: string): HostNotice | null;
  /** The most recent notices, oldest first. */
  recent(): HostNotice[];
  onNotice(listener: (notice: HostNotice) => void): () => void;
}

export function createNoticeHub(opts: { now?: () => number; max?: number; throttleMs?: number } = {}): NoticeHub {
  const now = opts.now ?? Date.now;
  const max = opts.max ?? MAX_NOTICES;
  const throttleMs = opts.throttleMs ?? NOTICE_THROTTLE_MS;
  const kept: HostNotice[] = [];
  const listeners = new Set<(n: HostNotice) => void>();
  const lastByKey = new Map<string, { at: number; held: number }>();
  let seq = 0;

  return {
    post(input, key = `${input.source}:${input.message}`) {
      const at = now();
      const last = lastByKey.get(key);
      if (last && at - last.at < throttleMs) {
        last.held++;
        return null;
      }
      const held = last?.held ?? 0;
      lastByKey.set(key, { at, held: 0 });
      if (lastByKey.size > 1000) lastByKey.delete(lastByKey.keys().next().value as string);
      const notice: HostNotice = {
        id: `N${++seq}`,
        at,
        level: input.level,
        source: input.source,
        message: held ? `${input.message} (and ${held} more like it)` : input.message,
      };
      kept.push(notice);
      if (kept.length > max) kept.splice(0, kept.length - max);
      for (const l of listeners) {
        try {
          l(notice);
        } catch {
          // one broken listener must not starve the others
        }
      }
      return notice;
    },
    recent: () => kept.slice(),
    onNotice(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
}
