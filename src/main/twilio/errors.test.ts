import { describe, expect, it } from 'vitest';
import { plainTwilioError, toTwilioRestError, TwilioRestError } from './errors';

describe('plainTwilioError', () => {
  it.each([
    [400, 21220, 'caller already hung up'],
    [404, 20404, 'does not know this call'],
    [401, 20003, 'TWILIO_AUTH_TOKEN'],
    [400, 21215, 'Geo Permissions'],
    [400, 13227, 'Geo Permissions'],
    [429, 20429, 'rate limiting'],
    [401, undefined, 'TWILIO_AUTH_TOKEN'],
    [404, undefined, 'does not know this call'],
    [429, undefined, 'rate limiting'],
    [400, 21999, 'Twilio refused the request: Something odd (Twilio 21999)'],
    [500, undefined, 'Twilio refused the request: Something odd'],
  ])('HTTP %d code %s → %s', (status, code, words) => {
    expect(plainTwilioError(status, code, 'Something odd')).toContain(words);
  });

  it('names the code in the message', () => {
    expect(plainTwilioError(400, 21220)).toBe('The caller already hung up (Twilio 21220)');
  });
});

describe('toTwilioRestError', () => {
  it('maps a RestException-like error', () => {
    const e = toTwilioRestError(Object.assign(new Error('[HTTP 400] Unable to update record'), { status: 400, code: 21220 }));
    expect(e).toBeInstanceOf(TwilioRestError);
    expect(e).toMatchObject({ status: 400, code: 21220, plain: 'The caller already hung up (Twilio 21220)' });
  });

  it('uses a problem+json detail when the code is unknown', () => {
    const e = toTwilioRestError({ status: 400, code: 12345, detail: 'Bad thing' });
    expect(e.plain).toBe('Twilio refused the request: Bad thing (Twilio 12345)');
  });

  it.each([
    ['ECONNREFUSED', 'Could not reach Twilio: connection refused'],
    ['ENOTFOUND', 'Could not reach Twilio: host not found'],
    ['ECONNABORTED', 'Could not reach Twilio: timed out'],
    ['EWEIRD', 'Could not reach Twilio: EWEIRD'],
  ])('network %s → %s', (code, plain) => {
    expect(toTwilioRestError(Object.assign(new Error('x'), { code }))).toMatchObject({ status: 0, code: undefined, plain });
  });

  it('passes a TwilioRestError through', () => {
    const e = new TwilioRestError(400, 1, 'x');
    expect(toTwilioRestError(e)).toBe(e);
  });
});
