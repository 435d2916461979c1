// The console driven as an operator, in browser mode against the real headless host (demo mode):
// calls appear, transcripts update live, the audio charts draw, handoff confirms and reaches the
// REST stand-in, presentation mode masks, keyboard works; screenshots of each view are saved.
import { mkdirSync } from 'node:fs';
import type { Page } from '@playwright/test';
import { expect, test } from './fixtures';

const SHOTS = 'test-results/screenshots';

type Scenario = 'Gather conversation (Korean)' | 'Streamed reply' | 'Operator hand-off' | 'Hang-up mid-reply' | 'Caller barges in' | 'TTS failure' | '스트리밍 응답';

async function openConsole(page: Page, url: string, prefs: Record<string, unknown> = {}): Promise<void> {
  await page.addInitScript((p) => localStorage.setItem('frontdoor.prefs.v1', JSON.stringify({ locale: 'en', theme: 'dark', presentation: false, ...p })), prefs);
  await page.goto(url);
  await expect(page.getByRole('navigation', { name: 'Views' })).toBeVisible();
  // the token left the address bar
  expect(page.url()).not.toContain('token=');
}

async function simulate(page: Page, scenario: Scenario): Promise<void> {
  await page.locator('.rail').getByRole('button', { name: /Simulate call|통화 시뮬레이션/ }).click();
  await page.getByRole('menuitem', { name: scenario }).click();
}

const rows = (page: Page) => page.locator('.rail').getByRole('listbox').getByRole('option');
const conversation = (page: Page) => page.getByRole('region', { name: 'Conversation' });

async function shot(page: Page, name: string): Promise<void> {
  mkdirSync(SHOTS, { recursive: true });
  // toasts are transient: keep them out of the pictures
  await page.screenshot({ path: `${SHOTS}/${name}.png`, style: '.toasts { display: none !important; }' });
}

test('a simulated call appears and its transcript updates live', async ({ page, host }) => {
  await openConsole(page, host.consoleUrl);
  await expect(page.getByText('No calls yet')).toBeVisible();
  await shot(page, 'empty-state');
  await simulate(page, 'Gather conversation (Korean)');
  await expect(rows(page)).toHaveCount(1);
  await expect(rows(page).first()).toContainText('simulated');
  await rows(page).first().click();
  const callerLines = conversation(page).locator('[data-kind=caller]');
  await expect(callerLines.first()).toBeVisible({ timeout: 30_000 });
  const first = await callerLines.count();
  // the next turn arrives without a reload
  await expect.poll(() => callerLines.count(), { timeout: 45_000 }).toBeGreaterThan(first);
  await expect(rows(page).first().locator('.row-transcript')).toHaveText(/“.+”/);
  await shot(page, 'live-gather-call');
});

test('parts chart and pacing chart draw for a streamed call', async ({ page, host }) => {
  await openConsole(page, host.consoleUrl);
  await simulate(page, 'Streamed reply');
  await rows(page).first().click();
  const parts = page.getByTestId('parts-chart');
  await expect.poll(async () => Number(await parts.getAttribute('data-drawn')), { timeout: 30_000 }).toBeGreaterThan(0);
  const pacing = page.getByTestId('pacing-chart').locator('.uplot');
  await expect.poll(async () => Number(await pacing.getAttribute('data-samples')), { timeout: 30_000 }).toBeGreaterThan(0);
  // both canvases really have pixels on them
  const inked = (selector: string) =>
    page.evaluate((sel) => {
      const canvas = document.querySelector(sel) as HTMLCanvasElement | null;
      const data = canvas?.getContext('2d')?.getImageData(0, 0, canvas.width, canvas.height).data;
      let n = 0;
      for (let i = 3; data && i < data.length; i += 4) if (data[i] > 0) n++;
      return n;
    }, selector);
  expect(await inked('[data-testid=parts-chart]')).toBeGreaterThan(500);
  expect(await inked('[data-testid=pacing-chart] canvas')).toBeGreaterThan(500);
  await expect(page.locator('.parts .stat-hero dd')).toHaveText(/\d+ ms|\d\.\d s/);
  await shot(page, 'call-stream-dark');
  await page.getByRole('button', { name: 'Light theme' }).click();
  await page.waitForTimeout(400); // let the charts repaint in the new colours before the picture
  await shot(page, 'call-stream-light');
});

