// @vitest-environment happy-dom
import { act, cleanup, fireEvent, render, screen, waitFor, within } from '@testing-library/react';
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { App } from './App';
import type { NotificationsPort } from './features/attention/alerts';
import { AudioBuffers } from './store/audio-buffers';
import { ConsoleProvider } from './store/context';
import type { Prefs } from './store/prefs';
import { connectStore, createConsoleStore } from './store/store';
import { tickerRunning } from './store/ticker';
import { fakeBridge } from './test/fake-bridge';
import { call, ev, resetSeq, snapshot } from './test/factories';

const shown: Array<{ title: string; body: string }> = [];
const notifications: NotificationsPort = {
  permission: () => 'granted',
  request: async () => 'granted',
  show: (title, body) => void shown.push({ title, body }),
};

function mount(prefs: Partial<Prefs> = {}, records = {}) {
  const fake = fakeBridge(records);
  const buffers = new AudioBuffers();
  const store = createConsoleStore({ bridge: fake.bridge, buffers, notifications, prefs: { locale: 'en', theme: 'dark', presentation: false, notifications: true, ...prefs } });
  const stop = connectStore(store, fake.bridge);
  const view = render(
    <ConsoleProvider store={store} buffers={buffers}>
      <App store={store} />
    </ConsoleProvider>,
  );
  return { fake, store, stop, view };
}

const caller = call('CA1', { startedAt: Date.now() - 65_000, lastTranscript: '환불 절차를 알고 싶어요', state: 'bot_speaking' });
const older = call('CA2', { startedAt: Date.now() - 300_000, from: '+821055505678', fromMasked: '+82 ••••••5678', state: 'ended', endedAt: Date.now() - 10_000, mode: 'gather' });

beforeAll(() => {
  // happy-dom does no layout: give elements a size so the virtualised lists render rows
  Object.defineProperty(HTMLElement.prototype, 'clientHeight', { configurable: true, get: () => 800 });
  Object.defineProperty(HTMLElement.prototype, 'clientWidth', { configurable: true, get: () => 1000 });
});

beforeEach(() => {
  resetSeq();
  shown.length = 0;
  localStorage.clear();
});
afterEach(() => cleanup());

