// Runs the health checks at start, every minute and on demand, keeps the latest result of each, and tells the host
// what changed (so it can push health and raise a notice for a check that just turned red). Checks run together,
// each bounded by a timeout; a run asked for while one is under way joins it. start() has its stop(): no timer left.
import { scrubCredentials } from '../config/secrets';
import type { HealthCheck, HealthCheckId } from '../../shared/model';
import { newlyRed, toCheck, type Verdict } from './levels';

export interface CheckSpec {
  id: HealthCheckId;
  run(): Promise<Verdict>;
}

export interface HealthMonitorOptions {
  /** The checks for the current settings (asked at every run: demo stand-ins and URLs appear after start). */
  checks: () => CheckSpec[];
  now?: () => number;
  intervalMs?: number;
  /** Upper bound per check, beyond the probes' own timeouts. */
  timeoutMs?: number;
  /** After every run: all results, and the ones that turned red since the previous run. */
  onRun?: (checks: HealthCheck[], turnedRed: HealthCheck[]) => void;
  setInterval?: (fn: () => void, ms: number) => { unref?(): void };
  clearInterval?: (handle: unknown) => void;
}

export interface HealthMonitor {
  start(): void;
  stop(): void;
  run(): Promise<HealthCheck[]>;
  latest(): HealthCheck[] | undefined;
}

export function createHealthMonitor(o: HealthMonitorOptions): HealthMonitor {
  const now = o.now ?? Date.now;
  const timeoutMs = o.timeoutMs ?? 8000;
  const setTimer = o.setInterval ?? ((fn, ms) => setInterval(fn, ms));
  const clearTimer = o.clearInterval ?? ((h) => clearInterval(h as NodeJS.Timeout));
  let latest: HealthCheck[] | undefined;
  let running: Promise<HealthCheck[]> | null = null;
  let timer: unknown = null;
  let stopped = false;

  const one = async (spec: CheckSpec): Promise<HealthCheck> => {
    const started = now();
    let t: NodeJS.Timeout | undefined;
    const bounded = new Promise<Verdict>((resolve) => {
      t = setTimeout(() => resolve({ level: 'red', reason: `The check did not finish within ${timeoutMs} ms`, fix: 'Check the network between this machine and the service' }), timeoutMs);
    });
    try {
      const verdict = await Promise.race([spec.run(), bounded]);
      // a check's words and target may quote a URL setting: never its user:pass@ (they reach the console)
      return scrubCredentials(toCheck(spec.id, verdict, now(), now() - started));
    } catch (err) {
      return scrubCredentials(toCheck(spec.id, { level: 'red', reason: `The check failed: ${err instanceof Error ? err.message : String(err)}` }, now(), now() - started));
    } finally {
      clearTimeout(t);
    }
  };

  const run = (): Promise<HealthCheck[]> => {
    if (running) return running;
    running = (async () => {
      const results = await Promise.all(o.checks().map(one));
      const turned = newlyRed(latest, results);
      latest = results;
      if (!stopped) o.onRun?.(results, turned);
      return results;
    })().finally(() => {
      running = null;
    });
    return running;
  };

  return {
    start() {
      stopped = false;
      if (timer) return;
      void run();
      const h = setTimer(() => void run(), o.intervalMs ?? 60_000);
      h.unref?.();
      timer = h;
    },
    stop() {
      stopped = true;
      if (timer) clearTimer(timer);
      timer = null;
    },
    run,
    latest: () => latest,
  };
}
