import { describe, expect, it } from 'vitest';
import { concat, percentileSorted, round, summarize } from './stats';

describe('percentileSorted (nearest rank)', () => {
  it.each([
    [[1], 50, 1],
    [[1, 2], 50, 1],
    [[1, 2], 99, 2],
    [[1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 50, 5],
    [[1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 90, 9],
    [[1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 99, 10],
    [[1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 0, 1],
  ])('%j p%i = %i', (values, p, expected) => {
    expect(percentileSorted(values, p)).toBe(expected);
  });

  it('is NaN for no values', () => {
    expect(percentileSorted([], 50)).toBeNaN();
  });
});

describe('summarize', () => {
  it('sorts numerically, not as strings', () => {
    const s = summarize([10, 9, 100, -1, 2]);
    expect(s).toMatchObject({ n: 5, p50: 9, max: 100, min: -1 });
    expect(s.mean).toBeCloseTo(24);
  });

  it('p99 of 1000 values is the 990th', () => {
    const values = Array.from({ length: 1000 }, (_, i) => 1000 - i);
    expect(summarize(values).p99).toBe(990);
  });

  it('reports an empty set as n=0 with NaNs', () => {
    expect(summarize([])).toMatchObject({ n: 0 });
    expect(summarize([]).p50).toBeNaN();
  });
});

describe('concat / round', () => {
  it('concatenates typed and plain arrays in order', () => {
    expect(Array.from(concat([[1, 2], new Float64Array([3]), []]))).toEqual([1, 2, 3]);
  });

  it.each([
    [1.23456, 1.23],
    [12.345, 12.3],
    [1234.5, 1235],
    [-0.004, -0],
  ])('round(%d) = %d', (x, y) => {
    expect(round(x)).toBe(y);
  });
});
