import { describe, expect, it } from 'vitest';
import { call, snapshot } from '../../test/factories';
import { connectDidLabel, handoffBlockedReason, hangupBlockedReason } from './handoff-rules';

const settings = snapshot([]).settings;
const noDid = { ...settings, connectDidSet: false, connectDidMasked: undefined };

describe('handoffBlockedReason', () => {
  it.each([
    ['live call, DID set', call('CA'), settings, false, null],
    ['history is read-only', call('CA'), settings, true, 'call.why.history'],
    ['ended', call('CA', { state: 'ended' }), settings, false, 'call.why.ended'],
    ['no call', undefined, settings, false, 'call.why.ended'],
    ['no CONNECT_DID', call('CA'), noDid, false, 'call.why.noDid'],
    ['no settings yet', call('CA'), null, false, 'call.why.noDid'],
    ['connected', call('CA', { state: 'with_agent', handoff: { status: 'connected', source: 'operator', at: 1 } }), settings, false, 'call.why.already'],
    ['in progress', call('CA', { state: 'handing_off', handoff: { status: 'dialing', source: 'keyword', at: 1 } }), settings, false, 'call.why.inProgress'],
    ['failed may retry', call('CA', { handoff: { status: 'failed', source: 'operator', at: 1 } }), settings, false, null],
  ] as const)('%s', (_name, c, s, readOnly, why) => {
    expect(handoffBlockedReason(c, s, readOnly)).toBe(why);
  });
});

describe('hangupBlockedReason / connectDidLabel', () => {
  it('hang up is allowed on live calls only', () => {
    expect(hangupBlockedReason(call('CA'), false)).toBeNull();
    expect(hangupBlockedReason(call('CA', { state: 'ended' }), false)).toBe('call.why.ended');
    expect(hangupBlockedReason(call('CA'), true)).toBe('call.why.history');
  });
  it('names the full number, masked in presentation mode', () => {
    expect(connectDidLabel(settings, false)).toBe('+82 2-555-0199');
    expect(connectDidLabel(settings, true)).toBe('+82 ••••0199');
    expect(connectDidLabel(noDid, false)).toBe('—');
  });
});
