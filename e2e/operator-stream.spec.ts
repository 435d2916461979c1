// The operator's words on a streamed call (demo mode, the real host): typed Korean becomes a TTS job on the call's
// one media stream — the bot's reply stops, the operator's reply plays (its first audio is measured) — and shows as
// the operator's in the conversation.
import type { Page } from '@playwright/test';
import { expect, test } from './fixtures';

const SAY = '잠시만요, 담당자가 확인하고 있습니다.';

async function openConsole(page: Page, url: string): Promise<void> {
  await page.addInitScript(() => localStorage.setItem('frontdoor.prefs.v1', JSON.stringify({ locale: 'en', theme: 'dark', presentation: false })));
  await page.goto(url);
  await expect(page.getByRole('navigation', { name: 'Views' })).toBeVisible();
}

test('a typed Korean sentence on a streamed call plays on its stream as the operator', async ({ page, host }) => {
  await openConsole(page, host.consoleUrl);
  await page.locator('.rail').getByRole('button', { name: 'Simulate call' }).click();
  await page.getByRole('menuitem', { name: 'Streamed reply' }).click();
  const conversation = page.getByRole('region', { name: 'Conversation' });
  await expect(conversation.locator('[data-reply-kind=greeting]')).toBeVisible();
  const composer = page.getByTestId('say-composer');
  await expect(composer).toContainText('TTS on the stream');
  await composer.getByRole('textbox').fill(SAY);
  await composer.getByRole('button', { name: 'Say', exact: true }).click();
  const said = conversation.locator('[data-operator]');
  await expect(said).toContainText(SAY);
  await expect(said).toContainText('Operator');
  // it went through the TTS pipeline and its first frame reached the stream: the reply's time to first audio
  await expect(said.locator('.msg-note')).toContainText(/\d/, { timeout: 20_000 });
});
