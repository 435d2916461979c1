import { describe, expect, it } from 'vitest';
import { pinMode, pinPlan, pinProcess } from './pin';

describe('BENCH_PIN', () => {
  it.each([
    [undefined, 'off'],
    ['', 'off'],
    ['off', 'off'],
    ['0', 'off'],
    ['loadgen', 'loadgen'],
    ['SPLIT', 'split'],
  ])('reads %s as %s', (value, mode) => expect(pinMode(value)).toBe(mode));

  it('refuses anything else with the values it takes', () => expect(() => pinMode('host')).toThrow(/off, loadgen or split/));

  it.each([
    ['off', 2, { host: null, load: null }],
    ['loadgen', 2, { host: null, load: '1' }],
    ['split', 2, { host: '0', load: '1' }],
    ['split', 8, { host: '0-6', load: '7' }],
    ['split', 1, { host: null, load: null }],
  ] as const)('%s on %i cores: %o', (mode, cores, plan) => expect(pinPlan(mode, cores)).toEqual(plan));
});

describe('pinProcess', () => {
  it('restricts a running process to the cores given (taskset reads the affinity back)', async () => {
    const { spawn, execFileSync } = await import('node:child_process');
    const child = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 10000)'], { stdio: 'ignore' });
    try {
      pinProcess(child.pid!, '0');
      expect(execFileSync('taskset', ['-c', '-p', String(child.pid)], { encoding: 'utf8' })).toMatch(/current affinity list: 0\s*$/);
    } finally {
      child.kill();
    }
  });
});
