// The streamed conversation in Chromium.
// 1. Against the real headless host and its demo (needs the demo that posts Real-Time Transcription events,
//    issue 11 item 8): a simulated streamed call shows a caller bubble that grows as the scripted caller speaks,
//    the final transcript replaces it in place, then the bot answers.
// 2. With a synthetic ConsoleApi where the Electron preload puts the real one (window.frontDoor): a scripted
//    streamed call with every kind of turn (partial → final, a paused/resumed reply, an interrupted reply, a
//    fallback, the per-turn latency waterfall) — checked, and photographed for docs/ui.md.
import { mkdirSync } from 'node:fs';
import type { Page } from '@playwright/test';
import type { ConsoleMessage } from '../src/shared/api';
import type { Call, CallEvent, CallEventBody, CallRecord, PacingWindow, Snapshot, TtsPart } from '../src/shared/model';
import { call as makeCall, snapshot as makeSnapshot } from '../src/renderer/src/test/factories';
import { expect, test } from './fixtures';

const SHOTS = 'test-results/screenshots';

async function shot(page: Page, name: string, selector?: string): Promise<void> {
  mkdirSync(SHOTS, { recursive: true });
  const style = '.toasts, .jump { display: none !important; } .caret { visibility: visible !important; animation: none !important; }';
  if (selector) await page.locator(selector).first().screenshot({ path: `${SHOTS}/${name}.png`, style });
  else await page.screenshot({ path: `${SHOTS}/${name}.png`, style });
}

const conversation = (page: Page) => page.getByRole('region', { name: 'Conversation' });

test('partials appear as the caller speaks, then the final, then the bot answers (real host + demo)', async ({ page, host }) => {
  await page.addInitScript(() => localStorage.setItem('frontdoor.prefs.v1', JSON.stringify({ locale: 'en', theme: 'dark', presentation: false })));
  await page.goto(host.consoleUrl);
  await page.locator('.rail').getByRole('button', { name: /Simulate call/ }).click();
  await page.getByRole('menuitem', { name: 'Streamed reply' }).click();
  const row = page.locator('.rail').getByRole('listbox').getByRole('option').first();
  await row.click();
  await expect(conversation(page)).toBeVisible();
  // record every text the growing bubble shows, and which DOM node showed it (the final must replace it in place)
  await page.evaluate(() => {
    const w = window as unknown as { __partials: Array<{ id: number; text: string }> };
    w.__partials = [];
    let next = 0;
    const ids = new WeakMap<Element, number>();
    const root = document.querySelector('.conv-scroll')!;
    const look = () => {
      for (const el of root.querySelectorAll('[data-kind=caller][data-state=partial]')) {
        if (!ids.has(el)) ids.set(el, ++next);
        // only when it changes: setting an attribute is itself a mutation this observer would see again
        const id = String(ids.get(el));
        if ((el as HTMLElement).dataset.e2eId !== id) (el as HTMLElement).dataset.e2eId = id;
        const text = el.querySelector('.bubble')?.textContent ?? '';
        const last = w.__partials[w.__partials.length - 1];
        if (!last || last.text !== text || last.id !== ids.get(el)) w.__partials.push({ id: ids.get(el)!, text });
      }
    };
    look();
    new MutationObserver(look).observe(root, { subtree: true, childList: true, characterData: true, attributeFilter: ['data-state'] });
  });
  const partials = () => page.evaluate(() => (window as unknown as { __partials: Array<{ id: number; text: string }> }).__partials);

  // a provisional caller bubble appears and grows while the scripted caller talks
  const growing = conversation(page).locator('[data-kind=caller][data-state=partial]');
  await expect(growing.first()).toBeVisible({ timeout: 30_000 });
  await expect(growing.first()).toContainText('listening…');
  await expect(growing.first()).toContainText('scripted');
  await expect.poll(async () => new Set((await partials()).map((p) => p.text)).size, { timeout: 30_000 }).toBeGreaterThan(1);
  const seen = await partials();
  const first = seen.filter((p) => p.id === seen[0].id);
  expect(first[first.length - 1].text.length, JSON.stringify(seen)).toBeGreaterThan(first[0].text.length);

  // the final transcript replaces that bubble (same node, no longer provisional), then the bot answers it
  const replaced = conversation(page).locator(`[data-kind=caller][data-e2e-id="${seen[0].id}"]`);
  await expect(replaced).toHaveAttribute('data-state', 'final', { timeout: 30_000 });
  await expect(replaced).not.toContainText('listening…');
  const finalText = ((await replaced.locator('.bubble').textContent()) ?? '').trim();
  expect(finalText.length).toBeGreaterThanOrEqual(first[first.length - 1].text.trim().length);
  await expect(conversation(page).locator(`[data-kind=caller][data-e2e-id="${seen[0].id}"] ~ [data-kind=bot]`).first()).toBeVisible({ timeout: 30_000 });
  await shot(page, 'conversation-demo');
});

