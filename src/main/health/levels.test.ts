// What each probe outcome means to the operator: level, reason and fix, table by table.
import { describe, expect, it } from 'vitest';
import type { HealthCheck } from '../../shared/model';
import { connectDidVerdict, newlyRed, numbersVerdict, publicUrlVerdict, s3Verdict, toCheck, ttsVerdict, twilioVerdict, worst, type HttpOutcome, type S3Outcome, type TwilioOutcome } from './levels';

describe('ttsVerdict', () => {
  const url = 'http://127.0.0.1:9/jobs';
  it.each<[string, HttpOutcome, boolean, string, RegExp]>([
    ['refused port', { kind: 'no-answer', code: 'ECONNREFUSED', message: 'fetch failed' }, false, 'red', /connection refused/],
    ['timeout', { kind: 'no-answer', message: 'x', timeout: true }, false, 'red', /timed out/],
    ['unknown host', { kind: 'no-answer', code: 'ENOTFOUND', message: 'x' }, false, 'red', /host not found/],
    ['POST endpoint answers 405 to a GET', { kind: 'answer', status: 405 }, false, 'green', /HTTP 405/],
    ['404 on TTS_URL still proves it is reachable', { kind: 'answer', status: 404 }, false, 'green', /answers/],
    ['server error on TTS_URL', { kind: 'answer', status: 502 }, false, 'amber', /HTTP 502/],
    ['health URL 200', { kind: 'answer', status: 200 }, true, 'green', /answers/],
    ['health URL 503', { kind: 'answer', status: 503 }, true, 'red', /HTTP 503/],
    ['health URL 404', { kind: 'answer', status: 404 }, true, 'red', /HTTP 404/],
  ])('%s', (_name, outcome, health, level, reason) => {
    const v = ttsVerdict(outcome, url, health, false);
    expect(v.level).toBe(level);
    expect(v.reason).toMatch(reason);
    if (level !== 'green') expect(v.fix).toBeTruthy();
  });
  it('a refused port names the setting to correct', () => {
    expect(ttsVerdict({ kind: 'no-answer', code: 'ECONNREFUSED', message: '' }, url, false, false).fix).toMatch(/TTS_URL/);
    expect(ttsVerdict({ kind: 'no-answer', code: 'ECONNREFUSED', message: '' }, url, true, false).fix).toMatch(/TTS_HEALTH_URL/);
  });
});

describe('s3Verdict', () => {
  it.each<[string, S3Outcome, string, RegExp, RegExp?]>([
    ['missing probe key = bucket and keys work', { kind: 'answer', status: 404, code: 'NoSuchKey' }, 'green', /readable/],
    ['no such bucket', { kind: 'answer', status: 404, code: 'NoSuchBucket' }, 'red', /does not exist/, /TTS_BUCKET/],
    ['wrong access key', { kind: 'answer', status: 403, code: 'InvalidAccessKeyId' }, 'red', /rejected the credentials \(InvalidAccessKeyId\)/, /AWS_ACCESS_KEY_ID/],
    ['wrong secret', { kind: 'answer', status: 403, code: 'SignatureDoesNotMatch' }, 'red', /rejected the credentials/, /secret/],
    ['expired session', { kind: 'answer', status: 400, code: 'ExpiredToken' }, 'red', /rejected the credentials/],
    ['role without ListBucket', { kind: 'answer', status: 403, code: 'AccessDenied' }, 'red', /refused access/, /s3:ListBucket/],
    ['wrong region', { kind: 'answer', status: 301, code: 'PermanentRedirect' }, 'red', /another region/, /AWS_REGION/],
    ['S3 trouble', { kind: 'answer', status: 503, code: 'SlowDown' }, 'amber', /SlowDown/],
    ['endpoint refused', { kind: 'no-answer', code: 'ECONNREFUSED', message: 'x' }, 'red', /unreachable.*connection refused/, /S3_ENDPOINT/],
    ['no credentials at all', { kind: 'no-credentials', message: 'Could not load credentials from any providers' }, 'red', /No AWS credentials/, /AWS_PROFILE/],
    ['demo folder', { kind: 'folder', path: '/tmp/parts', writable: true }, 'green', /local folder/],
    ['demo folder not writable', { kind: 'folder', path: '/ro', writable: false, error: 'EACCES' }, 'red', /not writable: EACCES/, /DATA_DIR/],
  ])('%s', (_name, outcome, level, reason, fix) => {
    const v = s3Verdict(outcome, 'pilot-tts', '127.0.0.1:4569');
    expect(v.level).toBe(level);
    expect(v.reason).toMatch(reason);
    if (fix) expect(v.fix).toMatch(fix);
  });
  it('tells the network of AWS from an S3-compatible endpoint', () => {
    expect(s3Verdict({ kind: 'no-answer', message: 'x', code: 'ENOTFOUND' }, 'b', 'AWS ap-northeast-2').fix).toMatch(/network access to S3/);
  });
});

