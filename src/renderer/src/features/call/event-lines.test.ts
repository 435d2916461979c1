import { beforeEach, describe, expect, it } from 'vitest';
import type { CallEventBody } from '../../../../shared/model';
import { ev, pacingWindow, part, resetSeq } from '../../test/factories';
import { eventLines, filterLines, EVENT_GROUPS } from './event-lines';

beforeEach(() => resetSeq());

describe('eventLines', () => {
  it('one line per event with its group, parts timed from their reply start', () => {
    const lines = eventLines([
      ev('CA', { type: 'tts.job', replyId: 'r1', status: 'started', jobId: 'j1' }, 1000),
      ev('CA', { type: 'tts.part', part: part('r1', 0, { seenAt: 1312 }) }, 1312),
      ev('CA', { type: 'mark', name: 'part0', outcome: 'played' }, 1900),
      ev('CA', { type: 'handoff', status: 'failed', source: 'operator', code: 21220, message: 'gone' }, 2000),
    ]);
    expect(lines.map((l) => [l.group, l.type, l.bad])).toEqual([
      ['tts', 'tts.job', false],
      ['tts', 'tts.part', false],
      ['media', 'mark', false],
      ['handoff', 'handoff', true],
    ]);
    expect(lines[1].text).toMatch(/^part0 \+312 ms/);
    expect(lines[3].text).toContain('Twilio 21220');
  });

  it('flags underrun windows and errors as bad', () => {
    const lines = eventLines([ev('CA', { type: 'pacing', window: pacingWindow('MZ', 0, { underruns: 1 }) }), ev('CA', { type: 'error', message: 'x' })]);
    expect(lines.every((l) => l.bad)).toBe(true);
  });

  it('filters by group and text (case-insensitive, type or text)', () => {
    const lines = eventLines([
      ev('CA', { type: 'transcript', text: '환불 문의', source: 'gather' }),
      ev('CA', { type: 'mark', name: 'Part3', outcome: 'sent' }),
      ev('CA', { type: 'clear', reason: 'barge-in' }),
    ]);
    expect(filterLines(lines, new Set(EVENT_GROUPS), '환불').map((l) => l.type)).toEqual(['transcript']);
    expect(filterLines(lines, new Set(EVENT_GROUPS), 'part3').map((l) => l.type)).toEqual(['mark']);
    expect(filterLines(lines, new Set(['speech']), '').map((l) => l.type)).toEqual(['transcript']);
    expect(filterLines(lines, new Set(EVENT_GROUPS), 'CLEAR').map((l) => l.type)).toEqual(['clear']);
  });
});

describe('eventLines for the streamed conversation', () => {
  it.each([
    [{ type: 'transcript.partial', text: '환불 절차', stability: 0.8, scripted: true }, '… 환불 절차 · stability 0.80 · scripted', false],
    [{ type: 'transcription', status: 'error', name: 'fd-CA', message: 'Engine unavailable', code: '32650' }, 'error · fd-CA · Engine unavailable · code 32650', true],
    [{ type: 'bot.decision', turn: 2, decidedBy: 'fallback', ms: 2000, action: 'say', error: 'timeout' }, 'turn 2 · say by fallback in 2.0 s · timeout', true],
    [{ type: 'bargein', decision: 'paused', trigger: 'vad', probability: 0.91, heardMs: 900, replyMs: 3200 }, 'paused · by vad · p 0.91 · heard 900 ms of 3.2 s', false],
    [{ type: 'bargein', decision: 'resumed', verdict: 'backchannel', pauseMs: 320, heardMs: 900, replyMs: 3200 }, 'resumed · backchannel · paused 320 ms · heard 900 ms of 3.2 s', false],
    [{ type: 'turn.latency', turn: 1, callerStoppedAt: 1000, finalAt: 1640, decidedAt: 1652, firstFrameAt: 1965 }, 'turn 1 · final 640 ms → decided 12 ms → tts — → frame 313 ms → heard — · total 965 ms', false],
  ] as Array<[CallEventBody, string, boolean]>)('%j', (body, text, bad) => {
    const [line] = eventLines([ev('CA', body)]);
    expect(line.text).toBe(text);
    expect(line.bad).toBe(bad);
    expect(line.group).toBe('speech');
  });
});
