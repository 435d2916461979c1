import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig, testConfig } from './load';

const load = (env: Record<string, string>) => loadConfig({ env, envFile: false });

describe('loadConfig', () => {
  it('uses the seed defaults and Korean conversation defaults with no settings (demo mode)', () => {
    const c = testConfig();
    expect(c.mode).toBe('demo');
    expect(c.settings.HTTP_PORT).toBe(5000);
    expect(c.settings.WS_PORT).toBe(8765);
    expect(c.settings.CONSOLE_PORT).toBe(5173);
    expect(c.settings.SPEECH_LANGUAGE).toBe('ko-KR');
    expect(c.settings.HANDOFF_KEYWORDS).toEqual(['상담원', '상담사', '사람', 'agent']);
    expect(c.settings.SKIP_SIGNATURE_VALIDATION).toBe(false);
    expect(c.settings.KEY_PREFIX).toBe('tts');
    expect(c.consoleTokenGenerated).toBe(true);
    expect(c.consoleToken.length).toBeGreaterThanOrEqual(16);
  });

  it.each([
    [{ HTTP_PORT: 'abc' }, 'HTTP_PORT'],
    [{ WS_PORT: '70000' }, 'WS_PORT'],
    [{ PUBLIC_URL: 'not a url' }, 'PUBLIC_URL'],
    [{ PUBLIC_URL: 'ftp://example.com' }, 'PUBLIC_URL'],
    [{ PUBLIC_WS_URL: 'wss://example.com/media?x=1' }, 'PUBLIC_WS_URL'],
    [{ CONNECT_DID: '010-1234-5678' }, 'CONNECT_DID'],
    [{ SKIP_SIGNATURE_VALIDATION: 'maybe' }, 'SKIP_SIGNATURE_VALIDATION'],
    [{ SPEECH_TIMEOUT: '1.5' }, 'SPEECH_TIMEOUT'],
    [{ TWILIO_ACCOUNT_SID: 'AC123' }, 'TWILIO_ACCOUNT_SID'],
    [{ S3_ENDPOINT: 'http://127.0.0.1:4568' }, 'TTS_BUCKET'],
  ])('rejects %o naming %s in one line', (env, name) => {
    let error: unknown;
    try {
      load(env as Record<string, string>);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).setting).toBe(name);
    expect((error as Error).message).toContain(name);
    expect((error as Error).message).not.toContain('\n');
  });

  it('never echoes a secret value in its error', () => {
    expect(() => load({ TWILIO_AUTH_TOKEN: 'short' })).toThrow(/TWILIO_AUTH_TOKEN/);
    try {
      load({ TWILIO_AUTH_TOKEN: 'short' });
    } catch (e) {
      expect((e as Error).message).not.toContain('short"');
    }
  });

  it('is live mode with Twilio settings and then requires the auth token and PUBLIC_URL', () => {
    expect(() => load({ TWILIO_ACCOUNT_SID: 'AC' + 'a'.repeat(32) })).toThrow(/TWILIO_AUTH_TOKEN/);
    expect(() => load({ TWILIO_ACCOUNT_SID: 'AC' + 'a'.repeat(32), TWILIO_AUTH_TOKEN: 'x'.repeat(32) })).toThrow(/PUBLIC_URL/);
    const c = load({ TWILIO_ACCOUNT_SID: 'AC' + 'a'.repeat(32), TWILIO_AUTH_TOKEN: 'x'.repeat(32), PUBLIC_URL: 'https://abc.ngrok.app/' });
    expect(c.mode).toBe('live');
    expect(c.settings.PUBLIC_URL).toBe('https://abc.ngrok.app');
  });

  it('refuses skipping signature validation in production', () => {
    expect(() => load({ SKIP_SIGNATURE_VALIDATION: 'true', NODE_ENV: 'production' })).toThrow(/SKIP_SIGNATURE_VALIDATION/);
    expect(load({ SKIP_SIGNATURE_VALIDATION: 'true' }).settings.SKIP_SIGNATURE_VALIDATION).toBe(true);
  });

  it('reads .env, lets the environment win, and treats empty values as unset', () => {
    const dir = mkdtempSync(join(tmpdir(), 'fd-env-'));
    const file = join(dir, '.env');
    writeFileSync(file, 'HTTP_PORT=5050\nWS_PORT=8800\nCONNECT_DID=+8225551234\n');
    const c = loadConfig({ env: { WS_PORT: '9900', CONNECT_DID: '' }, envFile: file });
    expect(c.settings.HTTP_PORT).toBe(5050);
    expect(c.sources.HTTP_PORT).toBe('.env');
    expect(c.settings.WS_PORT).toBe(9900);
    expect(c.sources.WS_PORT).toBe('env');
    expect(c.settings.CONNECT_DID).toBe('+8225551234');
  });
});
