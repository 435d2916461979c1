import { describe, expect, it } from 'vitest';
import { parseTranscriptionCallback, TranscriptionDedupe, type TranscriptionCallback } from './transcription';

const base = { CallSid: 'CA1', AccountSid: 'AC1', TranscriptionSid: 'GT1', Track: 'inbound_track', LanguageCode: 'ko-KR' };
const content = (o: Record<string, string | undefined>) => ({
  ...base,
  TranscriptionEvent: 'transcription-content',
  SequenceId: '3',
  Final: 'true',
  TranscriptionData: JSON.stringify({ transcript: '예약 변경하고 싶어요', confidence: 0.91 }),
  ...o,
});

describe('parseTranscriptionCallback', () => {
  it.each<[string, Record<string, string | undefined>, TranscriptionCallback]>([
    [
      'started',
      { ...base, TranscriptionEvent: 'transcription-started', SequenceId: '1', Timestamp: '2026-12-01T10:00:00.1Z', TranscriptionName: 'fd-CA1' },
      { kind: 'started', callSid: 'CA1', transcriptionSid: 'GT1', sequenceId: 1, track: 'inbound_track', timestamp: '2026-12-01T10:00:00.1Z', name: 'fd-CA1' },
    ],
    [
      'a final',
      content({}),
      { kind: 'content', callSid: 'CA1', transcriptionSid: 'GT1', sequenceId: 3, track: 'inbound_track', final: true, text: '예약 변경하고 싶어요', confidence: 0.91 },
    ],
    [
      'a partial with Stability, capitalised keys, no confidence',
      content({ Final: 'false', Stability: '0.4', TranscriptionData: '{"Transcript":" 예약 "}' }),
      { kind: 'content', callSid: 'CA1', transcriptionSid: 'GT1', sequenceId: 3, track: 'inbound_track', final: false, text: '예약', stability: 0.4 },
    ],
    [
      'Confidence with a capital, blank Stability, no Track',
      content({ Track: undefined, Stability: '', TranscriptionData: '{"Transcript":"네","Confidence":0.5}' }),
      { kind: 'content', callSid: 'CA1', transcriptionSid: 'GT1', sequenceId: 3, track: 'inbound_track', final: true, text: '네', confidence: 0.5 },
    ],
    [
      'stopped (Name)',
      { ...base, TranscriptionEvent: 'transcription-stopped', SequenceId: '15', Name: 'fd-CA1' },
      { kind: 'stopped', callSid: 'CA1', transcriptionSid: 'GT1', sequenceId: 15, track: 'inbound_track', name: 'fd-CA1' },
    ],
    [
      'error in TranscriptionErrorCode / TranscriptionError',
      { ...base, TranscriptionEvent: 'transcription-error', SequenceId: '2', TranscriptionErrorCode: '32655', TranscriptionError: 'Language not supported' },
      { kind: 'error', callSid: 'CA1', transcriptionSid: 'GT1', sequenceId: 2, track: 'inbound_track', code: '32655', message: 'Language not supported' },
    ],
    [
      'error in ErrorCode / ErrorMessage',
      { ...base, TranscriptionEvent: 'transcription-error', SequenceId: '2', ErrorCode: '17580', ErrorMessage: 'callback failed' },
      { kind: 'error', callSid: 'CA1', transcriptionSid: 'GT1', sequenceId: 2, track: 'inbound_track', code: '17580', message: 'callback failed' },
    ],
    [
      'error without any message',
      { ...base, TranscriptionEvent: 'transcription-error', SequenceId: '2' },
      { kind: 'error', callSid: 'CA1', transcriptionSid: 'GT1', sequenceId: 2, track: 'inbound_track', message: 'transcription failed (no message)' },
    ],
  ])('%s', (_name, params, expected) => {
    expect(parseTranscriptionCallback(params)).toEqual({ ok: true, value: expected });
  });

  it.each<[string, Record<string, string | undefined>, string]>([
    ['no event', { ...base, SequenceId: '1' }, 'TranscriptionEvent is missing'],
    ['an unknown event', { ...base, TranscriptionEvent: 'transcription-paused', SequenceId: '1' }, 'unknown TranscriptionEvent "transcription-paused"'],
    ['no CallSid', content({ CallSid: undefined }), 'CallSid is missing'],
    ['a blank TranscriptionSid', content({ TranscriptionSid: ' ' }), 'TranscriptionSid is empty'],
    ['no SequenceId', content({ SequenceId: undefined }), 'SequenceId is missing'],
    ['a fractional SequenceId', content({ SequenceId: '1.5' }), 'SequenceId is not a whole number'],
    ['a negative SequenceId', content({ SequenceId: '-1' }), 'SequenceId is not a whole number'],
    ['Final not a boolean', content({ Final: 'yes' }), 'Final must be "true" or "false"'],
    ['no TranscriptionData', content({ TranscriptionData: undefined }), 'TranscriptionData is missing'],
    ['TranscriptionData not JSON', content({ TranscriptionData: '{"transcript":' }), 'TranscriptionData is not JSON'],
    ['TranscriptionData without a transcript', content({ TranscriptionData: '{"confidence":0.2}' }), 'TranscriptionData: TranscriptionData has no transcript'],
    ['a transcript that is not text', content({ TranscriptionData: '{"transcript":5}' }), 'TranscriptionData: transcript must be text'],
    ['Stability not a number', content({ Stability: 'high' }), 'Stability is not a number'],
    ['Stability above 1', content({ Stability: '1.2' }), 'Stability is above 1'],
  ])('%s is a clear error', (_name, params, error) => {
    expect(parseTranscriptionCallback(params)).toEqual({ ok: false, error });
  });
});

