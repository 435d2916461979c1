import { describe, expect, it } from 'vitest';
import { LatenessRecorder, percentile, summarize } from './stats';

describe('percentile', () => {
  it.each([
    [[], 50, 0],
    [[5], 99, 5],
    [[1, 2, 3, 4], 50, 2],
    [[1, 2, 3, 4], 99, 4],
    [Array.from({ length: 100 }, (_, i) => i + 1), 99, 99],
  ])('percentile(%j, %i) = %i', (values, p, expected) => expect(percentile(values, p)).toBe(expected));
});

describe('summarize', () => {
  it('summarises an empty window', () => {
    expect(summarize(new LatenessRecorder())).toEqual({ frames: 0, samples: [], p50: 0, p99: 0, max: 0 });
  });

  it('keeps every sample of a short window', () => {
    const rec = new LatenessRecorder();
    [0.4, -0.6, 2.25].forEach((l, i) => rec.record(1000 + i * 20, l));
    expect(summarize(rec)).toEqual({ frames: 3, samples: [[1000, 0.4], [1020, -0.6], [1040, 2.3]], p50: 0.4, p99: 2.3, max: 2.3 });
  });

  it('downsamples a long window but keeps the worst frame', () => {
    const rec = new LatenessRecorder();
    for (let i = 0; i < 100; i++) rec.record(i * 20, i === 37 ? 55 : 1);
    const s = summarize(rec, 10);
    expect(s.samples.length).toBe(10);
    expect(s.samples).toContainEqual([740, 55]);
    expect(s.max).toBe(55);
    expect(s.p50).toBe(1);
    expect(s.frames).toBe(100);
  });

  it('counts frames beyond its capacity and still knows their max', () => {
    const rec = new LatenessRecorder();
    for (let i = 0; i < 600; i++) rec.record(i, i === 599 ? 99 : 0);
    const s = summarize(rec);
    expect(s.frames).toBe(600);
    expect(s.max).toBe(99);
    rec.reset();
    expect(summarize(rec).frames).toBe(0);
  });
});
