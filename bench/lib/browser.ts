// Chromium on the built console: frames per second by requestAnimationFrame counting in the page, and the
// WebSocket messages the page receives from the host, over one measurement window.
import { chromium, type Page } from 'playwright-core';

/** The flags the e2e suite uses (playwright.config.ts). */
const ARGS = ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'];

export interface FrameWindow {
  fps: number;
  frames: number;
  ms: number;
  /** Gaps between animation frames, ms: p50 / p99 / max. */
  gapP50: number;
  gapP99: number;
  gapMax: number;
  wsMessages: number;
}

export interface BrowserRun {
  views: Record<string, FrameWindow>;
  notes: string[];
}

/** Runs in the page; a plain string so the TypeScript loader's helpers (e.g. __name) never reach the page. */
const FRAME_COUNTER = `(windowMs) => new Promise((resolve) => {
  const gaps = [];
  let last = 0, frames = 0, t0 = 0;
  const step = (t) => {
    if (!t0) t0 = t; else gaps.push(t - last);
    last = t;
    frames++;
    if (t - t0 < windowMs) requestAnimationFrame(step);
    else resolve({ frames: frames - 1, ms: t - t0, gaps });
  };
  requestAnimationFrame(step);
})`;

async function countFrames(page: Page, ms: number, counter: { n: number }): Promise<FrameWindow> {
  counter.n = 0;
  const r = (await page.evaluate(`(${FRAME_COUNTER})(${ms})`)) as { frames: number; ms: number; gaps: number[] };
  const gaps = r.gaps.sort((a, b) => a - b);
  const at = (p: number) => gaps[Math.min(gaps.length - 1, Math.max(0, Math.ceil((p / 100) * gaps.length) - 1))] ?? NaN;
  return { fps: (r.frames / r.ms) * 1000, frames: r.frames, ms: r.ms, gapP50: at(50), gapP99: at(99), gapMax: gaps[gaps.length - 1] ?? NaN, wsMessages: counter.n };
}

/** Open the console, wait `settleMs`, measure the live list, then the first call's view. */
export async function measureConsole(url: string, o: { settleMs: number; windowMs: number; executablePath?: string }): Promise<BrowserRun> {
  const browser = await chromium.launch({ executablePath: o.executablePath ?? '/usr/bin/chromium', args: ARGS, headless: true });
  const notes: string[] = [];
  try {
    const page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
    const counter = { n: 0 };
    page.on('websocket', (ws) => ws.on('framereceived', () => counter.n++));
    page.on('pageerror', (err) => notes.length < 5 && notes.push(`page error: ${err.message.slice(0, 120)}`));
    await page.goto(url, { waitUntil: 'load' });
    await page.waitForTimeout(o.settleMs); // the load generator is ramping the calls up meanwhile
    const views: Record<string, FrameWindow> = { 'call list': await countFrames(page, o.windowMs, counter) };
    const row = page.locator('[role="option"]').first();
    if (await row.count()) {
      await row.click();
      await page.waitForTimeout(300);
      views['call view'] = await countFrames(page, o.windowMs, counter);
    } else notes.push('no call row ([role=option]) to open: only the list was measured');
    return { views, notes };
  } finally {
    await browser.close();
  }
}
