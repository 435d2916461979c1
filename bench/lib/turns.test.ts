import { describe, expect, it } from 'vitest';
import { partialText } from './conversation-caller';
import { jobForTurn, streamOfTwiml, turnNumbers, type TurnJob, type TurnRecord } from './turns';
import { turnRows } from '../suites/turns-rows';

const job = (callSid: string, postedAt: number, landed: number, found?: number): TurnJob => ({ callSid, postedAt, landedAt: [landed], ...(found !== undefined ? { part0FoundAt: found } : {}) });
const turn = (callSid: string, n: number, finalPostAt: number, firstFrameAt: number | null): TurnRecord => ({ callSid, turn: n, finalPostAt, finalAckAt: finalPostAt + 3, firstFrameAt });

describe('turn latency split', () => {
  it('total = synthesis + poll wait + the host share, per turn', () => {
    // final at 1000; job POST at 1008; part 0 landed 1308; found by a GET at 1330; first frame 1336
    const n = turnNumbers([turn('CA1', 1, 1000, 1336)], [job('CA1', 100, 400, 410), job('CA1', 1008, 1308, 1330)], [{ callSid: 'CA1', turn: 1, finalAt: 5000, decidedAt: 5002, ttsJobAt: 5009 }]);
    expect(n.matched).toBe(1);
    expect(n.total.p50).toBe(336);
    expect(n.synthesis.p50).toBe(300);
    expect(n.pollWait.p50).toBe(22);
    expect(n.hostShare.p50).toBe(14);
    expect(n.finalToJob.p50).toBe(8);
    expect(n.foundToFrame.p50).toBe(6);
    expect(n.hostDecision.p50).toBe(2);
    expect(n.hostDecidedToJob.p50).toBe(7);
    expect(n.finalAck.p50).toBe(3);
  });

  it('the answer is the first job of that call after the final, never the greeting or another call', () => {
    const jobs = [job('CA1', 100, 400, 410), job('CA2', 1002, 1200, 1210), job('CA1', 1010, 1300, 1320), job('CA1', 3000, 3300, 3320)];
    expect(jobForTurn(jobs, { callSid: 'CA1', finalPostAt: 1000 })?.postedAt).toBe(1010);
    expect(jobForTurn(jobs, { callSid: 'CA1', finalPostAt: 2990 })?.postedAt).toBe(3000);
    expect(jobForTurn(jobs, { callSid: 'CA3', finalPostAt: 0 })).toBeUndefined();
  });

  it('counts unanswered turns and turns it cannot split apart, and keeps them out of the summaries', () => {
    const n = turnNumbers([turn('CA1', 1, 1000, null), turn('CA1', 2, 2000, 2400), turn('CA1', 3, 5000, 5300)], [job('CA1', 2005, 2300), job('CA1', 5004, 5200, 5250)], []);
    expect(n).toMatchObject({ turns: 3, matched: 1, unanswered: 1, unmatched: 1 });
    expect(n.total.n).toBe(1);
    expect(n.hostShare.p50).toBe(300 - 246);
  });

  it('the goal row fails on a slow p99 and on an unanswered turn', () => {
    const fast = turnNumbers([turn('CA1', 1, 0, 340)], [job('CA1', 5, 305, 330)], []);
    expect(turnRows(fast, 'x', true).find((r) => r.goal)?.pass).toBe(true);
    const slow = turnNumbers([turn('CA1', 1, 0, 400)], [job('CA1', 50, 305, 330)], []);
    expect(turnRows(slow, 'x', true).find((r) => r.goal)?.pass).toBe(false);
    const lost = turnNumbers([turn('CA1', 1, 0, 340), turn('CA1', 2, 1000, null)], [job('CA1', 5, 305, 330)], []);
    expect(turnRows(lost, 'x', true).find((r) => r.goal)?.pass).toBe(false);
  });
});

describe('the /voice_stream TwiML as Twilio reads it', () => {
  const xml =
    '<?xml version="1.0" encoding="UTF-8"?><Response><Start><Transcription name="fd-CA1" track="inbound_track" partialResults="true"/></Start>' +
    '<Connect action="https://x.example/after_stream" method="POST"><Stream url="wss://x.example/media" statusCallback="https://x.example/stream_status">' +
    '<Parameter name="text" value="안녕하세요. &quot;프론트도어&quot; &amp; 안내"/><Parameter name="grant" value="v1.abc&lt;def"/></Stream></Connect></Response>';

  it('takes the stream url and its parameters, unescaped', () => {
    expect(streamOfTwiml(xml)).toEqual({ url: 'wss://x.example/media', parameters: { text: '안녕하세요. "프론트도어" & 안내', grant: 'v1.abc<def' }, transcription: true });
  });

  it('says when there is no transcription before the stream, and refuses TwiML without a stream', () => {
    expect(streamOfTwiml('<Response><Connect><Stream url="wss://a/media"/></Connect></Response>')).toEqual({ url: 'wss://a/media', parameters: {}, transcription: false });
    expect(() => streamOfTwiml('<Response><Say>hi</Say></Response>')).toThrow(/no <Stream>/);
  });
});

describe('partial results grow towards the sentence', () => {
  it('shows more words each time and never the whole sentence before the final', () => {
    const s = '내일 오후 세 시로 예약을 바꾸고 싶어요';
    const parts = [1, 2, 3].map((k) => partialText(s, k, 3));
    expect(parts[0]).toBe('내일 오후');
    expect(parts.every((p, i) => i === 0 || p.length > parts[i - 1]!.length)).toBe(true);
    expect(parts).not.toContain(s);
  });
});