// ── the synthetic streamed call ──────────────────────────────────────────────────────────────────────────────

interface Scripted {
  snapshot: Snapshot;
  records: Record<string, CallRecord>;
  /** Pushed by the test, one by one, after the call is open. */
  later: ConsoleMessage[];
}

function scriptedCall(now: number): Scripted {
  const sid = 'CAstream0001';
  const t0 = now - 26_000;
  let seq = 100;
  const events: CallEvent[] = [];
  const at = (ms: number, body: CallEventBody) => events.push({ ...body, callSid: sid, at: t0 + ms, seq: ++seq } as CallEvent);
  const streamSid = 'MZstream0001';

  /** A TTS reply: job, parts landing in S3, paced frames with marks; `cutAt` stops playback there. */
  const speak = (replyId: string, startMs: number, audioMs: number, firstAudioMs: number, cutAt?: number, pauses: Array<[number, number]> = []) => {
    const jobId = `job-${replyId}`;
    at(startMs + 4, { type: 'tts.job', replyId, status: 'started', jobId });
    const partMs = 800;
    const end = cutAt ?? startMs + firstAudioMs + audioMs + pauses.reduce((n, [, d]) => n + d, 0);
    for (let n = 0; n * partMs < audioMs; n++) {
      const seenAt = t0 + startMs + firstAudioMs - 40 + n * 240;
      const first = t0 + startMs + firstAudioMs + n * partMs;
      if (cutAt !== undefined && first - t0 > cutAt) break;
      const part: TtsPart = { replyId, jobId, part: n, key: `tts/${jobId}/part${n}.wav`, bytes: 6400, audioMs: Math.min(partMs, audioMs - n * partMs), landedAt: seenAt - 60, seenAt, firstFrameAt: first, lastFrameAt: Math.min(first + partMs, t0 + end), flags: [] };
      at(seenAt - t0, { type: 'tts.part', part });
    }
    for (let w = startMs + firstAudioMs; w < end; w += 200) {
      const paused = pauses.some(([p, d]) => w >= p && w < p + d);
      const samples: Array<[number, number]> = paused ? [] : Array.from({ length: 10 }, (_, k) => [t0 + w + k * 20, Math.round(((k * 7 + w) % 5) * 0.6 * 10) / 10]);
      const window: PacingWindow = { streamSid, from: t0 + w, to: t0 + w + 200, frames: samples.length, samples, latenessP50: 0.8, latenessP99: 2.6, latenessMax: 3.1, leadMs: paused ? 0 : 120, underruns: 0, marksSent: paused ? 0 : 1, marksPlayed: paused ? 0 : 1, marksCleared: 0 };
      at(w + 200, { type: 'pacing', window });
    }
    if (cutAt === undefined) at(end + 30, { type: 'tts.job', replyId, status: 'done', jobId, firstAudioMs });
    else at(cutAt + 20, { type: 'tts.job', replyId, status: 'cancelled', jobId, firstAudioMs });
  };
  const caller = (fromMs: number, words: string[], finalText: string, finalMs: number, turn: number, confidence: number) => {
    words.forEach((w, i) => at(fromMs + i * 380, { type: 'transcript.partial', text: w, stability: Math.min(0.9, 0.35 + i * 0.18), sequenceId: turn * 10 + i, scripted: true }));
    at(finalMs, { type: 'transcript', text: finalText, confidence, source: 'transcription', turn, scripted: true });
  };

  at(0, { type: 'call.started', from: '+821055501234', to: '+827055500100', fromMasked: '+82 ••••••1234', toMasked: '+82 ••••••0100', mode: 'stream', simulated: true });
  at(40, { type: 'call.status', status: 'in-progress' });
  at(160, { type: 'stream.started', streamSid, customParameters: {} });
  at(170, { type: 'transcription', status: 'started', name: `fd-${sid}` });
  at(200, { type: 'bot.reply', text: '안녕하세요, Front Door 고객센터입니다. 무엇을 도와드릴까요?', via: 'stream', replyId: 'r0', kind: 'greeting' });
  speak('r0', 200, 3000, 290);
  // turn 1: partial → final → the bot's answer, with a backchannel (네) while it speaks: paused, then resumed
  caller(4000, ['환불', '환불 절차를', '환불 절차를 알고'], '환불 절차를 알고 싶어요', 5850, 1, 0.91);
  at(5862, { type: 'bot.decision', turn: 1, decidedBy: 'bot_url', ms: 184, action: 'say' });
  at(6036, { type: 'bot.reply', text: '환불은 구매일로부터 7일 이내에 앱의 주문 내역에서 신청하실 수 있습니다. 영수증 번호를 준비해 주세요.', via: 'stream', replyId: 'r1', turn: 1, kind: 'answer' });
  speak('r1', 6036, 4400, 314, undefined, [[7400, 320]]);
  at(6530, { type: 'turn.latency', turn: 1, replyId: 'r1', callerStoppedAt: t0 + 5200, finalAt: t0 + 5850, decidedAt: t0 + 6034, ttsJobAt: t0 + 6040, firstFrameAt: t0 + 6350, heardAt: t0 + 6530 });
  at(7400, { type: 'bargein', decision: 'paused', replyId: 'r1', trigger: 'vad', probability: 0.68, heardMs: 1050, replyMs: 4400 });
  at(7410, { type: 'clear', reason: 'barge-in pause' });
  at(7520, { type: 'transcript.partial', text: '네', stability: 0.4, sequenceId: 15, scripted: true });
  at(7720, { type: 'bargein', decision: 'resumed', replyId: 'r1', verdict: 'backchannel', pauseMs: 320, heardMs: 1050, replyMs: 4400 });
  // turn 2: answered, then the caller interrupts it for real
  caller(11900, ['주문', '주문 번호는', '주문 번호는 어디서'], '주문 번호는 어디서 확인하나요?', 13500, 2, 0.88);
  at(13598, { type: 'bot.decision', turn: 2, decidedBy: 'bot_url', ms: 96, action: 'say' });
  at(13700, { type: 'bot.reply', text: '주문 번호는 앱 첫 화면의 ‘주문 내역’에서 확인하실 수 있고, 결제 완료 문자로도 보내 드렸습니다. 확인이 어려우시면 상담원을 연결해 드릴까요?', via: 'stream', replyId: 'r2', turn: 2, kind: 'answer' });
  at(14300, { type: 'turn.latency', turn: 2, replyId: 'r2', callerStoppedAt: t0 + 12900, finalAt: t0 + 13500, decidedAt: t0 + 13596, ttsJobAt: t0 + 13704, firstFrameAt: t0 + 14010, heardAt: t0 + 14190 });
  speak('r2', 13700, 6800, 310, 15720);
  at(15230, { type: 'bargein', decision: 'paused', replyId: 'r2', trigger: 'vad', probability: 0.97, heardMs: 1220, replyMs: 6800 });
  caller(15300, ['잠깐만요', '잠깐만요 그럼', '잠깐만요 그럼 배송비도'], '잠깐만요, 그럼 배송비도 환불되나요?', 17300, 3, 0.86);
  // the interruption lands between the partials, as the host decides it
  at(15720, { type: 'bargein', decision: 'interrupted', replyId: 'r2', trigger: 'vad', speechMs: 480, heardMs: 1400, replyMs: 6800, detectionLatencyMs: 190 });
  // turn 3: the pilot's bot is slow: the fallback apologises
  at(19310, { type: 'bot.decision', turn: 3, decidedBy: 'fallback', ms: 2000, action: 'say', error: 'BOT_URL timed out after 2000 ms' });
  at(19320, { type: 'alert', alert: { kind: 'bot_error', at: t0 + 19310, message: 'BOT_URL timed out after 2000 ms' } });
  at(19330, { type: 'bot.reply', text: '죄송합니다, 확인에 시간이 걸리고 있어요. 배송비 환불은 상품 하자인 경우에 가능합니다.', via: 'stream', replyId: 'r3', turn: 3, kind: 'apology' });
  speak('r3', 19330, 3600, 300);
  at(19810, { type: 'turn.latency', turn: 3, replyId: 'r3', callerStoppedAt: t0 + 16800, finalAt: t0 + 17300, decidedAt: t0 + 19310, ttsJobAt: t0 + 19334, firstFrameAt: t0 + 19630, heardAt: t0 + 19810 });
  events.sort((a, b) => a.at - b.at);
  events.forEach((e, i) => (e.seq = 101 + i));

  const call: Call = makeCall(sid, { state: 'caller_speaking', startedAt: t0, streamSid, lastTranscript: '잠깐만요, 그럼 배송비도 환불되나요?' });
  const others: Call[] = [
    { ...call, callSid: 'CAagent0002', from: '+821055505678', fromMasked: '+82 ••••••5678', state: 'with_agent', startedAt: now - 140_000, lastTranscript: '상담원 연결해 주세요', handoff: { status: 'connected', source: 'keyword', at: now - 90_000 } },
    { ...call, callSid: 'CAended0003', from: '+821055508888', fromMasked: '+82 ••••••8888', state: 'ended', startedAt: now - 400_000, endedAt: now - 280_000, endReason: 'completed', lastTranscript: '감사합니다' },
  ];
  const later: ConsoleMessage[] = [];
  let liveSeq = 1000;
  const push = (body: CallEventBody, ms: number) => later.push({ kind: 'event', event: { ...body, callSid: sid, at: now + ms, seq: ++liveSeq } as CallEvent });
  // turn 4 in progress: the caller is still speaking
  push({ type: 'transcript.partial', text: '그러면', stability: 0.38, scripted: true }, 100);
  push({ type: 'transcript.partial', text: '그러면 영수증은', stability: 0.55, scripted: true }, 500);
  push({ type: 'transcript.partial', text: '그러면 영수증은 어디서 받아요', stability: 0.71, scripted: true }, 900);
  return {
    snapshot: makeSnapshot([call, ...others]),
    records: { [sid]: { call, events } },
    later,
  };
}

