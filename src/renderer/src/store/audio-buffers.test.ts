import { beforeEach, describe, expect, it } from 'vitest';
import { ev, pacingWindow, part, resetSeq } from '../test/factories';
import { AudioBuffers, MAX_WINDOWS } from './audio-buffers';

beforeEach(() => resetSeq());

describe('AudioBuffers', () => {
  it('ignores events that are not audio and bumps the version on audio ones', () => {
    const b = new AudioBuffers();
    b.ingest(ev('CA1', { type: 'transcript', text: 'x', source: 'stream' }));
    expect(b.version('CA1')).toBe(-1);
    b.ingest(ev('CA1', { type: 'tts.job', replyId: 'r1', status: 'started', jobId: 'j1' }));
    expect(b.version('CA1')).toBe(1);
    expect(b.get('CA1')?.replies.get('r1')).toMatchObject({ status: 'started', jobId: 'j1' });
  });

  it('upserts parts by reply and part number (later fields win)', () => {
    const b = new AudioBuffers();
    b.ingest(ev('CA1', { type: 'tts.part', part: part('r1', 0, { firstFrameAt: undefined, lastFrameAt: undefined }) }));
    b.ingest(ev('CA1', { type: 'tts.part', part: part('r1', 0, { firstFrameAt: 5, lastFrameAt: 9 }) }));
    b.ingest(ev('CA1', { type: 'tts.part', part: part('r1', 1) }));
    const audio = b.get('CA1')!;
    expect(audio.parts.size).toBe(2);
    expect(audio.parts.get('r1:0')).toMatchObject({ firstFrameAt: 5, lastFrameAt: 9 });
  });

  it('tracks a reply through started → done with TTFA, and a barge-in on it', () => {
    const b = new AudioBuffers();
    b.ingest(ev('CA1', { type: 'tts.job', replyId: 'r1', status: 'started' }, 100));
    b.ingest(ev('CA1', { type: 'tts.job', replyId: 'r1', status: 'done', firstAudioMs: 312 }, 900));
    b.ingest(ev('CA1', { type: 'bargein', decision: 'interrupted', replyId: 'r1', heardMs: 1400, replyMs: 3200, detectionLatencyMs: 240 }, 950));
    expect(b.get('CA1')?.replies.get('r1')).toMatchObject({ startedAt: 100, endedAt: 900, status: 'done', firstAudioMs: 312, bargein: { heardMs: 1400, replyMs: 3200 } });
  });

  it('sums pacing totals once per window, keeps a bounded window list', () => {
    const b = new AudioBuffers();
    const first = ev('CA1', { type: 'pacing', window: pacingWindow('MZ', 0, { underruns: 2, leadAtRisk: 3, latenessP99: 7 }) });
    b.ingest(first);
    b.ingest(first);
    for (let i = 1; i <= MAX_WINDOWS + 10; i++) b.ingest(ev('CA1', { type: 'pacing', window: pacingWindow('MZ', i * 100) }));
    const audio = b.get('CA1')!;
    expect(audio.windows).toHaveLength(MAX_WINDOWS);
    expect(audio.totals).toMatchObject({ windows: MAX_WINDOWS + 11, underruns: 2, leadAtRisk: 3, worstP99: 7, frames: 5 * (MAX_WINDOWS + 11) });
  });

  it('replace() rebuilds from the record and keeps live events newer than it', () => {
    const b = new AudioBuffers();
    const recorded = [ev('CA1', { type: 'tts.job', replyId: 'r1', status: 'started' }), ev('CA1', { type: 'pacing', window: pacingWindow('MZ', 0) })];
    const live = ev('CA1', { type: 'pacing', window: pacingWindow('MZ', 100) });
    // the live event arrived before the record's answer; one recorded event was also seen live
    b.ingest(recorded[1]);
    b.ingest(live);
    const before = b.version('CA1');
    b.replace('CA1', recorded);
    const audio = b.get('CA1')!;
    expect(audio.windows.map((w) => w.seq)).toEqual([recorded[1].seq, live.seq]);
    expect(audio.totals.windows).toBe(2);
    expect(audio.replies.has('r1')).toBe(true);
    expect(b.version('CA1')).toBeGreaterThan(before);
  });

  it('retain() forgets calls no longer shown; drop() one call', () => {
    const b = new AudioBuffers();
    for (const sid of ['CA1', 'CA2', 'CA3']) b.ingest(ev(sid, { type: 'tts.job', replyId: 'r', status: 'started' }));
    b.retain(['CA1', 'CA2']);
    b.drop('CA2');
    expect([b.version('CA1') > 0, b.version('CA2'), b.version('CA3')]).toEqual([true, -1, -1]);
  });
});
