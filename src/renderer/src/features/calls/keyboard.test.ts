import { describe, expect, it } from 'vitest';
import { insertedAbove } from './CallList';
import { keyAction, type KeyInput } from './keyboard';

const base: KeyInput = { key: '', view: 'live', targetTag: 'BODY' };

describe('keyAction', () => {
  it.each([
    ['ArrowUp', {}, 'up'],
    ['ArrowDown', {}, 'down'],
    ['Enter', {}, 'open'],
    ['h', {}, 'handoff'],
    ['H', {}, 'handoff'],
    ['ㅗ', {}, 'handoff'],
    ['x', {}, null],
    ['h', { targetTag: 'INPUT' }, null],
    ['ArrowDown', { targetEditable: true }, null],
    ['Enter', { targetTag: 'BUTTON' }, null],
    ['h', { dialogOpen: true }, null],
    ['h', { ctrlKey: true }, null],
    ['ArrowDown', { view: 'history' }, null],
  ] as const)('%s %o → %s', (key, patch, action) => {
    expect(keyAction({ ...base, ...patch, key })).toBe(action);
  });
});

describe('insertedAbove', () => {
  it.each([
    [['a', 'b'], ['n', 'a', 'b'], 'a', 1],
    [['a', 'b'], ['n', 'a', 'b'], 'b', 1],
    [['a', 'b'], ['a', 'n', 'b'], 'a', 0],
    [['a', 'b'], ['n', 'm', 'a', 'b'], 'b', 2],
    [['a', 'b'], ['n', 'a', 'b'], undefined, 0],
  ])('%j → %j anchored at %s: %i', (prev, next, anchor, count) => {
    expect(insertedAbove(prev, next, anchor)).toBe(count);
  });
});
