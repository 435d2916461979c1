// The monitor's rules: runs at start and on its interval, joins a run under way, reports what turned red, a check
// that throws or never answers becomes a red result, stop() leaves no timer. Injected timer and clock: no waiting.
import { describe, expect, it } from 'vitest';
import type { HealthCheck } from '../../shared/model';
import { createHealthMonitor, type CheckSpec } from './monitor';
import type { Verdict } from './levels';

function fakeTimers() {
  const timers = new Map<number, () => void>();
  let id = 0;
  return {
    setInterval: (fn: () => void) => {
      timers.set(++id, fn);
      return { id } as unknown as { unref?(): void };
    },
    clearInterval: (h: unknown) => void timers.delete((h as { id: number }).id),
    fire: () => [...timers.values()].forEach((fn) => fn()),
    count: () => timers.size,
  };
}

const spec = (id: CheckSpec['id'], verdict: () => Verdict | Promise<Verdict>): CheckSpec => ({ id, run: async () => verdict() });

describe('createHealthMonitor', () => {
  it('runs at start, on every tick and on demand; reports newly red checks once', async () => {
    const timers = fakeTimers();
    let level: Verdict['level'] = 'red';
    const runs: Array<{ all: HealthCheck[]; red: string[] }> = [];
    const m = createHealthMonitor({
      checks: () => [spec('tts', () => ({ level, reason: `tts ${level}`, fix: 'start it' })), spec('s3', () => ({ level: 'green', reason: 'ok' }))],
      now: () => 1000,
      onRun: (all, red) => runs.push({ all, red: red.map((c) => c.id) }),
      ...timers,
    });
    m.start();
    await m.run(); // joins the start run
    expect(runs).toHaveLength(1);
    expect(runs[0]!.red).toEqual(['tts']);
    expect(m.latest()?.find((c) => c.id === 'tts')).toMatchObject({ level: 'red', fix: 'start it', at: 1000 });
    timers.fire();
    await m.run();
    expect(runs.length).toBeGreaterThanOrEqual(2);
    expect(runs.at(-1)!.red).toEqual([]); // still red: no second alert
    level = 'green';
    await m.run();
    expect(runs.at(-1)!.all.every((c) => c.level === 'green')).toBe(true);
    m.stop();
    expect(timers.count()).toBe(0);
  });

  it('joins a run under way instead of starting another', async () => {
    let calls = 0;
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const m = createHealthMonitor({ checks: () => [spec('tts', async () => (calls++, await gate, { level: 'green', reason: 'ok' }))] });
    const a = m.run();
    const b = m.run();
    release();
    expect(await a).toBe(await b);
    expect(calls).toBe(1);
  });

  it('a check that throws is red with its message; one that never answers is red after the timeout', async () => {
    const m = createHealthMonitor({
      checks: () => [spec('tts', () => Promise.reject(new Error('boom'))), spec('s3', () => new Promise<Verdict>(() => undefined))],
      timeoutMs: 1,
    });
    const results = await m.run();
    expect(results.find((c) => c.id === 'tts')).toMatchObject({ level: 'red', reason: 'The check failed: boom' });
    expect(results.find((c) => c.id === 's3')).toMatchObject({ level: 'red', reason: expect.stringMatching(/did not finish/) });
  });
});
