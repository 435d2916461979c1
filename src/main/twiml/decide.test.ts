import { describe, expect, it } from 'vitest';
import type { CallEvent, HandoffInfo } from '../../shared/model';
import {
  advancesHandoff,
  childLegProgress,
  dialActionSeen,
  dialOutcome,
  echoText,
  lastPromptAt,
  lastStatusSequence,
  matchKeyword,
  readDialReport,
  readSpeech,
  silentTurnsFrom,
} from './decide';

const KEYWORDS = ['상담원', '상담사', '사람', 'agent'];
let seq = 0;
const ev = (body: Record<string, unknown>, at = 0) => ({ callSid: 'CA1', at, seq: ++seq, ...body }) as CallEvent;

describe('readSpeech', () => {
  it.each([
    [{ SpeechResult: ' 안녕 ', Confidence: '0.9' }, { text: '안녕', confidence: 0.9 }],
    [{ SpeechResult: '안녕' }, { text: '안녕' }],
    [{ SpeechResult: '안녕', Confidence: '' }, { text: '안녕' }],
    [{ SpeechResult: '안녕', Confidence: 'abc' }, { text: '안녕' }],
    [{ SpeechResult: '안녕', Confidence: '1.5' }, { text: '안녕' }],
    [{ SpeechResult: '안녕', Confidence: '0' }, { text: '안녕', confidence: 0 }],
    [{}, { text: '' }],
  ])('%j → %j', (params, expected) => {
    expect(readSpeech(params)).toEqual(expected);
  });
});

describe('matchKeyword', () => {
  it.each([
    ['상담원 바꿔 주세요', '상담원'],
    ['상담 원이요', '상담원'],
    ['상담사 연결', '상담사'],
    ['사람하고 얘기하고 싶어요', '사람'],
    ['Can I talk to an Agent?', 'agent'],
    ['배송 조회요', undefined],
    ['', undefined],
  ])('%s → %s', (text, expected) => {
    expect(matchKeyword(text, KEYWORDS)).toBe(expected);
  });

  it('ignores empty keywords', () => {
    expect(matchKeyword('아무 말', ['', ' '])).toBeUndefined();
  });
});

describe('echoText and silentTurnsFrom', () => {
  it('echoes in Korean and cuts long results', () => {
    expect(echoText('안녕하세요')).toBe('"안녕하세요" 라고 말씀하셨어요.');
    const long = echoText('가'.repeat(1000));
    expect(long.length).toBeLessThan(320);
    expect(long).toContain('…');
  });

  it.each([
    [undefined, 0],
    ['1', 1],
    ['2', 2],
    ['-1', 0],
    ['abc', 0],
    ['1000', 0],
    [['1', '2'], 0],
  ])('%j → %d', (q, n) => {
    expect(silentTurnsFrom(q)).toBe(n);
  });
});

describe('readDialReport', () => {
  it.each([
    [{ DialCallStatus: 'completed', DialCallDuration: '12' }, { kind: 'action', dialCallStatus: 'completed', durationS: 12 }],
    [{ DialCallStatus: 'no-answer' }, { kind: 'action', dialCallStatus: 'no-answer' }],
    [{ ParentCallSid: 'CA1', CallStatus: 'ringing' }, { kind: 'child', parentCallSid: 'CA1', callStatus: 'ringing' }],
    [{ CallStatus: 'ringing' }, { kind: 'unknown' }],
    [{}, { kind: 'unknown' }],
  ])('%j → %j', (params, expected) => {
    expect(readDialReport(params)).toEqual(expected);
  });
});

describe('dialOutcome', () => {
  it.each([
    ['completed', 'connected', 'Agent call ended after 7 s'],
    ['answered', 'connected', 'Agent call ended after 7 s'],
    ['busy', 'failed', 'busy'],
    ['no-answer', 'failed', 'within 20 s'],
    ['failed', 'failed', 'CONNECT_DID'],
    ['canceled', 'failed', 'cancelled'],
    ['weird', 'failed', '"weird"'],
  ])('%s → %s', (status, outcome, words) => {
    const o = dialOutcome(status, 20, 7);
    expect(o.status).toBe(outcome);
    expect(o.message).toContain(words);
  });
});

describe('handoff progress', () => {
  const info = (status: HandoffInfo['status']): HandoffInfo => ({ status, source: 'keyword', at: 0 });

  it.each([
    ['queued', 'dialing'],
    ['initiated', 'dialing'],
    ['ringing', 'dialing'],
    ['in-progress', 'connected'],
    ['completed', null],
    ['busy', null],
  ])('child leg %s → %s', (status, progress) => {
    expect(childLegProgress(status)).toBe(progress);
  });

  it.each([
    [undefined, 'dialing', true],
    ['requested', 'dialing', true],
    ['accepted', 'dialing', true],
    ['dialing', 'dialing', false],
    ['dialing', 'connected', true],
    ['connected', 'dialing', false],
    ['connected', 'connected', false],
    ['failed', 'dialing', false],
  ] as const)('from %s, %s advances: %s', (current, next, expected) => {
    expect(advancesHandoff(current ? info(current) : undefined, next)).toBe(expected);
  });

  it('dialActionSeen looks only at the current attempt', () => {
    const first = [ev({ type: 'handoff', status: 'requested', source: 'keyword' }), ev({ type: 'handoff', status: 'failed', source: 'keyword', dialCallStatus: 'busy' })];
    expect(dialActionSeen(first, 'busy')).toBe(true);
    expect(dialActionSeen(first, 'no-answer')).toBe(false);
    const retry = [...first, ev({ type: 'handoff', status: 'requested', source: 'operator' })];
    expect(dialActionSeen(retry, 'busy')).toBe(false);
  });
});

describe('derived from events', () => {
  it('lastStatusSequence is the highest SequenceNumber applied, -1 for none', () => {
    expect(lastStatusSequence([])).toBe(-1);
    expect(lastStatusSequence([ev({ type: 'call.status', status: 'ringing', sequenceNumber: 0 }), ev({ type: 'call.status', status: 'completed', sequenceNumber: 3 }), ev({ type: 'call.status', status: 'x' })])).toBe(3);
  });

  it('lastPromptAt is the time of the latest prompt or bot reply', () => {
    expect(lastPromptAt([])).toBeUndefined();
    const events = [ev({ type: 'prompt', text: 'a' }, 10), ev({ type: 'bot.reply', text: 'b', via: 'say' }, 20), ev({ type: 'transcript', text: 'c', source: 'gather' }, 30)];
    expect(lastPromptAt(events)).toBe(20);
  });
});
