import { beforeEach, describe, expect, it } from 'vitest';
import type { CallEventBody } from '../../../../shared/model';
import { ev, resetSeq } from '../../test/factories';
import { botMutedOf, conversationOf, type BotItem, type CallerItem } from './timeline';

beforeEach(() => resetSeq());

const run = (...bodies: CallEventBody[]) => conversationOf(bodies.map((b) => ev('CA', b)));
const partial = (text: string, stability?: number): CallEventBody => ({ type: 'transcript.partial', text, stability, scripted: true });
const reply = (replyId: string, patch: Partial<Extract<CallEventBody, { type: 'bot.reply' }>> = {}): CallEventBody => ({ type: 'bot.reply', text: `reply ${replyId}`, via: 'stream', replyId, ...patch });

describe('conversationOf', () => {
  it('caller left, bot right, in order, with confidence and TTFA attached to its reply', () => {
    const items = conversationOf([
      ev('CA', { type: 'prompt', text: '무엇을 도와드릴까요?' }),
      ev('CA', { type: 'transcript', text: '환불 절차를 알고 싶어요', confidence: 0.87, latencyMs: 420, source: 'gather' }),
      ev('CA', { type: 'bot.reply', text: '말씀하신 내용은…', via: 'stream', replyId: 'r1' }),
      ev('CA', { type: 'tts.job', replyId: 'r1', status: 'started' }),
      ev('CA', { type: 'tts.job', replyId: 'r1', status: 'done', firstAudioMs: 312 }),
    ]);
    expect(items.map((i) => i.kind)).toEqual(['bot', 'caller', 'bot']);
    expect(items[0]).toMatchObject({ via: 'prompt' });
    expect(items[1]).toMatchObject({ text: '환불 절차를 알고 싶어요', confidence: 0.87, latencyMs: 420 });
    expect(items[2]).toMatchObject({ replyId: 'r1', ttfaMs: 312 });
  });

  it('a backchannel final (네 while the bot spoke) is no caller turn: it lands on the pause it caused', () => {
    const items = run(
      reply('r1'),
      { type: 'bargein', decision: 'paused', replyId: 'r1', trigger: 'vad', heardMs: 900, replyMs: 3000 },
      partial('네'),
      { type: 'bargein', decision: 'resumed', replyId: 'r1', verdict: 'backchannel', pauseMs: 300, heardMs: 900, replyMs: 3000 },
      { type: 'transcript', text: '네', source: 'transcription', backchannel: true },
    );
    expect(items.map((i) => i.kind)).toEqual(['bot']);
    expect((items[0] as BotItem).pauses).toEqual([expect.objectContaining({ open: false, verdict: 'backchannel', words: '네', pauseMs: 300 })]);
  });

  it('partials grow one provisional caller bubble; the final replaces it in place (same key)', () => {
    const grow = [partial('환불', 0.4), partial('환불 절차를', 0.7)];
    const growing = run(reply('r0', { kind: 'greeting' }), ...grow);
    expect(growing.map((i) => i.kind)).toEqual(['bot', 'caller']);
    expect(growing[1]).toMatchObject({ text: '환불 절차를', provisional: { stability: 0.7 }, scripted: true });
    resetSeq();
    const done = run(reply('r0', { kind: 'greeting' }), ...grow, { type: 'transcript', text: '환불 절차를 알고 싶어요', confidence: 0.91, source: 'transcription', turn: 1, scripted: true });
    expect(done).toHaveLength(2);
    const caller = done[1] as CallerItem;
    expect(caller).toMatchObject({ text: '환불 절차를 알고 싶어요', confidence: 0.91, turn: 1, scripted: true, source: 'transcription' });
    expect(caller.provisional).toBeUndefined();
    expect(caller.key).toBe((growing[1] as CallerItem).key);
  });

  it('the bubble keeps its key when the store has dropped the partial that started it', () => {
    const first = run(partial('카드'));
    resetSeq(5);
    const later = run({ type: 'mark', name: 'm', outcome: 'played' }, partial('카드 결제가'));
    resetSeq(9);
    const done = run({ type: 'mark', name: 'm', outcome: 'played' }, partial('카드 결제가'), { type: 'transcript', text: '카드 결제가 안 돼요', source: 'transcription' });
    expect([first[0].key, later[0].key, done[0].key]).toEqual(['c1', 'c1', 'c1']);
  });

  it.each([
    ['a partial after a final starts a new bubble', [partial('네'), { type: 'transcript', text: '네', source: 'transcription' }, partial('그리고')], ['final:네', 'partial:그리고']],
    ['an empty partial shows nothing', [partial('  ')], []],
    ['a final with no partials is its own bubble', [{ type: 'transcript', text: '안녕하세요', source: 'stream' }], ['final:안녕하세요']],
    ['a partial left when the call ends is shown as last heard, not as listening', [partial('여보세요'), { type: 'call.ended', reason: 'completed' }], ['final:여보세요']],
  ] as Array<[string, CallEventBody[], string[]]>)('%s', (_name, bodies, expected) => {
    const callers = run(...bodies).filter((i): i is CallerItem => i.kind === 'caller');
    expect(callers.map((c) => `${c.provisional ? 'partial' : 'final'}:${c.text}`)).toEqual(expected);
  });

  it('bot bubbles carry their kind and the decision of their turn, whichever came first', () => {
    const items = run(
      reply('r0', { kind: 'greeting' }),
      { type: 'transcript', text: '환불', source: 'transcription', turn: 1 },
      { type: 'bot.decision', turn: 1, decidedBy: 'keyword', ms: 3, action: 'say' },
      reply('r1', { kind: 'answer', turn: 1 }),
      { type: 'transcript', text: '주문', source: 'transcription', turn: 2 },
      reply('r2', { kind: 'apology', turn: 2 }),
      { type: 'bot.decision', turn: 2, decidedBy: 'fallback', ms: 2000, action: 'say', error: 'BOT_URL timed out after 2000 ms' },
      reply('r3', { kind: 'operator' }),
    );
    const bots = items.filter((i): i is BotItem => i.kind === 'bot');
    expect(bots.map((b) => [b.replyKind, b.decision?.decidedBy])).toEqual([
      ['greeting', undefined],
      ['answer', 'keyword'],
      ['apology', 'fallback'],
      ['operator', undefined],
    ]);
    expect(bots[2].decision).toMatchObject({ ms: 2000, error: 'BOT_URL timed out after 2000 ms' });
    expect(items.some((i) => i.kind === 'decision')).toBe(false);
  });

  it('a decision with no reply (hand off, hang up) stays an inline line', () => {
    const items = run({ type: 'transcript', text: '상담원', source: 'transcription', turn: 3 }, { type: 'bot.decision', turn: 3, decidedBy: 'keyword', ms: 1, action: 'handoff' });
    expect(items[1]).toMatchObject({ kind: 'decision', decision: { action: 'handoff', turn: 3 } });
  });

  it('an interruption marks how much of its reply was heard and shows who took the turn inline', () => {
    const items = run(
      reply('r1'),
      { type: 'bargein', decision: 'paused', replyId: 'r1', trigger: 'vad', probability: 0.93, heardMs: 1350, replyMs: 3200 },
      { type: 'bargein', decision: 'interrupted', replyId: 'r1', speechMs: 480, heardMs: 1400, replyMs: 3200, detectionLatencyMs: 230 },
      { type: 'tts.job', replyId: 'r1', status: 'cancelled' },
    );
    expect(items[0]).toMatchObject({ kind: 'bot', interrupted: { heardMs: 1400, replyMs: 3200, speechMs: 480 }, outcome: 'cancelled', pauses: [] });
    expect(items[1]).toMatchObject({ kind: 'bargein', heardMs: 1400, replyMs: 3200, speechMs: 480, detectionLatencyMs: 230 });
  });

  it('a pause then resume is a marker on the reply, never an interruption; a backchannel partial folds into it', () => {
    const items = run(
      reply('r1'),
      { type: 'bargein', decision: 'paused', replyId: 'r1', trigger: 'vad', probability: 0.71, heardMs: 900, replyMs: 3200 },
      partial('네'),
      { type: 'bargein', decision: 'resumed', replyId: 'r1', verdict: 'backchannel', pauseMs: 320, heardMs: 900, replyMs: 3200 },
      { type: 'bargein', decision: 'paused', replyId: 'r1', trigger: 'vad', heardMs: 2000, replyMs: 3200 },
      { type: 'bargein', decision: 'resumed', replyId: 'r1', verdict: 'echo', pauseMs: 140, heardMs: 2000, replyMs: 3200 },
    );
    expect(items.map((i) => i.kind)).toEqual(['bot']);
    const bot = items[0] as BotItem;
    expect(bot.interrupted).toBeUndefined();
    expect(bot.pauses).toMatchObject([
      { open: false, verdict: 'backchannel', pauseMs: 320, words: '네', probability: 0.71 },
      { open: false, verdict: 'echo', pauseMs: 140 },
    ]);
  });

  it('a pause still open shows as open; a pause that became speech keeps the caller bubble', () => {
    const open = run(reply('r1'), { type: 'bargein', decision: 'paused', replyId: 'r1', heardMs: 1, replyMs: 2 });
    expect((open[0] as BotItem).pauses).toMatchObject([{ open: true }]);
    resetSeq();
    const speech = run(reply('r1'), { type: 'bargein', decision: 'paused', replyId: 'r1', heardMs: 1, replyMs: 2 }, partial('잠깐만요'), { type: 'bargein', decision: 'interrupted', replyId: 'r1', heardMs: 1, replyMs: 2 });
    expect(speech.map((i) => i.kind)).toEqual(['bot', 'caller', 'bargein']);
  });

  it('a barge-in without replyId falls back to the last bot line', () => {
    const items = run({ type: 'bot.reply', text: 'a', via: 'say' }, { type: 'bargein', decision: 'interrupted', heardMs: 10, replyMs: 20, detectionLatencyMs: 5 });
    expect(items[0]).toMatchObject({ interrupted: { heardMs: 10 } });
  });

  it('turn latency sits under its reply (by replyId, else by turn), else on its own', () => {
    const latency = (turn: number, replyId?: string): CallEventBody => ({ type: 'turn.latency', turn, replyId, finalAt: 1000, firstFrameAt: 1300 });
    const items = run(reply('r1', { turn: 1 }), latency(1, 'r1'), reply('r2', { turn: 2 }), latency(2), latency(9));
    expect(items.map((i) => i.kind)).toEqual(['bot', 'bot', 'latency']);
    expect((items[0] as BotItem).latency?.turn).toBe(1);
    expect((items[1] as BotItem).latency?.turn).toBe(2);
  });

  it('transcription status, bot hold and transcription/bot errors are quiet lines (one line per transcription error)', () => {
    const items = run(
      { type: 'transcription', status: 'started', name: 'fd-CA' },
      { type: 'bot.muted', muted: true },
      { type: 'transcription', status: 'error', message: 'Engine unavailable', code: '32650' },
      { type: 'alert', alert: { kind: 'transcription_error', at: 1, message: 'Engine unavailable' } },
      { type: 'alert', alert: { kind: 'bot_error', at: 2, message: 'BOT_URL answered 500' } },
      { type: 'alert', alert: { kind: 'underrun', at: 3, message: 'x' } },
    );
    expect(items.map((i) => (i.kind === 'system' ? `${i.what}:${i.status ?? i.alertKind}` : i.kind))).toEqual(['transcription:started', 'muted:on', 'transcription:error', 'alert:bot_error']);
  });

  it('a bot error the fallback explains under its reply gets no second line', () => {
    const items = run(
      { type: 'bot.decision', turn: 2, decidedBy: 'fallback', ms: 2000, action: 'say', error: 'BOT_URL timed out after 2000 ms' },
      { type: 'alert', alert: { kind: 'bot_error', at: 1, message: 'BOT_URL timed out after 2000 ms' } },
      reply('r2', { kind: 'apology', turn: 2 }),
    );
    expect(items.map((i) => i.kind)).toEqual(['bot']);
  });

  it('TTS failure: on its reply when known, else a system error line', () => {
    const items = run(reply('r1'), { type: 'tts.job', replyId: 'r1', status: 'failed', error: 'HTTP 500' }, { type: 'tts.job', replyId: 'r9', status: 'failed', error: 'timeout' });
    expect(items[0]).toMatchObject({ outcome: 'failed', error: 'HTTP 500' });
    expect(items[1]).toMatchObject({ kind: 'system', what: 'error', detail: 'timeout' });
  });

  it('handoff steps, DTMF, stream and end lines inline; routine statuses and measurements left to the log', () => {
    const items = run(
      { type: 'call.status', status: 'in-progress' },
      { type: 'stream.started', streamSid: 'MZ1', customParameters: {} },
      { type: 'dtmf', digit: '0' },
      { type: 'mark', name: 'p0', outcome: 'played' },
      { type: 'handoff', status: 'requested', source: 'keyword' },
      { type: 'handoff', status: 'failed', source: 'keyword', message: 'The caller already hung up', code: 21220 },
      { type: 'call.status', status: 'no-answer' },
      { type: 'call.ended', reason: 'completed' },
    );
    expect(items.map((i) => (i.kind === 'system' ? `${i.kind}:${i.what}` : i.kind))).toEqual(['system:stream.started', 'dtmf', 'handoff', 'handoff', 'system:status', 'system:ended']);
    expect(items[3]).toMatchObject({ status: 'failed', code: 21220 });
  });
});

describe('botMutedOf', () => {
  it.each([
    [[], false],
    [[{ type: 'bot.muted', muted: true }], true],
    [[{ type: 'bot.muted', muted: true }, { type: 'dtmf', digit: '1' }], true],
    [[{ type: 'bot.muted', muted: true }, { type: 'bot.muted', muted: false }], false],
  ] as Array<[CallEventBody[], boolean]>)('%j → %s', (bodies, muted) => {
    expect(botMutedOf(bodies.map((b) => ev('CA', b)))).toBe(muted);
  });
});
