import { beforeEach, describe, expect, it } from 'vitest';
import { ev, resetSeq } from '../../test/factories';
import { conversationOf } from './timeline';

beforeEach(() => resetSeq());

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

  it('a barge-in marks how much of its reply was heard and shows inline', () => {
    const items = conversationOf([
      ev('CA', { type: 'bot.reply', text: '긴 답변', via: 'stream', replyId: 'r1' }),
      ev('CA', { type: 'bargein', decision: 'interrupted', replyId: 'r1', heardMs: 1400, replyMs: 3200, detectionLatencyMs: 230 }),
      ev('CA', { type: 'tts.job', replyId: 'r1', status: 'cancelled' }),
    ]);
    expect(items[0]).toMatchObject({ kind: 'bot', heardMs: 1400, replyMs: 3200, outcome: 'cancelled' });
    expect(items[1]).toMatchObject({ kind: 'bargein', heardMs: 1400, replyMs: 3200 });
  });

  it('a barge-in without replyId falls back to the last bot line', () => {
    const items = conversationOf([ev('CA', { type: 'bot.reply', text: 'a', via: 'say' }), ev('CA', { type: 'bargein', decision: 'interrupted', heardMs: 10, replyMs: 20, detectionLatencyMs: 5 })]);
    expect(items[0]).toMatchObject({ heardMs: 10 });
  });

  it('TTS failure: on its reply when known, else a system error line', () => {
    const items = conversationOf([
      ev('CA', { type: 'bot.reply', text: 'a', via: 'stream', replyId: 'r1' }),
      ev('CA', { type: 'tts.job', replyId: 'r1', status: 'failed', error: 'HTTP 500' }),
      ev('CA', { type: 'tts.job', replyId: 'r9', status: 'failed', error: 'timeout' }),
    ]);
    expect(items[0]).toMatchObject({ outcome: 'failed', error: 'HTTP 500' });
    expect(items[1]).toMatchObject({ kind: 'system', what: 'error', detail: 'timeout' });
  });

  it('handoff steps, DTMF, stream and end lines inline; routine statuses and measurements left to the log', () => {
    const items = conversationOf([
      ev('CA', { type: 'call.status', status: 'in-progress' }),
      ev('CA', { type: 'stream.started', streamSid: 'MZ1', customParameters: {} }),
      ev('CA', { type: 'dtmf', digit: '0' }),
      ev('CA', { type: 'mark', name: 'p0', outcome: 'played' }),
      ev('CA', { type: 'handoff', status: 'requested', source: 'keyword' }),
      ev('CA', { type: 'handoff', status: 'failed', source: 'keyword', message: 'The caller already hung up', code: 21220 }),
      ev('CA', { type: 'call.status', status: 'no-answer' }),
      ev('CA', { type: 'call.ended', reason: 'completed' }),
    ]);
    expect(items.map((i) => (i.kind === 'system' ? `${i.kind}:${i.what}` : i.kind))).toEqual(['system:stream.started', 'dtmf', 'handoff', 'handoff', 'system:status', 'system:ended']);
    expect(items[3]).toMatchObject({ status: 'failed', code: 21220 });
  });
});