test('hand off asks to confirm, reaches the REST stand-in and shows the outcome', async ({ page, host }) => {
  await openConsole(page, host.consoleUrl);
  await simulate(page, 'Operator hand-off');
  await rows(page).first().click();
  const handOff = page.getByRole('button', { name: 'Hand off', exact: true });
  await expect(handOff).toBeEnabled({ timeout: 20_000 });
  await handOff.click();
  const dialog = page.getByRole('dialog');
  await expect(dialog).toContainText('Hand off this call?');
  await expect(dialog).toContainText('+82 2-555-0199');
  await shot(page, 'handoff-confirm');
  await dialog.getByRole('button', { name: 'Cancel' }).click();
  await expect(dialog).toBeHidden();
  await expect(page.locator('[data-handoff]')).toHaveCount(0);
  await page.keyboard.press('h');
  await page.getByRole('dialog').getByRole('button', { name: 'Hand off', exact: true }).click();
  const steps = page.locator('.handoff-steps');
  await expect(steps).toHaveAttribute('data-handoff', /requested|accepted|dialing|connected/, { timeout: 20_000 });
  await expect(steps).toHaveAttribute('data-handoff', 'connected', { timeout: 40_000 });
  await expect(conversation(page).locator('[data-kind=handoff][data-status=connected]')).toBeVisible();
  await expect(rows(page).first()).toHaveAttribute('data-state', 'with_agent');
  await expect(handOff).toBeDisabled();
  await shot(page, 'handoff-connected');
});

test('presentation mode masks numbers everywhere and hides Setup', async ({ page, host }) => {
  await openConsole(page, host.consoleUrl);
  await simulate(page, 'Gather conversation (Korean)');
  await rows(page).first().click();
  const number = (await page.getByTestId('call-number').textContent()) ?? '';
  expect(number).toMatch(/^\+82 \d{2}-\d{4}-\d{4}$/);
  await page.getByRole('button', { name: 'Presentation' }).click();
  await expect(page.getByTestId('call-number')).toContainText('•');
  await expect(rows(page).first().locator('.row-number')).toContainText('•');
  await expect(page.getByText(number, { exact: true })).toHaveCount(0);
  await expect(page.getByRole('button', { name: 'Setup' })).toHaveCount(0);
  await shot(page, 'presentation-mode');
});

test('keyboard: arrows move, Enter opens, H asks to hand off', async ({ page, host }) => {
  await openConsole(page, host.consoleUrl);
  await simulate(page, 'Gather conversation (Korean)');
  await expect(rows(page)).toHaveCount(1);
  await simulate(page, 'Streamed reply');
  await expect(rows(page)).toHaveCount(2);
  const sids = await rows(page).evaluateAll((els) => els.map((e) => (e as HTMLElement).dataset.callsid));
  // ops: Simulate call opened the call it started (the newest), and the keyboard cursor is on it
  await expect(page.locator('.call-view')).toHaveAttribute('data-callsid', sids[0]!);
  await page.locator('body').click({ position: { x: 900, y: 400 } });
  await page.keyboard.press('ArrowDown');
  await page.keyboard.press('Enter');
  await expect(page.locator('.call-view')).toHaveAttribute('data-callsid', sids[1]!);
  await page.keyboard.press('ArrowUp');
  await page.keyboard.press('Enter');
  await expect(page.locator('.call-view')).toHaveAttribute('data-callsid', sids[0]!);
  await page.keyboard.press('h');
  await expect(page.getByRole('dialog')).toBeVisible();
  await page.keyboard.press('Escape');
  await expect(page.getByRole('dialog')).toBeHidden();
});

test('Korean UI, and the Setup view with webhooks and settings', async ({ page, host }) => {
  await openConsole(page, host.consoleUrl, { locale: 'ko', theme: 'light' });
  await simulate(page, '스트리밍 응답');
  await rows(page).first().click();
  await expect(page.getByRole('button', { name: '상담원 연결', exact: true })).toBeVisible();
  await page.waitForTimeout(3000); // a few turns of conversation for the picture
  await shot(page, 'call-korean-light');
  await page.getByRole('button', { name: '설정' }).click();
  await expect(page.getByText('Twilio 콘솔용 웹훅')).toBeVisible();
  await page.getByRole('button', { name: 'EN' }).click();
  await expect(page.getByText('Webhooks for the Twilio console')).toBeVisible();
  await expect(page.locator('.hook-url').first()).toHaveText(/^https?:\/\/.+\/voice_/);
  await expect(page.locator('[data-setting=TWILIO_AUTH_TOKEN] td').nth(2)).toHaveText(/set \(hidden\)|not set/);
  await shot(page, 'setup');
});

test('a wrong access token gets a clear screen and no call data', async ({ page, host }) => {
  const url = new URL(host.consoleUrl);
  url.searchParams.set('token', 'not-the-console-token-000');
  await page.goto(url.toString());
  await expect(page.getByRole('alertdialog')).toContainText('Access token missing or invalid');
  await expect(page.getByRole('alertdialog')).toContainText('The host refused this token');
  await expect(page.locator('.rail [role=option]')).toHaveCount(0);
});

test('a TTS failure flags the call in the list', async ({ page, host }) => {
  await openConsole(page, host.consoleUrl);
  await simulate(page, 'TTS failure');
  const row = rows(page).first();
  await expect(row.locator('.attention')).toContainText('TTS error', { timeout: 30_000 });
  await expect(row).toHaveClass(/flagged/);
  await row.click();
  await expect(page.getByRole('region', { name: 'Events' }).locator('.log-line.bad').first()).toBeVisible();
  await shot(page, 'tts-failure');
});
