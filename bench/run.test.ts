import { describe, expect, it } from 'vitest';
import { parseArgs, parseStep, reportName } from './run';

describe('bench options', () => {
  it.each([
    ['300', { n: 300, kind: 'ours' }],
    ['floor:1000', { n: 1000, kind: 'floor' }],
    ['simple:300', { n: 300, kind: 'simple' }],
    ['0', null],
    ['5001', null],
    ['ours:5', null],
    ['floor:', null],
  ])('--streams step %s', (x, step) => {
    expect(parseStep(x)).toEqual(step);
  });

  it('a --streams run leaves the doc and latest.json alone', () => {
    const o = parseArgs(['--only=pacing', '--streams=100,floor:300'], '/repo');
    expect(o.streams).toEqual([{ n: 100, kind: 'ours' }, { n: 300, kind: 'floor' }]);
    expect(o.doc).toBeNull();
    expect(reportName(o)).toBe('streams.json');
    expect(reportName(parseArgs([], '/repo'))).toBe('latest.json');
    expect(parseArgs([], '/repo').doc).toBe('/repo/docs/BENCHMARKS.md');
  });

  it('an --only run writes its own file and leaves the doc alone unless --doc is given', () => {
    const o = parseArgs(['--only=turns'], '/repo');
    expect(o.doc).toBeNull();
    expect(reportName(o)).toBe('only-turns.json');
    expect(parseArgs(['--only=turns', '--doc=/tmp/x.md'], '/repo').doc).toBe('/tmp/x.md');
  });

  it('refuses what it does not know', () => {
    expect(() => parseArgs(['--streams=abc'], '/repo')).toThrow(/--streams takes stream counts/);
    expect(() => parseArgs(['--fast'], '/repo')).toThrow(/unknown option/);
  });
});
