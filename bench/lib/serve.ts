// Child side of the bench's process split: answer the parent's calls, push events, and report this
// process's own cost (CPU, event-loop delay, memory) over a window the parent opens and closes.
import { writeFileSync } from 'node:fs';
import { Session } from 'node:inspector';
import { join } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';

export type Handler = (params: never) => unknown;

export interface ProcStats {
  /** CPU time over wall time in the window, % of one core (user + system). */
  cpuPct: number;
  /** Event-loop delay percentiles in ms, the sampling resolution subtracted (notes/s3-audio.md §4.4). */
  eldP50: number;
  eldP99: number;
  eldMax: number;
  /** Peak RSS during the window, and RSS when it opened. */
  rssMiB: number;
  rssStartMiB: number;
  heapUsedMiB: number;
  wallMs: number;
  /** The .cpuprofile of the window, when one was asked for. */
  profile?: string;
}

const RESOLUTION_MS = 10;

/** A V8 CPU profile of this process over a window (only the measured part, not startup). */
function startProfile(dir: string, label: string): () => Promise<string> {
  const session = new Session();
  session.connect();
  const post = (method: string, params?: object) =>
    new Promise<unknown>((resolve, reject) => session.post(method, params ?? {}, (err, res) => (err ? reject(err) : resolve(res))));
  const started = post('Profiler.enable').then(() => post('Profiler.setSamplingInterval', { interval: 1000 })).then(() => post('Profiler.start'));
  return async () => {
    await started;
    const { profile } = (await post('Profiler.stop')) as { profile: unknown };
    session.disconnect();
    const file = join(dir, `${label}-${process.pid}-${Date.now()}.cpuprofile`);
    writeFileSync(file, JSON.stringify(profile));
    return file;
  };
}

/** One CPU/event-loop/memory window. */
export function startProcWindow(): { end(): ProcStats } {
  const h = monitorEventLoopDelay({ resolution: RESOLUTION_MS });
  h.enable();
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  const rssStart = process.memoryUsage().rss;
  let peakRss = rssStart;
  const sampler = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage().rss)), 250);
  sampler.unref();
  return {
    end() {
      clearInterval(sampler);
      h.disable();
      const cpu = process.cpuUsage(cpu0);
      const wallMs = performance.now() - t0;
      const mem = process.memoryUsage();
      const ms = (ns: number) => Math.max(0, ns / 1e6 - RESOLUTION_MS);
      return {
        cpuPct: ((cpu.user + cpu.system) / 1000 / wallMs) * 100,
        eldP50: ms(h.percentile(50)),
        eldP99: ms(h.percentile(99)),
        eldMax: ms(h.max),
        rssMiB: Math.max(peakRss, mem.rss) / 2 ** 20,
        rssStartMiB: rssStart / 2 ** 20,
        heapUsedMiB: mem.heapUsed / 2 ** 20,
        wallMs,
      };
    },
  };
}

/** To the parent, if it is still there (a child must not crash because the parent went first). */
function tell(message: unknown): void {
  if (!process.connected) return;
  try {
    process.send?.(message);
  } catch {
    // channel closed in between: the disconnect handler ends this process
  }
}

export function pushEvent(event: string, data?: unknown): void {
  tell({ event, data });
}

/** Serve calls until the parent says shutdown (or goes away). `cleanup` must stop everything it started. */
export function serveCalls(handlers: Record<string, Handler>, cleanup: () => Promise<void>): void {
  let window: ReturnType<typeof startProcWindow> | null = null;
  let profile: (() => Promise<string>) | null = null;
  const builtins: Record<string, Handler> = {
    'stats.begin': (p: { profileDir?: string; label?: string } | undefined) => {
      window = startProcWindow();
      if (p?.profileDir) profile = startProfile(p.profileDir, p.label ?? 'proc');
      return true;
    },
    'stats.end': async () => {
      const w = window;
      window = null;
      const stats = w ? w.end() : null;
      const stop = profile;
      profile = null;
      return stats && { ...stats, profile: stop ? await stop() : undefined };
    },
    'gc': () => {
      (globalThis as { gc?: () => void }).gc?.();
      return process.memoryUsage();
    },
    shutdown: async () => {
      await cleanup();
      setImmediate(() => process.exit(0));
      return true;
    },
  };
  process.on('message', async (msg: { id: number; method: string; params: unknown }) => {
    const fn = handlers[msg.method] ?? builtins[msg.method];
    try {
      if (!fn) throw new Error(`unknown method ${msg.method}`);
      const result = await (fn as (p: unknown) => unknown)(msg.params);
      tell({ id: msg.id, ok: true, result });
    } catch (err) {
      tell({ id: msg.id, ok: false, error: err instanceof Error ? (err.stack ?? err.message) : String(err) });
    }
  });
  // the parent died or dropped us: never linger
  process.on('disconnect', () => {
    void cleanup().finally(() => process.exit(1));
  });
  tell({ ready: true });
}

/** Epoch milliseconds with sub-ms precision, comparable across the bench's processes on one machine. */
export function epochMs(): number {
  return performance.timeOrigin + performance.now();
}
