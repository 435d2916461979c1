import { describe, expect, it } from 'vitest';
import { call } from '../../test/factories';
import { newAlerts } from './alerts';

const asked = { kind: 'agent_requested' as const, at: 5, message: '상담원 연결해 주세요' };
const tts = { kind: 'tts_error' as const, at: 6, message: 'HTTP 500' };

describe('newAlerts', () => {
  it.each([
    ['first alert on a new call', undefined, [asked], [asked]],
    ['nothing new', [asked], [asked], []],
    ['one more', [asked], [asked, tts], [tts]],
    ['same kind again later is new', [asked], [{ ...asked, at: 9 }], [{ ...asked, at: 9 }]],
  ] as const)('%s', (_n, before, after, fresh) => {
    expect(newAlerts(before ? call('CA', { alerts: [...before] }) : undefined, call('CA', { alerts: [...after] }))).toEqual(fresh);
  });
  it('never for an ended call', () => {
    expect(newAlerts(undefined, call('CA', { state: 'ended', alerts: [asked] }))).toEqual([]);
  });
});
