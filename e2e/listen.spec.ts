// Listen-in and recordings in Chromium against the real headless host (demo mode): Listen on a live streamed call
// receives audio batches for both legs and stops on hang-up; the finished call plays back in History (waveform
// drawn, play moves the playhead) and exports a 2-channel WAV. Screenshots of the Listen control and the player.
import { mkdirSync, readFileSync } from 'node:fs';
import type { Page } from '@playwright/test';
import { expect, test } from './fixtures';

const SHOTS = 'test-results/screenshots';

async function openConsole(page: Page, url: string): Promise<void> {
  await page.addInitScript(() => localStorage.setItem('frontdoor.prefs.v1', JSON.stringify({ locale: 'en', theme: 'dark', presentation: false })));
  await page.goto(url);
  await expect(page.getByRole('navigation', { name: 'Views' })).toBeVisible();
}

async function streamedCall(page: Page, scenario = 'Streamed reply'): Promise<string> {
  await page.locator('.rail').getByRole('button', { name: 'Simulate call' }).click();
  await page.getByRole('menuitem', { name: scenario }).click();
  const row = page.locator('.rail').getByRole('listbox').getByRole('option').first();
  await row.click();
  return (await row.getAttribute('data-callsid'))!;
}

async function hangUp(page: Page): Promise<void> {
  await page.getByRole('button', { name: 'Hang up', exact: true }).click();
  await page.getByRole('dialog').getByRole('button', { name: 'Hang up', exact: true }).click();
}

const batches = async (page: Page, leg: 'caller' | 'bot') => Number(await page.getByTestId('listen').getAttribute(`data-${leg}-batches`));

test('Listen receives audio for both legs and stops on hang-up', async ({ page, host }) => {
  await openConsole(page, host.consoleUrl);
  await streamedCall(page);
  const listen = page.getByTestId('listen');
  await expect(listen).toHaveAttribute('data-state', 'idle', { timeout: 20_000 });
  await listen.getByRole('button', { name: 'Listen' }).click();
  await expect(listen).toHaveAttribute('data-state', 'live');
  await expect.poll(() => batches(page, 'caller'), { timeout: 20_000 }).toBeGreaterThan(5);
  await expect.poll(() => batches(page, 'bot'), { timeout: 30_000 }).toBeGreaterThan(5);
  await expect(listen.getByRole('slider', { name: 'Caller volume' })).toBeVisible();
  await expect(listen.getByRole('meter', { name: 'Bot level' })).toBeVisible();
  await expect(listen.getByRole('status')).toContainText(/Listening live · \d+ ms behind/);
  mkdirSync(SHOTS, { recursive: true });
  const header = (await page.locator('.call-header').boundingBox())!;
  const bar = (await listen.boundingBox())!;
  await page.screenshot({ path: `${SHOTS}/listen.png`, clip: { x: header.x - 12, y: header.y - 12, width: header.width + 24, height: bar.y + bar.height + 12 - (header.y - 12) }, style: '.toasts { display: none !important; }' });
  await hangUp(page);
  await expect(listen).toHaveAttribute('data-state', 'stopped', { timeout: 20_000 });
  await expect(listen).toHaveAttribute('data-reason', 'call ended');
  const after = [await batches(page, 'caller'), await batches(page, 'bot')];
  await page.waitForTimeout(500);
  expect([await batches(page, 'caller'), await batches(page, 'bot')]).toEqual(after);
});

test('a finished streamed call plays back in History and exports a 2-channel WAV', async ({ page, host }) => {
  await openConsole(page, host.consoleUrl);
  // the caller talks over the greeting: both legs and a barge-in are on the recording
  const callSid = await streamedCall(page, 'Caller barges in');
  // let the greeting, the barge-in and the caller's turn be recorded, then hang up
  await expect(page.getByRole('region', { name: 'Conversation' }).locator('[data-kind=caller]').first()).toBeVisible({ timeout: 40_000 });
  await page.waitForTimeout(2500);
  await hangUp(page);
  await expect(page.locator('.rail').getByRole('listbox').getByRole('option').first()).toHaveAttribute('data-state', 'ended', { timeout: 20_000 });
  await page.getByRole('button', { name: 'History' }).click();
  await page.locator(`tr[data-callsid="${callSid}"]`).click();
  const player = page.getByTestId('recording-player');
  await expect(player).toHaveAttribute('data-state', 'ready', { timeout: 20_000 });
  await expect.poll(async () => Number(await player.getAttribute('data-inked'))).toBeGreaterThan(50);
  expect(Number(await player.getAttribute('data-duration-ms'))).toBeGreaterThan(1500);
  await player.getByRole('button', { name: 'Play' }).click();
  await expect(player).toHaveAttribute('data-state', 'playing');
  await expect.poll(async () => Number(await player.getAttribute('data-position-ms'))).toBeGreaterThan(300);
  await player.getByRole('button', { name: 'Pause' }).click();
  // seek: a click at the middle of the waveform
  const canvas = player.locator('canvas');
  const box = (await canvas.boundingBox())!;
  await canvas.click({ position: { x: box.width / 2, y: 40 } });
  const middle = Number(await player.getAttribute('data-duration-ms')) / 2;
  await expect.poll(async () => Math.abs(Number(await player.getAttribute('data-position-ms')) - middle)).toBeLessThan(middle * 0.05 + 50);
  mkdirSync(SHOTS, { recursive: true });
  await page.screenshot({ path: `${SHOTS}/history-player.png`, style: '.toasts { display: none !important; }' });

  const [download] = await Promise.all([page.waitForEvent('download'), player.getByRole('button', { name: 'WAV (μ-law)' }).click()]);
  expect(download.suggestedFilename()).toBe(`front-door-call-${callSid}-mulaw.wav`);
  const wav = readFileSync((await download.path())!);
  expect(wav.subarray(0, 4).toString('latin1')).toBe('RIFF');
  expect(wav.subarray(8, 12).toString('latin1')).toBe('WAVE');
  expect(wav.readUInt16LE(20)).toBe(7); // mu-law
  expect(wav.readUInt16LE(22)).toBe(2); // caller left, bot right
  expect(wav.readUInt32LE(24)).toBe(8000);
  const data = wav.subarray(58);
  const sound = (c: number) => data.filter((b, i) => i % 2 === c && b !== 0xff).length;
  expect(sound(0)).toBeGreaterThan(4000); // the scripted caller spoke over it
  expect(sound(1)).toBeGreaterThan(4000); // the bot's greeting played until the caller barged in
});