describe('App', () => {
  it('shows the live list from the snapshot: number, state word, last words, simulated label', async () => {
    const { fake } = mount();
    act(() => fake.push({ kind: 'snapshot', snapshot: snapshot([caller, older]) }));
    const rows = screen.getAllByRole('option');
    expect(rows.map((r) => r.dataset.callsid)).toEqual(['CA1', 'CA2']);
    expect(within(rows[0]).getByText('+82 10-5550-1234')).toBeTruthy();
    expect(within(rows[0]).getByText('Bot speaking')).toBeTruthy();
    expect(within(rows[0]).getByText('“환불 절차를 알고 싶어요”')).toBeTruthy();
    expect(within(rows[0]).getByText('simulated')).toBeTruthy();
    expect(rows[1].className).toContain('ended');
    expect(screen.getByText('1 active')).toBeTruthy();
  });

  it('teaches when there are no calls: webhook URL and Simulate call', async () => {
    const { fake } = mount();
    act(() => fake.push({ kind: 'snapshot', snapshot: snapshot([]) }));
    expect(screen.getByText('No calls yet')).toBeTruthy();
    expect(screen.getByText('http://127.0.0.1:5000/twiml/voice_stream')).toBeTruthy();
    fireEvent.click(screen.getAllByRole('button', { name: /Simulate call/ })[0]);
    fireEvent.click(screen.getByRole('menuitem', { name: 'Caller barges in' }));
    await waitFor(() => expect(fake.bridge.simulate).toHaveBeenCalledWith('barge-in'));
    await screen.findByText('Simulated call started');
  });

  it('opens a call: loads its record, then appends live events to the conversation', async () => {
    const record = { call: caller, events: [ev('CA1', { type: 'transcript', text: '환불 절차를 알고 싶어요', confidence: 0.87, source: 'stream' })] };
    const { fake } = mount({}, { CA1: record });
    act(() => fake.push({ kind: 'snapshot', snapshot: snapshot([caller]) }));
    fireEvent.click(screen.getAllByRole('option')[0]);
    expect(fake.bridge.getCall).toHaveBeenCalledWith('CA1');
    const conversation = await screen.findByRole('region', { name: 'Conversation' });
    await within(conversation).findByText('환불 절차를 알고 싶어요');
    expect(within(conversation).getByText('0.87')).toBeTruthy();
    act(() => fake.push({ kind: 'event', event: ev('CA1', { type: 'bot.reply', text: '환불은 7일 이내에 가능합니다.', via: 'stream', replyId: 'r1' }) }));
    expect(within(conversation).getByText('환불은 7일 이내에 가능합니다.')).toBeTruthy();
    act(() => fake.push({ kind: 'event', event: ev('CA1', { type: 'bargein', decision: 'interrupted', replyId: 'r1', heardMs: 1400, replyMs: 3200, detectionLatencyMs: 210 }) }));
    expect(within(conversation).getByText(/Interrupted — heard 1.4 s of 3.2 s/)).toBeTruthy();
  });

  it('hands off only after a confirm that names the call and the number it will dial', async () => {
    const { fake } = mount({}, { CA1: { call: caller, events: [] } });
    act(() => fake.push({ kind: 'snapshot', snapshot: snapshot([caller]) }));
    fireEvent.click(screen.getAllByRole('option')[0]);
    fireEvent.click(await screen.findByRole('button', { name: 'Hand off' }));
    const dialog = screen.getByRole('dialog');
    expect(within(dialog).getAllByText('+82 10-5550-1234').length).toBeGreaterThan(0);
    expect(within(dialog).getByText('+82 2-555-0199')).toBeTruthy();
    expect(fake.bridge.handoff).not.toHaveBeenCalled();
    fireEvent.click(within(dialog).getByRole('button', { name: 'Hand off' }));
    await waitFor(() => expect(fake.bridge.handoff).toHaveBeenCalledWith('CA1'));
    await screen.findByText('Handoff requested');
    // the outcome arrives as call updates
    act(() => fake.push({ kind: 'call', call: { ...caller, state: 'handing_off', handoff: { status: 'dialing', source: 'operator', at: Date.now() } } }));
    expect(screen.getByRole('button', { name: 'Hand off' }).hasAttribute('disabled')).toBe(true);
    act(() => fake.push({ kind: 'call', call: { ...caller, state: 'in_conversation', handoff: { status: 'failed', source: 'operator', at: Date.now(), message: 'The caller already hung up', code: 21220 }, alerts: [{ kind: 'handoff_failed', at: 1, message: 'The caller already hung up' }] } }));
    expect(screen.getByText(/Handoff failed — The caller already hung up \(Twilio 21220\)/)).toBeTruthy();
    expect(shown).toEqual([{ title: 'Handoff failed — +82 10-5550-1234', body: 'The caller already hung up' }]);
  });

  it('cancel and Escape close the confirm without acting', async () => {
    const { fake } = mount({}, { CA1: { call: caller, events: [] } });
    act(() => fake.push({ kind: 'snapshot', snapshot: snapshot([caller]) }));
    fireEvent.click(screen.getAllByRole('option')[0]);
    fireEvent.click(await screen.findByRole('button', { name: 'Hang up' }));
    fireEvent.keyDown(window, { key: 'Escape' });
    expect(screen.queryByRole('dialog')).toBeNull();
    expect(fake.bridge.hangup).not.toHaveBeenCalled();
  });

  it('Hand off is disabled with the reason when CONNECT_DID is not set', async () => {
    const { fake } = mount({}, { CA1: { call: caller, events: [] } });
    const s = snapshot([caller]);
    act(() => fake.push({ kind: 'snapshot', snapshot: { ...s, settings: { ...s.settings, connectDidSet: false } } }));
    fireEvent.click(screen.getAllByRole('option')[0]);
    const button = await screen.findByRole('button', { name: 'Hand off' });
    expect(button.hasAttribute('disabled')).toBe(true);
    expect(screen.getByText('CONNECT_DID is not set, so there is no number to hand off to.')).toBeTruthy();
  });

  it('keyboard: ↓ then Enter opens the first call, H asks to hand off', async () => {
    const { fake } = mount({}, { CA1: { call: caller, events: [] } });
    act(() => fake.push({ kind: 'snapshot', snapshot: snapshot([caller, older]) }));
    fireEvent.keyDown(document.body, { key: 'ArrowDown' });
    fireEvent.keyDown(document.body, { key: 'Enter' });
    await waitFor(() => expect(fake.bridge.getCall).toHaveBeenCalledWith('CA1'));
    fireEvent.keyDown(document.body, { key: 'h' });
    expect(screen.getByRole('dialog')).toBeTruthy();
  });

  it('presentation mode masks numbers and hides Setup; Korean names the button 상담원 연결', async () => {
    const { fake } = mount({ presentation: true, locale: 'ko' }, { CA1: { call: caller, events: [] } });
    act(() => fake.push({ kind: 'snapshot', snapshot: snapshot([caller]) }));
    expect(screen.queryByText('+821055501234')).toBeNull();
    expect(screen.getAllByText('+82 ••••••1234').length).toBeGreaterThan(0);
    expect(screen.queryByRole('button', { name: '설정' })).toBeNull();
    fireEvent.click(screen.getAllByRole('option')[0]);
    expect(await screen.findByRole('button', { name: '상담원 연결' })).toBeTruthy();
    expect(screen.queryByText('+821055501234')).toBeNull();
  });

  it('Setup shows webhooks and settings, secrets only as set/unset', async () => {
    const { fake } = mount();
    const s = snapshot([]);
    // even if a value slipped into a secret setting, it must not be shown
    s.settings.settings[1] = { ...s.settings.settings[1], value: 'super-secret-token' };
    act(() => fake.push({ kind: 'snapshot', snapshot: { ...s, settings: { ...s.settings, signatureValidation: false } } }));
    fireEvent.click(screen.getByRole('button', { name: 'Setup' }));
    expect(screen.getByText('http://127.0.0.1:5000/twiml/call_status')).toBeTruthy();
    expect(screen.getByText('set (hidden)')).toBeTruthy();
    expect(screen.queryByText('super-secret-token')).toBeNull();
    expect(screen.getAllByRole('alert').some((a) => /signature validation is OFF/.test(a.textContent ?? ''))).toBe(true);
  });

  it('History lists finished calls and opens one read-only with export', async () => {
    const record = { call: older, events: [ev('CA2', { type: 'transcript', text: '영업시간이 어떻게 되나요', source: 'gather' })] };
    const { fake } = mount({}, { CA2: record });
    act(() => fake.push({ kind: 'snapshot', snapshot: snapshot([]) }));
    fireEvent.click(screen.getByRole('button', { name: 'History' }));
    await waitFor(() => expect(fake.bridge.listHistory).toHaveBeenCalled());
    const row = await screen.findByText('+82 10-5550-5678');
    fireEvent.click(row);
    const conversation = await screen.findByRole('region', { name: 'Conversation' });
    await within(conversation).findByText('영업시간이 어떻게 되나요');
    expect(screen.getByRole('button', { name: 'Hand off' }).hasAttribute('disabled')).toBe(true);
    fireEvent.click(screen.getByRole('button', { name: 'Export JSON' }));
    await waitFor(() => expect(fake.bridge.exportCall).toHaveBeenCalledWith('CA2'));
  });

  it('shows the token screen on 4401 and a banner while reconnecting', async () => {
    const { fake } = mount();
    act(() => fake.push({ kind: 'snapshot', snapshot: snapshot([]) }));
    act(() => fake.setConnection({ status: 'reconnecting', attempt: 1 }));
    expect(screen.getByText('Connection lost — reconnecting…')).toBeTruthy();
    act(() => fake.setConnection({ status: 'unauthorized', tokenPresent: false }));
    expect(screen.getByText('Access token missing or invalid')).toBeTruthy();
  });

  it('unmounting leaves no ticker or subscription behind', async () => {
    const { fake, stop, view } = mount();
    act(() => fake.push({ kind: 'snapshot', snapshot: snapshot([caller]) }));
    expect(tickerRunning()).toBe(true);
    view.unmount();
    stop();
    expect(tickerRunning()).toBe(false);
    expect(fake.listenerCount()).toBe(0);
  });
});
