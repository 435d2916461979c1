// Startup refusals and redaction: demo mode (public auth token) only on loopback; URL credentials stripped from
// every string; pino redacting secrets by path (top level and nested) and by value (user:pass@ in any string or error).
import { describe, expect, it } from 'vitest';
import { ConfigError, isLoopback, loadConfig } from '../src/main/config/load';
import { scrubCredentials, stripUrlCredentials } from '../src/main/config/secrets';
import { settingsView } from '../src/main/config/view';
import { publicUrls } from '../src/main/config/urls';
import { createLogger } from '../src/main/log';

const load = (env: Record<string, string>) => loadConfig({ env, envFile: false });

describe('demo mode and BIND_ADDRESS', () => {
  it.each([['0.0.0.0'], ['::'], ['192.168.0.10'], ['example.com']])('refuses demo mode on %s with a clear error', (address) => {
    expect(() => load({ BIND_ADDRESS: address })).toThrow(ConfigError);
    expect(() => load({ BIND_ADDRESS: address })).toThrow(/BIND_ADDRESS: must be a loopback address in demo mode \(its auth token is public\)/);
    expect(() => load({ BIND_ADDRESS: address, DEMO: 'on', TWILIO_AUTH_TOKEN: 'x'.repeat(32) })).toThrow(/loopback/);
  });

  it('allows loopback in demo mode, and any address in live mode', () => {
    expect(load({ BIND_ADDRESS: '127.0.0.1' }).mode).toBe('demo');
    expect(load({ BIND_ADDRESS: '::1' }).mode).toBe('demo');
    const live = load({ BIND_ADDRESS: '0.0.0.0', TWILIO_AUTH_TOKEN: 'x'.repeat(32), PUBLIC_URL: 'https://fd.example' });
    expect(live.mode).toBe('live');
  });

  it.each([
    ['127.0.0.1', true],
    ['127.1.2.3', true],
    ['::1', true],
    ['[::1]', true],
    ['localhost', true],
    ['::ffff:127.0.0.1', true],
    ['0.0.0.0', false],
    ['::', false],
    ['10.0.0.1', false],
    ['128.0.0.1', false],
  ])('isLoopback(%s) = %s', (a, want) => expect(isLoopback(a)).toBe(want));
});

describe('URL credentials', () => {
  it.each([
    ['https://user:pass@tts.example/jobs', 'https://tts.example/jobs'],
    ['see http://u@h:1/x and wss://a:b@c/media', 'see http://h:1/x and wss://c/media'],
    ['s3+http://k:s@minio:9000', 's3+http://minio:9000'],
    ['mail me at ops@example.com', 'mail me at ops@example.com'],
    ['https://tts.example/jobs?who=a@b', 'https://tts.example/jobs?who=a@b'],
    ['no url here', 'no url here'],
  ])('stripUrlCredentials(%s)', (input, want) => expect(stripUrlCredentials(input)).toBe(want));

  it('scrubs nested values and errors, leaving other values alone', () => {
    const err = new Error('GET https://u:p@h/x failed');
    const out = scrubCredentials({ a: ['https://u:p@h'], n: 1, b: { c: 'http://x:y@z' }, err });
    expect(out).toMatchObject({ a: ['https://h'], n: 1, b: { c: 'http://z' } });
    expect(out.err.message).toBe('GET https://h/x failed');
    expect(out.err.stack).not.toContain('u:p@');
    expect(err.message).toContain('u:p@'); // a copy: the original is untouched
  });

  it('the Setup view shows URL settings without their credentials', () => {
    const config = load({ TWILIO_AUTH_TOKEN: 'x'.repeat(32), PUBLIC_URL: 'https://pu:pp@fd.example', TTS_URL: 'https://tu:tp@tts.example/jobs', S3_ENDPOINT: 'http://su:sp@minio:9000', TTS_BUCKET: 'parts', TWILIO_API_BASE_URL: 'https://au:ap@api.example' });
    const view = settingsView(config, publicUrls(config, 5000));
    const text = JSON.stringify(view);
    for (const secret of ['pu:pp', 'tu:tp', 'su:sp', 'au:ap', 'x'.repeat(32)]) expect(text).not.toContain(secret);
    expect(view.settings.find((s) => s.name === 'TTS_URL')?.value).toBe('https://tts.example/jobs');
    expect(view.webhooks.voiceStream).toBe('https://fd.example/voice_stream');
  });
});

describe('pino redaction', () => {
  function capture() {
    const lines: string[] = [];
    return { log: createLogger('info', { write: (l: string) => void lines.push(l) }), lines };
  }

  it('redacts secrets by path, at the top level and one level down', () => {
    const { log, lines } = capture();
    log.info({ token: 'T1', authToken: 'T2', password: 'T3', headers: { authorization: 'Basic T4', 'x-twilio-signature': 'T5', cookie: 'T6' } }, 'top');
    log.info({ req: { headers: { authorization: 'Bearer T7' } }, opts: { token: 'T8', password: 'T9', authorization: 'T10', secretAccessKey: 'T11' } }, 'nested');
    log.info({ settings: { TWILIO_AUTH_TOKEN: 'T12', CONSOLE_TOKEN: 'T13' }, env: { AWS_SECRET_ACCESS_KEY: 'T14' } }, 'settings');
    const all = lines.join('\n');
    for (let i = 1; i <= 14; i++) expect(all).not.toMatch(new RegExp(`\\bT${i}\\b`));
    expect(all).toContain('[secret]');
  });

  it('strips URL credentials from messages, fields and errors', () => {
    const { log, lines } = capture();
    log.info({ url: 'https://user:pw1@tts.example/jobs', nested: { list: ['http://a:pw2@b'] } }, 'calling https://user:pw3@tts.example');
    log.error({ err: new Error('connect ECONNREFUSED https://user:pw4@tts.example') }, 'failed');
    log.warn('plain %s', 'https://user:pw5@x.example');
    const all = lines.join('\n');
    for (const pw of ['pw1', 'pw2', 'pw3', 'pw4', 'pw5']) expect(all).not.toContain(pw);
    expect(all).toContain('https://tts.example/jobs');
    expect(all).toContain('ECONNREFUSED https://tts.example');
  });
});
