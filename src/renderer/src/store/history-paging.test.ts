// History is read page by page: a full page offers older calls, which come from the host after the last one shown.
import { describe, expect, it } from 'vitest';
import { historyCursor, type Call, type HistoryQuery } from '../../../shared/model';
import type { NotificationsPort } from '../features/attention/alerts';
import { call } from '../test/factories';
import { fakeBridge } from '../test/fake-bridge';
import { AudioBuffers } from './audio-buffers';
import { createConsoleStore } from './store';

const notifications: NotificationsPort = { permission: () => 'granted', request: async () => 'granted', show: () => undefined };

describe('history paging', () => {
  it('a full page offers more; the next page is asked for after the last call shown and appended', async () => {
    const calls: Call[] = [1, 2, 3].map((i) => call(`CA${i}`, { startedAt: 1000 - i, state: 'ended' }));
    const { bridge } = fakeBridge();
    const asked: HistoryQuery[] = [];
    bridge.listHistory.mockImplementation(async (...args: unknown[]) => {
      const q = args[0] as HistoryQuery;
      asked.push(q);
      const from = q.cursor ? calls.findIndex((c) => historyCursor(c) === q.cursor) + 1 : 0;
      return calls.slice(from, from + (q.limit ?? 100));
    });
    const store = createConsoleStore({ bridge, buffers: new AudioBuffers(), notifications, prefs: { locale: 'en', theme: 'dark', presentation: false, notifications: true } });
    const { searchHistory, moreHistory } = store.getState().actions;
    await searchHistory({ limit: 2, text: '환불' });
    expect(store.getState().history.results.map((c) => c.callSid)).toEqual(['CA1', 'CA2']);
    expect(store.getState().history.more).toBe(true);
    await moreHistory();
    expect(asked[1]).toEqual({ limit: 2, text: '환불', cursor: historyCursor(calls[1]!) });
    expect(store.getState().history.results.map((c) => c.callSid)).toEqual(['CA1', 'CA2', 'CA3']);
    expect(store.getState().history.more).toBe(false);
  });
});
