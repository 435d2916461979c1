// @vitest-environment happy-dom
// ops (issue 15) in the whole UI against a fake ConsoleApi: Simulate call opens the call it started, a demo opens a
// live streamed call by itself, the Say composer speaks and holds the bot, Setup shows each check with its fix and
// runs them on demand, and a red check raises a banner and a toast.
import { act, fireEvent, render, screen, waitFor, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import type { HealthCheck, HostHealth } from '../../shared/model';
import { App } from './App';
import type { NotificationsPort } from './features/attention/alerts';
import { AudioBuffers } from './store/audio-buffers';
import { ConsoleProvider } from './store/context';
import { connectStore, createConsoleStore } from './store/store';
import { fakeBridge } from './test/fake-bridge';
import { call, ev, snapshot } from './test/factories';
import { withConsoleDom } from './test/dom';

const notifications: NotificationsPort = { permission: () => 'granted', request: async () => 'granted', show: () => undefined };

function mount(records = {}) {
  const fake = fakeBridge(records);
  const buffers = new AudioBuffers();
  const store = createConsoleStore({ bridge: fake.bridge, buffers, notifications, prefs: { locale: 'en', theme: 'dark', presentation: false, notifications: false } });
  const stop = connectStore(store, fake.bridge);
  render(
    <ConsoleProvider store={store} buffers={buffers}>
      <App store={store} />
    </ConsoleProvider>,
  );
  return { fake, store, stop };
}

const check = (id: HealthCheck['id'], level: HealthCheck['level'], reason: string, fix?: string): HealthCheck => ({ id, level, reason, ...(fix ? { fix } : {}), at: Date.now(), ms: 12 });
const healthWith = (checks: HealthCheck[]): HostHealth => ({ ...snapshot([]).health, tts: { state: 'down', detail: checks[0]!.reason }, checks });

withConsoleDom();

describe('first impression', () => {
  it('Simulate call opens the call it started', async () => {
    const started = call('CA7', { mode: 'gather' });
    const { fake, store } = mount({ CA7: { call: started, events: [] } });
    fake.bridge.simulate.mockResolvedValueOnce({ ok: true, message: 'Simulated gather call CA7', callSid: 'CA7' });
    act(() => fake.push({ kind: 'snapshot', snapshot: snapshot([]) }));
    fireEvent.click(screen.getAllByRole('button', { name: /Simulate call/ })[0]!);
    fireEvent.click(screen.getByRole('menuitem', { name: 'Gather conversation (Korean)' }));
    act(() => fake.push({ kind: 'call', call: started }));
    await waitFor(() => expect(store.getState().selected?.callSid).toBe('CA7'));
    expect(fake.bridge.getCall).toHaveBeenCalledWith('CA7');
  });

  it('a demo opens the first live streamed call by itself, and not again once the operator closed it', async () => {
    const gather = call('CA1', { mode: 'gather', startedAt: 3 });
    const stream = call('CA2', { streamSid: 'MZ2', startedAt: 2 });
    const { fake, store } = mount({ CA2: { call: stream, events: [] } });
    act(() => fake.push({ kind: 'snapshot', snapshot: snapshot([gather, stream]) }));
    await waitFor(() => expect(store.getState().selected?.callSid).toBe('CA2'));
    act(() => store.getState().actions.close());
    act(() => fake.push({ kind: 'call', call: call('CA3', { streamSid: 'MZ3', startedAt: 4 }) }));
    expect(store.getState().selected).toBeNull();
  });
});

describe('Say composer', () => {
  const live = call('CA1', { mode: 'gather' });
  it('types Korean, says it (Enter), clears; a saved phrase is one click', async () => {
    const { fake } = mount({ CA1: { call: live, events: [] } });
    act(() => fake.push({ kind: 'snapshot', snapshot: snapshot([live], { settings: { ...snapshot([]).settings, operatorPhrases: ['잠시만 기다려 주세요.'] } }) }));
    fireEvent.click(screen.getAllByRole('option')[0]!);
    const composer = await screen.findByTestId('say-composer');
    expect(within(composer).getByText(/Twilio <Say>/)).toBeTruthy();
    const box = within(composer).getByRole('textbox');
    fireEvent.change(box, { target: { value: '환불은 7일 이내에 가능합니다.' } });
    fireEvent.keyDown(box, { key: 'Enter' });
    await waitFor(() => expect(fake.bridge.say).toHaveBeenCalledWith('CA1', '환불은 7일 이내에 가능합니다.'));
    await waitFor(() => expect((box as HTMLTextAreaElement).value).toBe(''));
    fireEvent.click(within(composer).getByRole('button', { name: '잠시만 기다려 주세요.' }));
    await waitFor(() => expect(fake.bridge.say).toHaveBeenLastCalledWith('CA1', '잠시만 기다려 주세요.'));
    expect(within(composer).getByRole('button', { name: 'Hold bot' })).toHaveProperty('disabled', true);
  });

  it('on a streamed call: Hold bot, then the held badge and Resume bot from the bot.muted event', async () => {
    const streamed = call('CA2', { streamSid: 'MZ2' });
    const started = ev('CA2', { type: 'stream.started', streamSid: 'MZ2', customParameters: {} });
    const { fake } = mount({ CA2: { call: streamed, events: [started] } });
    act(() => fake.push({ kind: 'snapshot', snapshot: snapshot([streamed], { demo: { enabled: false, autoDemo: false } }) }));
    fireEvent.click(screen.getAllByRole('option')[0]!);
    const composer = await screen.findByTestId('say-composer');
    await within(composer).findByText(/TTS on the stream/);
    fireEvent.click(within(composer).getByRole('button', { name: 'Hold bot' }));
    await waitFor(() => expect(fake.bridge.setBotMuted).toHaveBeenCalledWith('CA2', true));
    act(() => fake.push({ kind: 'event', event: ev('CA2', { type: 'bot.muted', muted: true }) }));
    expect(within(composer).getByText('Bot held')).toBeTruthy();
    fireEvent.click(within(composer).getByRole('button', { name: 'Resume bot' }));
    await waitFor(() => expect(fake.bridge.setBotMuted).toHaveBeenLastCalledWith('CA2', false));
  });

  it('a refusal is a toast in plain words', async () => {
    const streamed = call('CA2', { streamSid: 'MZ2' });
    const { fake } = mount({ CA2: { call: streamed, events: [ev('CA2', { type: 'stream.started', streamSid: 'MZ2', customParameters: {} })] } });
    fake.bridge.say.mockResolvedValueOnce({ ok: false, message: 'Not available on this call', callSid: 'CA2' });
    act(() => fake.push({ kind: 'snapshot', snapshot: snapshot([streamed]) }));
    fireEvent.click(screen.getAllByRole('option')[0]!);
    const box = within(await screen.findByTestId('say-composer')).getByRole('textbox');
    fireEvent.change(box, { target: { value: '안녕하세요' } });
    fireEvent.keyDown(box, { key: 'Enter' });
    await screen.findByText('Failed: Not available on this call');
    expect((box as HTMLTextAreaElement).value).toBe('안녕하세요'); // nothing lost
  });
});

describe('health', () => {
  const red = check('tts', 'red', 'TTS unreachable at http://127.0.0.1:9/jobs: connection refused', 'Start the TTS service or correct TTS_URL');
  const amber = check('connectDid', 'amber', 'Handoffs dial +82…', 'Enable South Korea in Geo Permissions');
  const green = check('s3', 'green', 'Bucket "tts" is readable with these credentials');

  it('a red check: the banner, a toast from the notice, the dot’s reason; Setup shows the fix and runs the checks again', async () => {
    const { fake } = mount();
    act(() => fake.push({ kind: 'snapshot', snapshot: snapshot([], { health: healthWith([red, amber, green]) }) }));
    act(() => fake.push({ kind: 'notice', notice: { id: 'n1', at: 1, level: 'error', source: 'health', message: `${red.reason} — ${red.fix}` } }));
    const banner = screen.getByTestId('health-banner');
    expect(banner.textContent).toContain('1 health check(s) failing');
    await screen.findByText(`${red.reason} — ${red.fix}`);
    expect(screen.getByRole('status', { name: /TTS — down\n.*connection refused/ })).toBeTruthy();
    fireEvent.click(within(banner).getByRole('button', { name: 'Open Setup' }));
    const card = await screen.findByTestId('health-card');
    expect(within(card).getByText('1 failing · 1 to check')).toBeTruthy();
    const tts = card.querySelector('[data-check=tts]')!;
    expect(tts.getAttribute('data-level')).toBe('red');
    expect(tts.textContent).toContain('Start the TTS service or correct TTS_URL');
    expect(card.querySelector('[data-check=s3] .check-fix')).toBeNull();
    fake.setHealth(healthWith([{ ...red, level: 'green', reason: 'TTS answers', fix: undefined }, green]));
    fireEvent.click(within(card).getByRole('button', { name: 'Run checks' }));
    await waitFor(() => expect(card.querySelector('[data-check=tts]')?.getAttribute('data-level')).toBe('green'));
    expect(fake.bridge.runHealthChecks).toHaveBeenCalledTimes(1);
    expect(screen.queryByTestId('health-banner')).toBeNull();
  });
});
