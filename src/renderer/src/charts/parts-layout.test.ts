import { describe, expect, it } from 'vitest';
import { part, pacingWindow } from '../test/factories';
import type { ReplyInfo } from '../store/audio-buffers';
import { layoutReply, niceStep, worstS3Lag, GAP_TOLERANCE_MS } from './parts-layout';

const reply: ReplyInfo = { replyId: 'r1', status: 'done', startedAt: 1_000_000 };

describe('layoutReply', () => {
  it('places each part relative to the reply start, landed clamped to not be after seen', () => {
    const l = layoutReply(reply, [part('r1', 1), part('r1', 0, { landedAt: 1_000_400, seenAt: 1_000_150 })], [], 0);
    expect(l.rows.map((r) => r.part)).toEqual([0, 1]);
    expect(l.rows[0]).toMatchObject({ landed: 150, seen: 150, first: 300, last: 800, projected: false });
    expect(l.rows[1]).toMatchObject({ landed: 600, seen: 650, first: 800, last: 1300 });
    expect(l.ttfaMs).toBe(300);
    expect(l.span).toBe(1300);
  });

  it('prefers the job-reported TTFA', () => {
    expect(layoutReply({ ...reply, firstAudioMs: 290 }, [part('r1', 0)], [], 0).ttfaMs).toBe(290);
  });

  it.each([
    ['back to back', 800 + 20, 0],
    ['within tolerance', 800 + GAP_TOLERANCE_MS, 0],
    ['late next part', 800 + GAP_TOLERANCE_MS + 1, 1],
  ])('gap between parts: %s', (_name, nextFirst, gaps) => {
    const l = layoutReply(reply, [part('r1', 0), part('r1', 1, { firstFrameAt: 1_000_000 + nextFirst, lastFrameAt: 1_000_000 + nextFirst + 500 })], [], 0);
    expect(l.gaps).toHaveLength(gaps);
    if (gaps) expect(l.gaps[0]).toEqual({ afterPart: 0, from: 800, to: nextFirst });
  });

  it('projects the last frame of a part still being sent and widens the span to now', () => {
    const l = layoutReply({ ...reply, status: 'started' }, [part('r1', 0, { lastFrameAt: undefined })], [], 1_002_000);
    expect(l.rows[0]).toMatchObject({ last: 800, projected: true });
    expect(l.stillSending).toBe(true);
    expect(l.span).toBe(2000);
  });

  it('a reply cut by a barge-in ends its unsent part at the barge-in, not projected', () => {
    const cutReply = { ...reply, status: 'cancelled' as const, bargein: { at: 1_000_500, heardMs: 200, replyMs: 500 } };
    const l = layoutReply(cutReply, [part('r1', 0, { lastFrameAt: undefined })], [], 1_009_000);
    expect(l.rows[0]).toMatchObject({ first: 300, last: 500, projected: false, cut: true });
    expect(l.stillSending).toBe(false);
  });

  it('a failed part has no projected bar; underrun windows inside the reply are marked', () => {
    const l = layoutReply(reply, [part('r1', 0, { firstFrameAt: undefined, lastFrameAt: undefined, error: 'partial-read' })], [pacingWindow('MZ', 1_000_050, { underruns: 1 }), pacingWindow('MZ', 999_000, { underruns: 3 })], 0);
    expect(l.rows[0]).toMatchObject({ error: 'partial-read', last: undefined });
    expect(l.underrunsAt).toEqual([150]);
  });

  it('without a job start, time 0 is the earliest landing', () => {
    const l = layoutReply({ replyId: 'r1', status: 'unknown' }, [part('r1', 0)], [], 0);
    expect(l.t0).toBe(1_000_100);
    expect(l.ttfaMs).toBeUndefined();
  });
});

describe('niceStep / worstS3Lag', () => {
  it.each([
    [1000, 5, 200],
    [1300, 10, 200],
    [60_000, 6, 10_000],
    [90, 4, 50],
  ])('span %i with %i ticks steps by %i', (span, ticks, step) => expect(niceStep(span, ticks)).toBe(step));
  it('worst S3 lag is the largest seen − landed', () => {
    const l = layoutReply(reply, [part('r1', 0), part('r1', 1, { landedAt: 1_000_500, seenAt: 1_000_900 })], [], 0);
    expect(worstS3Lag(l.rows)).toBe(400);
    expect(worstS3Lag([])).toBeUndefined();
  });
});
