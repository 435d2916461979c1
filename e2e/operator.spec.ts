// ops (issue 15): health that is real, Say to the caller, the first impression. Browser mode against a real headless
// host. Live-mode tests start real stand-ins here — s3rver, the Twilio REST stand-in (it records every request) and
// a closed port for TTS_URL — and point the host at them; demo-mode tests use the embedded demo.
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from '@playwright/test';
import S3rver from 's3rver';
import { startTwilioRestStandIn, type StandIn } from '../src/main/sim/twilio-rest-standin';
import { postWebhook, randomSid, twilioCallParams } from '../src/main/sim/webhook-client';
import { expect, test as base } from './fixtures';
import { closedPort } from '../test/helpers/ports';

const SHOTS = 'test-results/screenshots';
const PUBLIC_URL = 'https://frontdoor.example.ngrok.app';
const ACCOUNT_SID = 'AC' + '1234567890abcdef'.repeat(2);
const AUTH_TOKEN = 'e2e-auth-token-0123456789';
const SAY = '잠시만 기다려 주세요. 담당자가 곧 확인해 드리겠습니다.';

/** Live mode against stand-ins started here; `broken` gives the host a closed TTS port, a wrong S3 key and a wrong token. */
const test = base.extend<{ broken: boolean; twilioApi: StandIn }>({
  broken: [false, { option: true }],
  // eslint-disable-next-line no-empty-pattern -- Playwright reads the fixture's dependencies from this destructuring
  twilioApi: async ({}, use) => {
    const api = await startTwilioRestStandIn({ accountSid: ACCOUNT_SID, authToken: AUTH_TOKEN, numbers: [{ phoneNumber: '+827055500100', voiceUrl: `${PUBLIC_URL}/voice_gather` }] });
    await use(api);
    await api.stop();
  },
  hostEnv: async ({ broken, twilioApi }, use) => {
    const directory = mkdtempSync(join(tmpdir(), 's3rver-e2e-'));
    const s3 = new S3rver({ address: '127.0.0.1', port: 0, silent: true, directory, configureBuckets: [{ name: 'tts-parts', configs: [] }] });
    const { port } = await s3.run();
    const ttsPort = broken ? await closedPort() : port; // s3rver answers any GET: a reachable "TTS"
    await use({
      DEMO: 'off',
      PUBLIC_URL,
      TWILIO_ACCOUNT_SID: ACCOUNT_SID,
      TWILIO_AUTH_TOKEN: broken ? 'wrong-auth-token-000000' : AUTH_TOKEN,
      TWILIO_API_BASE_URL: twilioApi.url,
      CONNECT_DID: '+8225551234',
      TTS_URL: `http://127.0.0.1:${ttsPort}/jobs`,
      S3_ENDPOINT: `http://127.0.0.1:${port}`,
      TTS_BUCKET: 'tts-parts',
      S3_FORCE_PATH_STYLE: 'true',
      AWS_REGION: 'us-east-1',
      AWS_ACCESS_KEY_ID: broken ? 'WRONGKEY' : 'S3RVER',
      AWS_SECRET_ACCESS_KEY: broken ? 'wrong-secret' : 'S3RVER',
    });
    await s3.close();
    rmSync(directory, { recursive: true, force: true });
  },
});

async function openConsole(page: Page, url: string): Promise<void> {
  await page.addInitScript(() => localStorage.setItem('frontdoor.prefs.v1', JSON.stringify({ locale: 'en', theme: 'dark', presentation: false })));
  await page.goto(url);
  await expect(page.getByRole('navigation', { name: 'Views' })).toBeVisible();
}

async function shot(page: Page, name: string): Promise<void> {
  mkdirSync(SHOTS, { recursive: true });
  await page.screenshot({ path: `${SHOTS}/${name}.png`, style: '.toasts { display: none !important; }' });
}

const check = (page: Page, id: string) => page.getByTestId('health-card').locator(`[data-check=${id}]`);

test.describe('health checks go red against wrong settings', () => {
  test.use({ broken: true });

  test('each red check shows its fix in Setup, the dots say why, and a banner warns before any call', async ({ page, host }) => {
    await openConsole(page, host.consoleUrl);
    // the banner and the dots come from the checks the host ran at start
    await expect(page.getByTestId('health-banner')).toContainText('health check(s) failing');
    const tts = page.locator('.services .svc').filter({ hasText: 'TTS' });
    await expect(tts).toHaveClass(/svc-down/);
    await expect(tts).toHaveAttribute('title', /connection refused/);
    await page.getByTestId('health-banner').getByRole('button', { name: 'Open Setup' }).click();
    await expect(check(page, 'tts')).toHaveAttribute('data-level', 'red');
    await expect(check(page, 'tts')).toContainText('connection refused');
    await expect(check(page, 'tts').locator('.check-fix')).toContainText('Start the TTS service or correct TTS_URL');
    await expect(check(page, 's3')).toHaveAttribute('data-level', 'red');
    await expect(check(page, 's3')).toContainText('S3 rejected the credentials (InvalidAccessKeyId)');
    await expect(check(page, 's3').locator('.check-fix')).toContainText('AWS_ACCESS_KEY_ID');
    await expect(check(page, 'twilio')).toHaveAttribute('data-level', 'red');
    await expect(check(page, 'twilio')).toContainText('Twilio 20003');
    await expect(check(page, 'twilio').locator('.check-fix')).toContainText('TWILIO_AUTH_TOKEN');
    await expect(check(page, 'connectDid')).toHaveAttribute('data-level', 'amber');
    await expect(check(page, 'connectDid').locator('.check-fix')).toContainText('Geo Permissions');
    // the wrong token cannot list the account's numbers either: what Twilio is told cannot be confirmed
    await expect(check(page, 'publicUrl')).toHaveAttribute('data-level', 'amber');
    // on demand: Run checks asks the host again
    const before = await page.getByTestId('health-card').locator('.health-actions .muted').textContent();
    await page.getByRole('button', { name: 'Run checks' }).click();
    await expect(page.getByRole('button', { name: 'Run checks' })).toBeEnabled();
    await expect(check(page, 'tts')).toHaveAttribute('data-level', 'red');
    expect(before).toMatch(/Checked/);
    await shot(page, 'setup-health-red');
  });
});

