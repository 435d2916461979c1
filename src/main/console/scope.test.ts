// One console connection's scope, as both doors open it: listening through scope A reaches A only; closing A's scope
// (a socket or window gone) stops it; a plain ConsoleApi (no per-connection listening) is passed through.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { ConsoleApi, ConsoleMessage } from '../../shared/api';
import { CallRegistry } from '../calls/registry';
import { HistoryStore } from '../history/store';
import { silentLogger } from '../log';
import { FakeTimers } from '../../../test/helpers/fake-timers';
import { ListenHub } from '../monitor/listen';
import { createConsoleApi } from './api';
import { scopeConsole } from './scope';

function setup() {
  const timers = new FakeTimers();
  const registry = new CallRegistry({ now: timers.now });
  const hub = new ListenHub({ now: timers.now, timers });
  const api = createConsoleApi({
    registry,
    history: new HistoryStore({ dir: mkdtempSync(join(tmpdir(), 'fd-scope-')), log: silentLogger() }),
    snapshot: () => ({ health: {} as never, settings: {} as never, demo: { enabled: false, autoDemo: false } }),
    handoff: async () => ({ ok: true, message: '' }),
    hangup: async () => ({ ok: true, message: '' }),
    demo: null,
    listen: hub,
  });
  registry.apply('CA1', { type: 'call.started', from: '+821012345678', to: '+15005550006', fromMasked: '', toMasked: '', mode: 'stream', simulated: false });
  registry.apply('CA1', { type: 'stream.started', streamSid: 'MZ1', customParameters: {} });
  return { timers, registry, hub, api };
}

const audioOf = (pushes: ConsoleMessage[]) => pushes.filter((m) => m.kind === 'audio');

describe('scopeConsole', () => {
  it('sends listen-in audio only to the scope that asked, and stops when that scope closes', async () => {
    const { timers, hub, api } = setup();
    const a: ConsoleMessage[] = [];
    const b: ConsoleMessage[] = [];
    const sa = scopeConsole(api, (m) => a.push(m));
    const sb = scopeConsole(api, (m) => b.push(m));
    const tap = hub.tap('CA1');
    expect(await sa.api.listen('CA1', true)).toEqual({ ok: true, message: 'Listening' });
    tap.inbound(Buffer.alloc(160, 1), 0, timers.now());
    timers.advance(100);
    expect(audioOf(a)).toHaveLength(1);
    expect(audioOf(b)).toHaveLength(0);
    // the unscoped API cannot listen for anyone
    expect((await api.listen('CA1', true)).ok).toBe(false);
    sa.close();
    expect(hub.listening('CA1')).toBe(false);
    tap.inbound(Buffer.alloc(160, 1), 20, timers.now());
    timers.advance(100);
    expect(audioOf(a)).toHaveLength(1);
    sb.close();
  });

  it('refuses calls that are not live streamed calls', async () => {
    const { registry, api } = setup();
    const s = scopeConsole(api, () => undefined);
    registry.apply('CA2', { type: 'call.started', from: '+821012345678', to: '+1', fromMasked: '', toMasked: '', mode: 'gather', simulated: false });
    expect(await s.api.listen('CA2', true)).toEqual({ ok: false, message: 'Only a streamed call can be heard' });
    expect(await s.api.listen('CAnone', true)).toEqual({ ok: false, message: 'The call is not live' });
    expect(await s.api.listen('../x', true)).toEqual({ ok: false, message: 'Unknown call' });
    s.close();
  });

  it('passes a plain ConsoleApi through', async () => {
    const calls: unknown[] = [];
    const plain = { subscribe: () => () => undefined, listen: async (sid: string, on: boolean) => (calls.push([sid, on]), { ok: true, message: 'x' }) } as unknown as ConsoleApi;
    const s = scopeConsole(plain, () => undefined);
    await s.api.listen('CA1', true);
    expect(calls).toEqual([['CA1', true]]);
  });
});
