// BENCH_PIN: keep the load generator and the cloud stand-ins off the host's cores, so a run approximates the load
// coming from another machine (the outside-load measurements) instead of three processes sharing 2 cores.
//   off     (default) the scheduler places every process
//   loadgen  load generator + cloud on the last core; the host may run anywhere (it has core 0 to itself)
//   split    host on cores 0..n-2, load generator + cloud on the last core (the host never shares a core)
// Hand-written: one `taskset -a -p` per process (all its threads), nothing to add a library for.
import { execFileSync } from 'node:child_process';

export type PinMode = 'off' | 'loadgen' | 'split';

export function pinMode(value: string | undefined): PinMode {
  const v = (value ?? '').trim().toLowerCase();
  if (v === '' || v === 'off' || v === 'false' || v === '0') return 'off';
  if (v === 'loadgen' || v === 'split') return v;
  throw new Error(`BENCH_PIN must be off, loadgen or split (got "${value}")`);
}

/** Which cores each role may use (a taskset cpu list), or null to leave it to the scheduler. Pure. */
export function pinPlan(mode: PinMode, cores: number): { host: string | null; load: string | null } {
  if (mode === 'off' || cores < 2) return { host: null, load: null };
  const last = String(cores - 1);
  if (mode === 'loadgen') return { host: null, load: last };
  return { host: cores === 2 ? '0' : `0-${cores - 2}`, load: last };
}

/** Apply a cpu list to a process and every thread it has now (taskset -a). Threads started later inherit it. */
export function pinProcess(pid: number, cpuList: string): void {
  execFileSync('taskset', ['-a', '-p', '-c', cpuList, String(pid)], { stdio: 'ignore' });
}