/** Runs in the page before the app: a ConsoleApi that serves the scripted call; window.__fd.push sends more. */
function installScriptedHost(data: { snapshot: Snapshot; records: Record<string, CallRecord> }) {
  const listeners = new Set<(m: unknown) => void>();
  const ok = async () => ({ ok: true, message: 'ok' });
  (window as unknown as { __fd: unknown }).__fd = { push: (m: unknown) => listeners.forEach((l) => l(m)) };
  const api: Record<string, unknown> = {
    subscribe(listener: (m: unknown) => void) {
      listeners.add(listener);
      listener({ kind: 'snapshot', snapshot: data.snapshot });
      return () => listeners.delete(listener);
    },
    getCall: async (callSid: string) => data.records[callSid] ?? null,
    listHistory: async () => [],
    exportCall: async () => null,
  };
  // the commands are not used here: they all answer ok (say / setBotMuted / runHealthChecks: the ops helper's)
  for (const command of ['handoff', 'hangup', 'simulate', 'setAutoDemo', 'say', 'setBotMuted']) api[command] = ok;
  api.runHealthChecks = async () => data.snapshot.health;
  (window as unknown as { frontDoor: unknown }).frontDoor = api;
}

test('a streamed call reads as a conversation: partial → final, paused, interrupted, latency (synthetic host)', async ({ page, host }) => {
  const data = scriptedCall(Date.now());
  await page.setViewportSize({ width: 1440, height: 960 });
  await page.addInitScript(() => localStorage.setItem('frontdoor.prefs.v1', JSON.stringify({ locale: 'en', theme: 'dark', presentation: false })));
  await page.addInitScript(installScriptedHost, { snapshot: data.snapshot, records: data.records });
  await page.goto(host.consoleUrl);
  await page.locator('.rail').getByRole('listbox').getByRole('option').first().click();
  const conv = conversation(page);
  await expect(conv.locator('[data-kind=caller][data-state=final]')).toHaveCount(3);

  // the backchannel paused the answer and it went on: a marker, not an interruption
  const answer1 = conv.locator('[data-kind=bot][data-reply-kind=answer]').first();
  await expect(answer1.getByTestId('pause')).toHaveText('paused 320 ms — backchannel 네');
  await expect(answer1).not.toHaveAttribute('data-interrupted', 'true');
  await expect(answer1.getByTestId('decision')).toHaveText('decided by bot in 184 ms');
  await expect(answer1.getByTestId('latency').locator('.wf-total')).toHaveText('1.3 s total');
  // the second answer was interrupted for real
  const answer2 = conv.locator('[data-kind=bot][data-interrupted=true]');
  await expect(answer2.getByTestId('heard')).toHaveText('Interrupted — heard 1.4 s of 6.8 s');
  await expect(conv.locator('[data-kind=bargein]')).toContainText('spoke 480 ms');
  // the fallback said why
  await expect(conv.locator('[data-kind=bot][data-reply-kind=apology]')).toContainText('The bot did not answer (BOT_URL timed out after 2000 ms)');

  // the caller speaks again: one growing bubble, replaced by the final
  const push = (m: ConsoleMessage) => page.evaluate((msg) => (window as unknown as { __fd: { push(m: unknown): void } }).__fd.push(msg), m);
  const growing = conv.locator('[data-kind=caller][data-state=partial]');
  for (const m of data.later) {
    await push(m);
    const text = m.kind === 'event' && m.event.type === 'transcript.partial' ? m.event.text : '';
    await expect(growing).toHaveCount(1);
    await expect(growing.locator('.bubble')).toHaveText(text);
  }
  await expect(growing).toContainText('listening…');
  await page.waitForTimeout(600); // let the charts draw their next frame before the picture
  await shot(page, 'conversation-stream-dark');
  await shot(page, 'conversation-panel', '.conversation');
  await conv.locator('.conv-scroll').evaluate((el) => (el.scrollTop = 0));
  await page.waitForTimeout(200);
  await shot(page, 'conversation-panel-top', '.conversation');
  await shot(page, 'conversation-paused', '[data-kind=bot][data-reply-kind=answer] >> nth=0');
  await shot(page, 'conversation-interrupted', '[data-kind=bot][data-interrupted=true]');

  const seq = 2000;
  await push({ kind: 'event', event: { type: 'transcript', text: '그러면 영수증은 어디서 받아요?', confidence: 0.9, source: 'transcription', turn: 4, scripted: true, callSid: 'CAstream0001', at: Date.now(), seq } });
  await expect(growing).toHaveCount(0);
  await expect(conv.locator('[data-kind=caller][data-state=final]').last()).toHaveText(/그러면 영수증은 어디서 받아요\?/);

  await page.getByRole('button', { name: 'Light theme' }).click();
  await page.getByRole('button', { name: '한국어' }).click();
  await expect(page.getByRole('region', { name: '대화' })).toBeVisible();
  const jump = page.getByRole('button', { name: /최신으로 이동/ });
  if (await jump.isVisible()) await jump.click();
  await page.waitForTimeout(400);
  await shot(page, 'conversation-stream-light-ko');
});