describe('twilioVerdict', () => {
  const sid = 'AC' + 'a'.repeat(32);
  it.each<[string, TwilioOutcome, string, RegExp, RegExp?]>([
    ['20003', { kind: 'error', status: 401, code: 20003, message: 'Authenticate' }, 'red', /refused the credentials \(Twilio 20003\)/, /TWILIO_AUTH_TOKEN/],
    ['401 without a code', { kind: 'error', status: 401, message: 'x' }, 'red', /20003/],
    ['unreachable', { kind: 'error', status: 0, message: 'connection refused' }, 'red', /Could not reach Twilio: connection refused/],
    ['unknown account', { kind: 'error', status: 404, code: 20404, message: 'x' }, 'red', /does not know/, /TWILIO_ACCOUNT_SID/],
    ['Twilio 500', { kind: 'error', status: 500, code: 20500, message: 'x' }, 'amber', /HTTP 500/],
    ['suspended', { kind: 'account', status: 'suspended', type: 'Full' }, 'red', /suspended/],
    ['trial', { kind: 'account', status: 'active', type: 'Trial' }, 'amber', /trial/, /Upgrade/],
    ['full and active', { kind: 'account', status: 'active', type: 'Full', friendlyName: 'Pilot' }, 'green', /accepts the credentials \(Pilot\)/],
    ['not configured', { kind: 'not-configured' }, 'red', /not configured/, /TWILIO_ACCOUNT_SID/],
  ])('%s', (_name, outcome, level, reason, fix) => {
    const v = twilioVerdict(outcome, sid, false);
    expect(v.level).toBe(level);
    expect(v.reason).toMatch(reason);
    if (fix) expect(v.fix).toMatch(fix);
  });
  it('never shows the whole account SID', () => {
    expect(twilioVerdict({ kind: 'account', status: 'active' }, sid, false).target).toBe('account ACaaaa…aaaa');
  });
});

describe('connectDidVerdict', () => {
  it.each<[string, string | undefined, boolean, string, RegExp]>([
    ['missing (live)', undefined, false, 'red', /not set/],
    ['missing (demo)', undefined, true, 'green', /simulated/],
    ['not E.164', '02-555-1234', false, 'red', /not an E\.164/],
    ['Korea: Geo Permissions reminder', '+8225551234', false, 'amber', /Geo Permissions/],
    ['Korea in demo', '+8225551234', true, 'green', /simulated/],
    ['US number', '+12065550100', false, 'green', /Handoffs dial/],
  ])('%s', (_name, did, demo, level, reason) => {
    const v = connectDidVerdict(did, did ? did.slice(0, 4) + '••••' : undefined, demo);
    expect(v.level).toBe(level);
    expect(v.reason).toMatch(reason);
  });
  it('the +82 reminder says where to click', () => {
    expect(connectDidVerdict('+8225551234', '+82 ••••1234', false).fix).toMatch(/Geo Permissions: enable South Korea/);
  });
});

