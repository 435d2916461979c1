// Console: renderer frame rate and host -> UI message rate with 50 live calls, in Chromium, against the
// built renderer served by the real host's console server (the same server `npm run serve` uses).
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { measureConsole, type BrowserRun } from '../lib/browser';
import { valueRow, type Row } from '../lib/report';
import { runScenario } from '../lib/scenario';
import type { Suite } from './types';

const ROOT = new URL('../../', import.meta.url).pathname;
const RENDERER = join(ROOT, 'out/renderer');

function newest(dir: string): number {
  let t = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    t = Math.max(t, e.isDirectory() ? newest(p) : statSync(p).mtimeMs);
  }
  return t;
}

/** Built and not older than its sources? Otherwise build it (full runs) or say why not (smoke). */
function ensureBuilt(smoke: boolean, note: (s: string) => void): boolean {
  const index = join(RENDERER, 'index.html');
  const fresh = existsSync(index) && statSync(index).mtimeMs >= newest(join(ROOT, 'src/renderer'));
  if (fresh) return true;
  if (smoke) {
    if (existsSync(index)) note('console: the built renderer is older than src/renderer (smoke runs do not rebuild)');
    return existsSync(index);
  }
  const r = spawnSync('npx', ['electron-vite', 'build'], { cwd: ROOT, stdio: 'ignore', timeout: 300_000 });
  if (r.status !== 0) note(`console: npx electron-vite build failed (status ${r.status})`);
  return r.status === 0 && existsSync(index);
}

export const consoleSuite: Suite = {
  name: 'console',
  async run(ctx) {
    if (!existsSync('/usr/bin/chromium')) {
      ctx.note('console: skipped — /usr/bin/chromium is not installed (apt-get install -y chromium)');
      return [];
    }
    if (!ensureBuilt(ctx.smoke, ctx.note)) {
      ctx.note('console: skipped — no built renderer (npx electron-vite build)');
      return [];
    }
    const calls = ctx.smoke ? 3 : 50;
    const windowMs = ctx.smoke ? 500 : 4000;
    let hostMessages = 0;
    const r = await runScenario<BrowserRun>({
      kind: 'ours',
      streams: calls,
      rampPerSec: 25,
      leadMs: 100,
      cloud: { store: 'memory', long: true, firstMs: [250, 250], gapMs: [300, 200], maxParts: ctx.smoke ? 3 : undefined },
      exact: false,
      warmupStreams: ctx.smoke ? 0 : 5,
      timeoutMs: 60_000,
      during: async (host) => {
        const { url } = await host.call<{ url: string }>('console', { rendererDir: RENDERER });
        await host.call('consoleCount');
        const t0 = performance.now();
        const run = await measureConsole(url, { settleMs: ctx.smoke ? 300 : 3000, windowMs });
        hostMessages = (await host.call<number>('consoleCount')) / ((performance.now() - t0) / 1000);
        return run;
      },
    });
    const run = r.during!;
    for (const n of run.notes) ctx.note(`console: ${n}`);
    const rows: Row[] = [];
    for (const [view, w] of Object.entries(run.views)) {
      ctx.log(`  ${view}: ${w.fps.toFixed(1)} fps (frame gap p99 ${w.gapP99.toFixed(1)} ms), ${((w.wsMessages / w.ms) * 1000).toFixed(0)} WS messages/s`);
      rows.push({
        suite: 'console',
        name: `renderer frame rate, ${calls} live calls, ${view}`,
        unit: 'fps',
        p50: Math.round(w.fps * 10) / 10,
        p99: Math.round((1000 / w.gapP99) * 10) / 10,
        max: null,
        n: w.frames,
        note: `p99 = 1000 / p99 frame gap (${w.gapP99.toFixed(1)} ms); longest gap ${w.gapMax.toFixed(0)} ms`,
        ...(ctx.smoke ? {} : { goal: '>= 50 fps', pass: w.fps >= 50 }),
      });
      rows.push(valueRow((w.wsMessages / w.ms) * 1000, w.wsMessages, { suite: 'console', name: `host -> UI WebSocket messages received by the page, ${view}`, unit: 'msg/s' }));
    }
    rows.push(valueRow(hostMessages, calls, { suite: 'console', name: `host -> UI messages pushed to one subscriber (counted at the host), ${calls} live calls`, unit: 'msg/s' }));
    ctx.detail('console', { views: run.views, host: r.host });
    return rows;
  },
};
