// Host notices (refused media streams, idle sockets, the stream cap) reach the operator as toasts, worded by the host.
import { describe, expect, it } from 'vitest';
import type { NotificationsPort } from '../features/attention/alerts';
import { fakeBridge } from '../test/fake-bridge';
import { AudioBuffers } from './audio-buffers';
import { createConsoleStore } from './store';

const notifications: NotificationsPort = { permission: () => 'granted', request: async () => 'granted', show: () => undefined };

describe('host notices', () => {
  it('show as toasts: warnings and errors as error toasts, info as info; the live state is unchanged', () => {
    const store = createConsoleStore({ bridge: fakeBridge().bridge, buffers: new AudioBuffers(), notifications, prefs: { locale: 'en', theme: 'dark', presentation: false, notifications: true } });
    const before = store.getState().calls;
    const { ingest } = store.getState().actions;
    ingest({ kind: 'notice', notice: { id: 'N1', at: 1, level: 'warn', source: 'security', message: 'Refused a media stream for (malformed): stream refused: no grant' } });
    ingest({ kind: 'notice', notice: { id: 'N2', at: 2, level: 'info', source: 'host', message: 'Host ready' } });
    expect(store.getState().toasts.map((t) => [t.tone, t.text])).toEqual([
      ['error', 'Refused a media stream for (malformed): stream refused: no grant'],
      ['info', 'Host ready'],
    ]);
    expect(store.getState().calls).toBe(before);
  });
});
