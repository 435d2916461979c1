import { beforeEach, describe, expect, it } from 'vitest';
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
