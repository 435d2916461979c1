// The player's data: peaks per column, and the call's moments placed on the recording's timeline.
import { describe, expect, it } from 'vitest';
import type { CallEvent } from '../../../../shared/model';
import { clock, moments, peaks } from './waveform';

let seq = 0;
const ev = (at: number, body: Record<string, unknown>) => ({ callSid: 'CA1', at, seq: ++seq, ...body }) as unknown as CallEvent;

describe('peaks', () => {
  it('takes the loudest sample of each column', () => {
    const audio = new Uint8Array(800).fill(0xff);
    audio[450] = 0x80; // full scale, in the third of four columns
    const p = peaks(audio, 4);
    expect([...p].map((x) => Math.round(x * 100))).toEqual([0, 0, 98, 0]);
    expect(peaks(audio, 0)).toHaveLength(0);
  });
});

describe('moments', () => {
  it('places speech, turns, replies (ended by marks, barge-ins, the next reply), barge-ins and marks', () => {
    const t0 = 10_000;
    const list = moments(
      [
        ev(10_100, { type: 'bot.reply', text: '안녕하세요', via: 'stream', replyId: 'R1', kind: 'greeting' }),
        ev(10_900, { type: 'mark', name: 'R1:part1', outcome: 'played' }),
        ev(11_000, { type: 'caller.speech', state: 'started' }),
        ev(11_050, { type: 'bargein', decision: 'paused', replyId: 'R1', heardMs: 900, replyMs: 3000 }),
        ev(11_600, { type: 'bargein', decision: 'interrupted', replyId: 'R1', heardMs: 900, replyMs: 3000 }),
        ev(11_800, { type: 'caller.speech', state: 'ended', durationMs: 800 }),
        ev(12_400, { type: 'transcript', text: '환불 문의요', source: 'transcription' }),
        ev(12_600, { type: 'bot.reply', text: '상담원입니다', via: 'stream', replyId: 'R2', kind: 'operator' }),
        ev(14_000, { type: 'mark', name: 'R2:end', outcome: 'played' }),
        ev(14_500, { type: 'bot.reply', text: '안녕히 계세요', via: 'stream', replyId: 'R3', kind: 'goodbye' }),
        ev(15_000, { type: 'stream.stopped', streamSid: 'MZ', reason: 'stop' }),
      ],
      t0,
      6000,
    );
    expect(list).toEqual([
      { kind: 'reply', from: 100, to: 1600, text: '안녕하세요', operator: false, replyId: 'R1' },
      { kind: 'mark', at: 900, name: 'R1:part1' },
      { kind: 'bargein', at: 1050, decision: 'paused' },
      { kind: 'bargein', at: 1600, decision: 'interrupted' },
      { kind: 'speech', from: 1000, to: 1800 },
      { kind: 'turn', at: 2400, text: '환불 문의요' },
      { kind: 'reply', from: 2600, to: 4000, text: '상담원입니다', operator: true, replyId: 'R2' },
      { kind: 'mark', at: 4000, name: 'R2:end' },
      { kind: 'reply', from: 4500, to: 5000, text: '안녕히 계세요', operator: false, replyId: 'R3' },
    ]);
  });
  it('clock', () => expect([clock(0), clock(65_400), clock(-5)]).toEqual(['0:00', '1:05', '0:00']));
});