test.describe('say to the caller', () => {
  test('a typed Korean sentence on a Gather call becomes a <Say> REST update', async ({ page, host, twilioApi }) => {
    await openConsole(page, host.consoleUrl);
    const callSid = randomSid();
    const res = await postWebhook({
      httpBase: `http://127.0.0.1:${host.ports.http}`,
      publicUrl: PUBLIC_URL,
      path: '/voice_gather',
      params: twilioCallParams({ callSid, accountSid: ACCOUNT_SID, from: '+821055501234', to: '+827055500100' }),
      authToken: AUTH_TOKEN,
    });
    expect(res.status).toBe(200);
    await page.locator(`.rail [data-callsid=${callSid}]`).click();
    const composer = page.getByTestId('say-composer');
    await expect(composer).toContainText('Twilio <Say>');
    await expect(composer.getByRole('button', { name: 'Hold bot' })).toBeDisabled(); // streamed calls only
    await composer.getByRole('textbox').fill(SAY);
    await composer.getByRole('button', { name: 'Say', exact: true }).click();
    await expect.poll(() => twilioApi.requests.find((r) => r.method === 'POST' && r.path.endsWith(`/Calls/${callSid}.json`))?.form.Twiml ?? '').toContain(`${SAY}</Say><Gather`);
    const twiml = twilioApi.requests.find((r) => r.path.endsWith(`/Calls/${callSid}.json`))!.form.Twiml!;
    expect(twiml).toMatch(/^<\?xml[^>]*><Response><Say[^>]*language="ko-KR"[^>]*>/);
    expect(twiml).toContain(`action="${PUBLIC_URL}/handle_speech"`);
    // the composer clears and the conversation shows the operator's words
    await expect(composer.getByRole('textbox')).toHaveValue('');
    const said = page.getByRole('region', { name: 'Conversation' }).locator('[data-operator]');
    await expect(said).toContainText(SAY);
    await expect(said).toContainText('Operator');
    await composer.getByRole('textbox').fill('주문 번호를 말씀해 주시겠어요?');
    await shot(page, 'say-composer');
    await composer.getByRole('textbox').fill('');
    // a saved phrase is one click
    await composer.getByRole('group', { name: 'Saved phrases' }).getByRole('button').first().click();
    await expect.poll(() => twilioApi.requests.filter((r) => r.path.endsWith(`/Calls/${callSid}.json`)).length).toBe(2);
  });
});

base.describe('first impression (demo)', () => {
  base('Simulate call opens the call it started; Setup shows the stand-ins checked green', async ({ page, host }) => {
    await openConsole(page, host.consoleUrl);
    await page.locator('.rail').getByRole('button', { name: 'Simulate call' }).click();
    await page.getByRole('menuitem', { name: 'Gather conversation (Korean)' }).click();
    // no click on the row: the call view opens by itself
    await expect(page.locator('.call-view')).toBeVisible();
    const sid = await page.locator('.call-view').getAttribute('data-callsid');
    await expect(page.locator(`.rail [data-callsid=${sid}]`)).toHaveAttribute('aria-selected', 'true');
    await expect(page.getByTestId('say-composer')).toBeVisible();
    await page.getByRole('navigation', { name: 'Views' }).getByRole('button', { name: 'Setup', exact: true }).click();
    for (const id of ['tts', 's3', 'twilio', 'connectDid', 'publicUrl']) await expect(check(page, id)).toHaveAttribute('data-level', 'green');
    await expect(page.getByTestId('health-card')).toContainText('All 5 checks pass');
    await shot(page, 'setup-health');
  });

  base.describe('auto-demo', () => {
    base.use({ hostEnv: { AUTO_DEMO: 'true' } });
    base('opens on a live streamed call with its charts moving', async ({ page, host }) => {
      await openConsole(page, host.consoleUrl);
      await expect(page.locator('.call-view')).toBeVisible({ timeout: 45_000 });
      await expect(page.locator('.call-view .chip').first()).toBeVisible();
      const pacing = page.getByTestId('pacing-chart').locator('.uplot');
      await expect.poll(async () => Number(await pacing.getAttribute('data-samples')), { timeout: 45_000 }).toBeGreaterThan(0);
      await expect(page.getByTestId('say-composer')).toContainText('TTS on the stream');
      const parts = page.getByTestId('parts-chart');
      await expect.poll(async () => Number(await parts.getAttribute('data-drawn')), { timeout: 30_000 }).toBeGreaterThan(0);
      await shot(page, 'first-screen-demo');
    });
  });
});
