// @vitest-environment happy-dom
// The streamed conversation as an operator sees it, driven through the whole UI by a fake ConsoleApi: the same
// behaviour e2e/conversation.spec.ts checks against the real host and demo (partials grow, the final replaces
// them, the bot answers), plus the barge-in decisions, the latency waterfall, the bot's hold and host notices.
import { act, fireEvent, render, screen, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import type { CallEventBody } from '../../../../shared/model';
import { App } from '../../App';
import type { NotificationsPort } from '../attention/alerts';
import { AudioBuffers } from '../../store/audio-buffers';
import { ConsoleProvider } from '../../store/context';
import type { Prefs } from '../../store/prefs';
import { connectStore, createConsoleStore } from '../../store/store';
import { fakeBridge } from '../../test/fake-bridge';
import { call, ev, snapshot } from '../../test/factories';
import { withConsoleDom } from '../../test/dom';

const notifications: NotificationsPort = { permission: () => 'granted', request: async () => 'granted', show: () => undefined };
const live = call('CA1', { startedAt: Date.now() - 20_000, state: 'bot_speaking', mode: 'stream', streamSid: 'MZ1' });

async function openCall(prefs: Partial<Prefs> = {}) {
  const fake = fakeBridge({ CA1: { call: live, events: [] } });
  const buffers = new AudioBuffers();
  const store = createConsoleStore({ bridge: fake.bridge, buffers, notifications, prefs: { locale: 'en', theme: 'dark', presentation: false, notifications: false, ...prefs } });
  connectStore(store, fake.bridge);
  render(
    <ConsoleProvider store={store} buffers={buffers}>
      <App store={store} />
    </ConsoleProvider>,
  );
  act(() => fake.push({ kind: 'snapshot', snapshot: snapshot([live]) }));
  fireEvent.click(screen.getAllByRole('option')[0]);
  const conversation = await screen.findByRole('region', { name: prefs.locale === 'ko' ? '대화' : 'Conversation' });
  // wait until the record has loaded (live events then go straight to the timeline)
  await act(async () => undefined);
  const push = (...bodies: CallEventBody[]) => act(() => bodies.forEach((b) => fake.push({ kind: 'event', event: ev('CA1', b) })));
  return { fake, store, conversation, push };
}

withConsoleDom();

const callerBubbles = (root: HTMLElement) => Array.from(root.querySelectorAll<HTMLElement>('[data-kind=caller]'));

describe('the streamed conversation', () => {
  it('partials appear as the caller speaks, then the final replaces them, then the bot answers', async () => {
    const { conversation, push, store } = await openCall();
    push({ type: 'bot.reply', text: '안녕하세요, 무엇을 도와드릴까요?', via: 'stream', replyId: 'r0', kind: 'greeting' });
    push({ type: 'transcript.partial', text: '환불', stability: 0.42, scripted: true });
    let bubbles = callerBubbles(conversation);
    expect(bubbles).toHaveLength(1);
    expect(bubbles[0].dataset.state).toBe('partial');
    expect(within(bubbles[0]).getByText('listening…')).toBeTruthy();
    expect(within(bubbles[0]).getByText('stability 0.42')).toBeTruthy();
    expect(within(bubbles[0]).getByText('scripted')).toBeTruthy();

    const node = bubbles[0];
    push({ type: 'transcript.partial', text: '환불 절차를', stability: 0.7, scripted: true });
    bubbles = callerBubbles(conversation);
    expect(bubbles).toHaveLength(1);
    // the same element grows: nothing is remounted as the words come
    expect(bubbles[0]).toBe(node);
    expect(bubbles[0].querySelector('.bubble')?.textContent).toBe('환불 절차를');
    // only the latest partial is in the store
    expect(store.getState().selected?.events.filter((e) => e.type === 'transcript.partial')).toHaveLength(1);

    push({ type: 'transcript', text: '환불 절차를 알고 싶어요', confidence: 0.91, source: 'transcription', turn: 1, scripted: true });
    bubbles = callerBubbles(conversation);
    expect(bubbles).toHaveLength(1);
    expect(bubbles[0]).toBe(node);
    expect(bubbles[0].dataset.state).toBe('final');
    expect(within(bubbles[0]).queryByText('listening…')).toBeNull();
    expect(within(bubbles[0]).getByText('환불 절차를 알고 싶어요')).toBeTruthy();
    expect(within(bubbles[0]).getByText('0.91')).toBeTruthy();
    expect(within(bubbles[0]).getByText('scripted')).toBeTruthy();

    push(
      { type: 'bot.decision', turn: 1, decidedBy: 'echo', ms: 4, action: 'say' },
      { type: 'bot.reply', text: '환불 절차를 알고 싶어요, 라고 말씀하셨어요.', via: 'stream', replyId: 'r1', turn: 1, kind: 'answer' },
    );
    const answer = conversation.querySelector<HTMLElement>('[data-kind=bot][data-reply-kind=answer]')!;
    expect(answer).toBeTruthy();
    expect(within(answer).getByText('answer')).toBeTruthy();
    expect(within(answer).getByText('decided by echo in 4 ms')).toBeTruthy();
    const order = Array.from(conversation.querySelectorAll<HTMLElement>('[data-kind=caller],[data-kind=bot]')).map((el) => el.dataset.kind);
    expect(order).toEqual(['bot', 'caller', 'bot']);
  });

  it('a paused and resumed reply shows a marker; an interrupted one how much was heard', async () => {
    const { conversation, push } = await openCall();
    push(
      { type: 'bot.reply', text: '환불은 구매 후 7일 이내에 가능합니다.', via: 'stream', replyId: 'r1', turn: 1, kind: 'answer' },
      { type: 'bargein', decision: 'paused', replyId: 'r1', trigger: 'vad', probability: 0.64, heardMs: 900, replyMs: 3200 },
    );
    expect(within(conversation).getByText(/paused — listening…/)).toBeTruthy();
    push({ type: 'transcript.partial', text: '네' }, { type: 'bargein', decision: 'resumed', replyId: 'r1', verdict: 'backchannel', pauseMs: 320, heardMs: 900, replyMs: 3200 });
    const mark = within(conversation).getByTestId('pause');
    expect(mark.dataset.verdict).toBe('backchannel');
    expect(mark.textContent).toBe('paused 320 ms — backchannel 네');
    // the backchannel is not a caller turn, and nothing says "interrupted"
    expect(callerBubbles(conversation)).toHaveLength(0);
    expect(within(conversation).queryByText(/Interrupted/)).toBeNull();

    push(
      { type: 'bot.reply', text: '주문 번호를 알려주시겠어요?', via: 'stream', replyId: 'r2', turn: 2, kind: 'answer' },
      { type: 'bargein', decision: 'paused', replyId: 'r2', trigger: 'vad', heardMs: 1350, replyMs: 3200 },
      { type: 'bargein', decision: 'interrupted', replyId: 'r2', trigger: 'vad', speechMs: 480, heardMs: 1400, replyMs: 3200, detectionLatencyMs: 190 },
    );
    const cut = conversation.querySelector<HTMLElement>('[data-interrupted=true]')!;
    expect(within(cut).getByTestId('heard').textContent).toBe('Interrupted — heard 1.4 s of 3.2 s');
    expect((cut.querySelector('.heard-bar') as HTMLElement).style.width).toBe('44%');
    expect(within(cut).queryByTestId('pause')).toBeNull();
    expect(within(conversation).getByText(/Caller interrupted/).textContent).toContain('spoke 480 ms');
  });

  it('each turn has a latency waterfall with the ms between steps, missing steps as —', async () => {
    const { conversation, push } = await openCall();
    push(
      { type: 'bot.reply', text: '네, 알겠습니다.', via: 'stream', replyId: 'r1', turn: 1, kind: 'answer' },
      { type: 'turn.latency', turn: 1, replyId: 'r1', callerStoppedAt: 10_000, finalAt: 10_640, decidedAt: 10_652, firstFrameAt: 10_965, heardAt: 11_145 },
    );
    const w = within(conversation).getByTestId('latency');
    const steps = Array.from(w.querySelectorAll('.wf-step')).map((li) => li.textContent);
    expect(steps).toEqual(['\u00a0stopped', '+640 msfinal', '+12 msdecision', '—TTS job', '+313 msfirst frame', '+180 msheard']);
    expect(within(w).getByText('1.1 s total')).toBeTruthy();
    expect(w.querySelectorAll('.wf-seg')).toHaveLength(4);
  });

  it('operator speech is labelled operator, the fallback says why in plain words, the hold shows on the header', async () => {
    const { conversation, push } = await openCall();
    push({ type: 'bot.muted', muted: true });
    expect(screen.getByTestId('bot-muted').textContent).toBe('Bot on hold');
    expect(within(conversation).getByText('Operator put the bot on hold')).toBeTruthy();
    push(
      { type: 'bot.reply', text: '잠시만 기다려 주세요.', via: 'stream', replyId: 'op1', kind: 'operator' },
      { type: 'bot.muted', muted: false },
      { type: 'bot.decision', turn: 2, decidedBy: 'fallback', ms: 2000, action: 'say', error: 'BOT_URL timed out after 2000 ms' },
      { type: 'bot.reply', text: '죄송합니다. 다시 말씀해 주시겠어요?', via: 'stream', replyId: 'r2', turn: 2, kind: 'apology' },
    );
    expect(screen.queryByTestId('bot-muted')).toBeNull();
    const op = conversation.querySelector<HTMLElement>('[data-reply-kind=operator]')!;
    expect(within(op).getByText('Operator')).toBeTruthy();
    const apology = conversation.querySelector<HTMLElement>('[data-reply-kind=apology]')!;
    expect(within(apology).getByText('The bot did not answer (BOT_URL timed out after 2000 ms), so the fallback replied.')).toBeTruthy();
  });

  it('transcription status and errors are lines in the conversation, alerts on the header; Korean too', async () => {
    const { conversation, push, fake } = await openCall({ locale: 'ko' });
    push({ type: 'transcription', status: 'started', name: 'fd-CA1' }, { type: 'transcription', status: 'error', message: 'Engine unavailable', code: '32650' });
    expect(within(conversation).getByText('실시간 음성 인식 시작')).toBeTruthy();
    expect(within(conversation).getByText('실시간 음성 인식 실패: Engine unavailable (32650)')).toBeTruthy();
    act(() => fake.push({ kind: 'call', call: { ...live, alerts: [{ kind: 'transcription_error', at: 5, message: 'Engine unavailable' }] } }));
    expect(screen.getByRole('list', { name: '확인 필요' }).textContent).toContain('음성 인식 오류 — Engine unavailable');
  });

  it('a host notice appears as a toast once', async () => {
    const { fake } = await openCall();
    const notice = { id: 'n1', at: Date.now(), level: 'warn' as const, source: 'media' as const, message: 'Refused a media stream without a valid grant' };
    act(() => fake.push({ kind: 'notice', notice }));
    const once = screen.getAllByText(/Refused a media stream without a valid grant/).length;
    expect(screen.getByText('Media server: Refused a media stream without a valid grant')).toBeTruthy();
    act(() => fake.push({ kind: 'notice', notice }));
    expect(screen.getAllByText(/Refused a media stream without a valid grant/)).toHaveLength(once);
  });
});
