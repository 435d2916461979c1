// The machine a run happened on (docs/BENCHMARKS.md and latest.json carry it).
import { cpus, loadavg, release, totalmem } from 'node:os';
import type { Machine } from './report';

export function machineInfo(): Machine {
  const list = cpus();
  return {
    cpuModel: list[0]?.model.trim() ?? 'unknown',
    cores: list.length,
    cpuMHz: list[0]?.speed ?? 0,
    memoryGiB: Math.round(totalmem() / 2 ** 30),
    node: process.version,
    platform: `${process.platform} ${release()}`,
    loadAvgAtStart: loadavg(),
  };
}

/** Whole-machine CPU counters (all processes, all cores), for how busy the machine was during a window. */
export function cpuTimes(): { busy: number; total: number } {
  let busy = 0;
  let total = 0;
  for (const c of cpus()) {
    const t = c.times;
    const all = t.user + t.nice + t.sys + t.idle + t.irq;
    total += all;
    busy += all - t.idle;
  }
  return { busy, total };
}

/** Machine busy over a window, in % of one core (2 cores fully busy = 200). */
export function machineBusyPct(from: { busy: number; total: number }, to: { busy: number; total: number }, cores: number): number {
  const total = to.total - from.total;
  return total > 0 ? ((to.busy - from.busy) / total) * 100 * cores : 0;
}
