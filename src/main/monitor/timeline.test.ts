// The recording's one timeline: caller by media time anchored at the stream's first frame, bot by play time;
// append-only legs padded with silence, never overwritten.
import { describe, expect, it } from 'vitest';
import { LegTrack, MAX_GAP_SAMPLES, RecordingTimeline } from './timeline';

describe('RecordingTimeline', () => {
  it('places caller audio by media time from the first frame of each stream, bot audio by play time', () => {
    const t = new RecordingTimeline(10_000);
    expect(t.callerPosition(0, 10_050)).toBe(400); // 50 ms after t0
    expect(t.callerPosition(20, 10_095)).toBe(560); // jitter in arrival does not move it: media time does
    expect(t.callerPosition(40, 10_061)).toBe(720);
    expect(t.botPosition(10_200)).toBe(1600);
    expect(t.botPosition(9_000)).toBe(0);
    t.newStream();
    expect(t.callerPosition(0, 20_000)).toBe(80_000); // a second stream: media time 0 again, anchored anew
    expect(t.callerPosition(20, 20_500)).toBe(80_160);
  });
});

describe('LegTrack', () => {
  it.each([
    ['at the end', [[0, 160]], 160, { pad: 0, at: 160 }],
    ['past the end: silence first', [[0, 160]], 400, { pad: 240, at: 400 }],
    ['before the end: shifted after it, nothing overwritten', [[0, 160]], 150, { pad: 0, at: 160 }],
    ['a broken jump: appended', [[0, 160]], 160 + MAX_GAP_SAMPLES + 1, { pad: 0, at: 160 }],
  ] as const)('a chunk %s', (_name, before, position, expected) => {
    const leg = new LegTrack();
    for (const [p, n] of before) leg.place(p, n);
    expect(leg.place(position, 160)).toEqual(expected);
    expect(leg.length).toBe(expected.at + 160);
  });
});
