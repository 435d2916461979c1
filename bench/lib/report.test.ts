import { describe, expect, it } from 'vitest';
import { BEGIN, END, markdownTable, ratio, refreshDoc, rowFrom, textTable, valueRow, type Row } from './report';
import { summarize } from './stats';

const row = (over: Partial<Row> = {}): Row => ({ suite: 'pacing', name: 'lateness', unit: 'ms', p50: 1, p99: 2, max: 3, n: 10, ...over });

describe('rows', () => {
  it('rowFrom rounds and maps NaN to null', () => {
    expect(rowFrom(summarize([1.234, 2.345]), { suite: 's', name: 'x', unit: 'ms' })).toMatchObject({ p50: 1.23, p99: 2.35, max: 2.35, n: 2 });
    expect(rowFrom(summarize([]), { suite: 's', name: 'x', unit: 'ms' })).toMatchObject({ p50: null, n: 0 });
  });

  it('valueRow repeats one value', () => {
    expect(valueRow(12.345, 3, { suite: 's', name: 'x', unit: '/s' })).toMatchObject({ p50: 12.3, p99: 12.3, max: 12.3, n: 3 });
  });

  it.each([
    [2, 4, 0.5],
    [4, 0, null],
    [null, 4, null],
    [1, Infinity, null],
  ])('ratio(%s, %s) = %s', (a, b, r) => {
    expect(ratio(a, b)).toBe(r);
  });
});

describe('tables', () => {
  it('aligns columns and shows the goal verdict', () => {
    const t = textTable([row({ goal: 'p99 <= 5 ms', pass: false }), row({ name: 'a much longer name', p99: null })]);
    const lines = t.split('\n');
    expect(lines).toHaveLength(3);
    expect(lines[0].indexOf('unit')).toBe(lines[2].indexOf('ms'));
    expect(t).toContain('MISSED');
    expect(lines[2]).toContain('–');
  });

  it('escapes pipes in markdown', () => {
    expect(markdownTable([row({ name: 'a|b' })])).toContain('a\\|b');
  });
});

describe('refreshDoc', () => {
  const tpl = (s: string) => `# T\n${s}\n`;
  it('uses the template when there is no doc or no markers', () => {
    expect(refreshDoc(null, 'S', tpl)).toBe('# T\nS\n');
    expect(refreshDoc('hand written', 'S', tpl)).toBe('# T\nS\n');
  });

  it('replaces only the generated section', () => {
    const doc = `intro\n${BEGIN}\nold\n${END}\nfindings`;
    expect(refreshDoc(doc, `${BEGIN}\nnew\n${END}`, tpl)).toBe(`intro\n${BEGIN}\nnew\n${END}\nfindings`);
  });
});