const cb = (sequenceId: number, o: { final?: boolean; sid?: string; call?: string; kind?: 'started' } = {}): TranscriptionCallback =>
  o.kind === 'started'
    ? { kind: 'started', callSid: o.call ?? 'CA1', transcriptionSid: o.sid ?? 'GT1', sequenceId, track: 'inbound_track' }
    : {
        kind: 'content',
        callSid: o.call ?? 'CA1',
        transcriptionSid: o.sid ?? 'GT1',
        sequenceId,
        track: 'inbound_track',
        final: o.final ?? false,
        text: 'x',
      };

describe('TranscriptionDedupe', () => {
  it.each<[string, TranscriptionCallback[], boolean[]]>([
    ['in order', [cb(1, { kind: 'started' }), cb(2), cb(3), cb(4, { final: true })], [true, true, true, true]],
    ['a retried partial', [cb(2), cb(2)], [true, false]],
    ['a retried final', [cb(2, { final: true }), cb(2, { final: true })], [true, false]],
    ['a partial that arrives after its final', [cb(3, { final: true }), cb(2)], [true, false]],
    ['a partial of the next utterance after a final', [cb(3, { final: true }), cb(4)], [true, true]],
    ['a late final out of order is still acted on', [cb(5, { final: true }), cb(3, { final: true })], [true, true]],
    ['a late final does not lower the bar for partials', [cb(5, { final: true }), cb(3, { final: true }), cb(4)], [true, true, false]],
    ['same SequenceId on another transcription', [cb(2, { final: true }), cb(2, { sid: 'GT2' }), cb(1, { sid: 'GT2' })], [true, true, true]],
    ['same pair on another call', [cb(2), cb(2, { call: 'CA2' })], [true, true]],
  ])('%s', (_name, callbacks, expected) => {
    const d = new TranscriptionDedupe();
    expect(callbacks.map((c) => d.accept(c))).toEqual(expected);
  });

  it('keeps a bounded window per call and a bounded number of calls', () => {
    const d = new TranscriptionDedupe({ perCall: 3, calls: 2 });
    for (const n of [1, 2, 3, 4]) expect(d.accept(cb(n))).toBe(true);
    expect(d.accept(cb(4))).toBe(false); // still in the window
    expect(d.accept(cb(1))).toBe(true); // forgotten: the window holds the last 3
    d.accept(cb(1, { call: 'CA2' }));
    d.accept(cb(1, { call: 'CA3' })); // CA1 is the least recently seen: forgotten
    expect(d.size).toBe(2);
    expect(d.accept(cb(4))).toBe(true); // CA1 again, so CA2 goes
    d.forget('CA1');
    expect(d.size).toBe(1);
    expect(d.accept(cb(1, { call: 'CA3' }))).toBe(false); // CA3 kept
  });
});
