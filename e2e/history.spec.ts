// History survives a host restart: a finished call is on disk, listed, opens read-only and exports.
import { mkdirSync, readFileSync } from 'node:fs';
import { expect, test } from './fixtures';

test('history survives a host restart and opens the call read-only', async ({ page, host }) => {
  await page.addInitScript(() => localStorage.setItem('frontdoor.prefs.v1', JSON.stringify({ locale: 'en', theme: 'dark' })));
  await page.goto(host.consoleUrl);
  await page.getByRole('complementary', { name: 'Calls' }).getByRole('button', { name: 'Simulate call' }).click();
  await page.getByRole('menuitem', { name: 'Hang-up mid-reply' }).click();
  const row = page.getByRole('listbox', { name: 'Calls' }).getByRole('option').first();
  await expect(row).toHaveAttribute('data-state', 'ended', { timeout: 30_000 });
  const callSid = (await row.getAttribute('data-callsid'))!;
  const number = (await row.locator('.row-number').textContent())!;

  await host.restart();
  await page.goto(host.consoleUrl);
  await page.getByRole('button', { name: 'History' }).click();
  const entry = page.locator(`tr[data-callsid="${callSid}"]`);
  await expect(entry).toBeVisible({ timeout: 20_000 });
  await expect(entry).toContainText(number);
  await page.getByRole('search').getByRole('searchbox').fill(number.slice(-4));
  await expect(entry).toBeVisible();
  mkdirSync('test-results/screenshots', { recursive: true });
  await page.screenshot({ path: 'test-results/screenshots/history.png' });

  await entry.click();
  await expect(page.locator('.call-view')).toHaveAttribute('data-callsid', callSid);
  await expect(page.locator('.call-view')).toHaveAttribute('data-readonly', 'true');
  await expect(page.getByRole('region', { name: 'Conversation' }).locator('[data-kind=bot]').first()).toBeVisible();
  await expect(page.getByRole('button', { name: 'Hand off', exact: true })).toBeDisabled();
  const download = page.waitForEvent('download');
  await page.getByRole('button', { name: 'Export JSON' }).click();
  const file = await (await download).path();
  const exported = JSON.parse(readFileSync(file, 'utf8')) as { call?: { callSid: string } };
  expect(JSON.stringify(exported)).toContain(callSid);
  await page.screenshot({ path: 'test-results/screenshots/history-call.png' });
});
