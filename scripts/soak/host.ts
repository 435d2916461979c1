// Soak host child: the real host (createHost, live mode, settings from the environment) in its own process, so
// its memory, handles and event-loop delay are measured apart from the load generator. Answers {sample} and
// {stop} over IPC. Started by scripts/soak/run.ts only (node --expose-gc --import tsx).
import { readdirSync } from 'node:fs';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { loadConfig } from '../../src/main/config/load';
import { createHost } from '../../src/main/host';
import { createLogger } from '../../src/main/log';
import { readStatus, rssSplit } from './proc';

export interface SoakSample {
  at: number;
  rssMb: number;
  heapUsedMb: number;
  heapTotalMb: number;
  externalMb: number;
  /** RSS split (/proc/self/status; -1 where there is none): anonymous (malloc, V8 heaps) vs file-backed pages
   * (the node binary and shared libraries, paged in as code paths first run) — only anonymous growth can be a leak. */
  rssAnonMb: number;
  rssFileMb: number;
  /** Open file descriptors (/proc/self/fd; -1 where there is none): files, sockets, pipes. Handles miss open files. */
  fds: number;
  /** process.getActiveResourcesInfo(): total and by type. */
  handles: number;
  handleTypes: Record<string, number>;
  /** Event-loop delay since the previous sample (ms). */
  loopP50Ms: number;
  loopP99Ms: number;
  loopMaxMs: number;
  activeCalls: number;
  registryCalls: number;
  streams: number;
}

const mb = (n: number) => Math.round((n / 1048576) * 10) / 10;
const ms = (ns: number) => Math.round((ns / 1e6) * 10) / 10;

const openFds = (): number => {
  try {
    return readdirSync('/proc/self/fd').length;
  } catch {
    return -1;
  }
};

async function main(): Promise<void> {
  const config = loadConfig();
  const host = createHost({ config, log: createLogger(config.settings.LOG_LEVEL) });
  await host.start();
  const loop = monitorEventLoopDelay({ resolution: 10 });
  loop.enable();
  const sample = (): SoakSample => {
    (globalThis as { gc?: () => void }).gc?.();
    const m = process.memoryUsage();
    const types: Record<string, number> = {};
    const handles = process.getActiveResourcesInfo();
    for (const t of handles) types[t] = (types[t] ?? 0) + 1;
    const s: SoakSample = {
      at: Date.now(),
      rssMb: mb(m.rss),
      heapUsedMb: mb(m.heapUsed),
      heapTotalMb: mb(m.heapTotal),
      externalMb: mb(m.external),
      ...rssSplit(readStatus()),
      fds: openFds(),
      handles: handles.length,
      handleTypes: types,
      loopP50Ms: ms(loop.percentile(50)),
      loopP99Ms: ms(loop.percentile(99)),
      loopMaxMs: ms(loop.max),
      activeCalls: host.registry.active().length,
      registryCalls: host.registry.list().length,
      streams: 0,
    };
    const off = host.api.subscribe((msg) => {
      if (msg.kind === 'snapshot') s.streams = Number(/(\d+) streams/.exec(msg.snapshot.health.media.detail ?? '')?.[1] ?? 0);
    });
    off();
    loop.reset();
    return s;
  };
  process.on('message', (m: { id: number; op: 'sample' | 'stop' }) => {
    if (m.op === 'sample') process.send?.({ id: m.id, result: sample() });
    if (m.op === 'stop') {
      loop.disable();
      void host.stop().then(() => {
        process.send?.({ id: m.id, result: null });
        process.disconnect?.();
      });
    }
  });
  process.send?.({ ready: true, ports: host.ports, media: host.urls.media });
}

void main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
