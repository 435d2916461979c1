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
