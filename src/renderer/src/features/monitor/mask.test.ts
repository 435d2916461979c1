import { describe, expect, it } from 'vitest';
import { maskExport } from './mask';

describe('maskExport', () => {
  it('replaces numbers by their masked forms in the call and its events, and nothing else', () => {
    const text = JSON.stringify({
      call: { callSid: 'CA1', from: '+821012345678', fromMasked: '+82 10-••••-5678', to: '+15005550006', toMasked: '+1 50-••••-0006' },
      events: [{ type: 'call.started', from: '+821012345678', fromMasked: '+82 10-••••-5678', to: '+15005550006', toMasked: '+1 50-••••-0006' }, { type: 'transcript', text: '환불' }],
    });
    const out = maskExport(text);
    expect(out).not.toContain('12345678');
    expect(out).not.toContain('5550006');
    expect(JSON.parse(out).events[1]).toEqual({ type: 'transcript', text: '환불' });
    expect(JSON.parse(out).call.from).toBe('+82 10-••••-5678');
  });
});