describe('publicUrlVerdict', () => {
  it.each<[string, string | undefined, string, string, boolean, string, RegExp]>([
    ['unset in live', undefined, 'http://127.0.0.1:5000', 'ws://127.0.0.1:5000/media', false, 'red', /not set/],
    ['unset in demo', undefined, 'http://127.0.0.1:5000', 'ws://127.0.0.1:5000/media', true, 'green', /simulated Twilio/],
    ['http', 'http://fd.example.com', 'http://fd.example.com', 'ws://fd.example.com/media', false, 'red', /is http/],
    ['loopback https', 'https://localhost:5000', 'https://localhost:5000', 'wss://localhost:5000/media', false, 'red', /this machine/],
    ['ws media override', 'https://fd.ngrok.app', 'https://fd.ngrok.app', 'ws://fd.ngrok.app/media', false, 'red', /not wss/],
    ['https tunnel', 'https://fd.ngrok.app', 'https://fd.ngrok.app', 'wss://fd.ngrok.app/media', false, 'green', /will call https:\/\/fd\.ngrok\.app\/voice_stream/],
  ])('%s', (_name, publicUrl, base, media, demo, level, reason) => {
    const v = publicUrlVerdict(publicUrl, base, media, demo);
    expect(v.level).toBe(level);
    expect(v.reason).toMatch(reason);
    expect(v.target).toContain(`${base}/voice_gather`);
  });
});

describe('toCheck, worst, newlyRed', () => {
  const c = (id: HealthCheck['id'], level: HealthCheck['level'], reason = 'r'): HealthCheck => toCheck(id, { level, reason, fix: 'f' }, 1, 2);
  it('drops the fix of a green check', () => {
    expect(c('tts', 'green').fix).toBeUndefined();
    expect(c('tts', 'red').fix).toBe('f');
  });
  it('worst picks red over amber over green', () => {
    expect(worst([c('tts', 'green'), c('s3', 'amber'), c('twilio', 'red')])?.id).toBe('twilio');
    expect(worst([c('tts', 'green'), c('s3', 'amber')])?.id).toBe('s3');
    expect(worst([])).toBeUndefined();
  });
  it('newlyRed: red on the first run, then only a change to red or a new red reason', () => {
    const first = [c('tts', 'red'), c('s3', 'green')];
    expect(newlyRed(undefined, first).map((x) => x.id)).toEqual(['tts']);
    expect(newlyRed(first, [c('tts', 'red'), c('s3', 'green')])).toEqual([]);
    expect(newlyRed(first, [c('tts', 'red', 'other'), c('s3', 'red')]).map((x) => x.id)).toEqual(['tts', 's3']);
    expect(newlyRed(first, [c('tts', 'green'), c('s3', 'green')])).toEqual([]);
  });
});

describe('numbersVerdict', () => {
  const base = 'https://fd.ngrok.app';
  const ok = publicUrlVerdict(base, base, 'wss://fd.ngrok.app/media', false);
  const mask = (n: string) => `${n.slice(0, 3)}…${n.slice(-4)}`;
  it.each<[string, Parameters<typeof numbersVerdict>[1], string, RegExp]>([
    ['a number calls /voice_stream', { kind: 'numbers', numbers: [{ phoneNumber: '+827055500100', voiceUrl: `${base}/voice_stream` }] }, 'green', /^\+82…0100 → https:\/\/fd\.ngrok\.app\/voice_stream\. /],
    ['a number calls /voice_gather/', { kind: 'numbers', numbers: [{ phoneNumber: '+827055500100', voiceUrl: `${base}/voice_gather/` }] }, 'green', /voice_gather/],
    ['numbers point elsewhere', { kind: 'numbers', numbers: [{ phoneNumber: '+1500', voiceUrl: 'https://demo.twilio.com/welcome/voice/' }] }, 'amber', /No number .*\(1 number points elsewhere\)/],
    ['no numbers', { kind: 'numbers', numbers: [] }, 'amber', /No number on the Twilio account/],
    ['cannot list', { kind: 'error', message: 'Twilio refused the credentials (Twilio 20003)' }, 'amber', /^Not confirmed: the account's numbers could not be read \(Twilio 20003\)$/],
    ['no REST', { kind: 'not-configured' }, 'green', /Twilio will call/],
  ])('%s', (_n, outcome, level, reason) => {
    const v = numbersVerdict(ok, outcome, base, mask);
    expect(v.level).toBe(level);
    expect(v.reason).toMatch(reason);
  });
  it('a PUBLIC_URL that is already wrong stays as it is', () => {
    const bad = publicUrlVerdict('http://x.example', 'http://x.example', 'ws://x.example/media', false);
    expect(numbersVerdict(bad, { kind: 'numbers', numbers: [] }, 'http://x.example', mask)).toBe(bad);
  });
});
