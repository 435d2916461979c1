import { describe, expect, it } from 'vitest';
import { fastMedia, mediaSchema, Outbound, parseInbound } from './messages';

const SID = 'MZ' + 'a'.repeat(32);
const start = {
  event: 'start',
  sequenceNumber: '1',
  streamSid: SID,
  start: {
    accountSid: 'AC' + '1'.repeat(32),
    streamSid: SID,
    callSid: 'CA' + '2'.repeat(32),
    tracks: ['inbound'],
    customParameters: { text: '안녕하세요' },
    mediaFormat: { encoding: 'audio/x-mulaw', sampleRate: 8000, channels: 1 },
  },
};

describe('parseInbound', () => {
  it.each([
    ['connected', { event: 'connected', protocol: 'Call', version: '1.0.0' }],
    ['start', start],
    ['media', { event: 'media', sequenceNumber: '4', streamSid: SID, media: { track: 'inbound', chunk: '2', timestamp: '5', payload: '//8=' } }],
    ['dtmf', { event: 'dtmf', sequenceNumber: '5', streamSid: SID, dtmf: { track: 'inbound_track', digit: '1' } }],
    ['mark', { event: 'mark', sequenceNumber: '6', streamSid: SID, mark: { name: 'r1:part0' } }],
    ['stop', { event: 'stop', sequenceNumber: '7', streamSid: SID, stop: { accountSid: 'AC1', callSid: 'CA1' } }],
  ])('accepts Twilio %s messages', (event, message) => {
    const result = parseInbound(JSON.stringify(message), false);
    expect(result.ok).toBe(true);
    if (result.ok) expect(result.message.event).toBe(event);
  });

  it('defaults missing customParameters to {}', () => {
    const { customParameters: _, ...rest } = start.start;
    const result = parseInbound(JSON.stringify({ ...start, start: rest }), false);
    expect(result.ok && result.message.event === 'start' && result.message.start.customParameters).toEqual({});
  });

  it.each([
    ['binary frame', Buffer.from('{"event":"media"}'), true, 'binary'],
    ['not JSON', '{"event":', false, 'json'],
    ['JSON null', 'null', false, 'unknown-event'],
    ['unknown event', '{"event":"hello"}', false, 'unknown-event'],
    ['numeric counters', JSON.stringify({ ...start, sequenceNumber: 1 }), false, 'schema'],
    ['media without payload', JSON.stringify({ event: 'media', sequenceNumber: '2', streamSid: SID, media: { track: 'inbound', chunk: '1', timestamp: '0' } }), false, 'schema'],
    ['wrong media format', JSON.stringify({ ...start, start: { ...start.start, mediaFormat: { encoding: 'audio/l16', sampleRate: 16000, channels: 1 } } }), false, 'schema'],
    ['stop without streamSid', JSON.stringify({ event: 'stop', sequenceNumber: '3', stop: { accountSid: 'AC1', callSid: 'CA1' } }), false, 'schema'],
  ] as const)('refuses %s', (_name, data, binary, problem) => {
    const result = parseInbound(data, binary);
    expect(result.ok).toBe(false);
    if (!result.ok) {
      expect(result.problem).toBe(problem);
      expect(result.detail.length).toBeGreaterThan(3);
    }
  });
});

describe('Outbound', () => {
  const out = new Outbound(SID);

  it('builds media with exactly event, streamSid, media.payload', () => {
    const msg = JSON.parse(out.media('//8='));
    expect(msg).toStrictEqual({ event: 'media', streamSid: SID, media: { payload: '//8=' } });
    expect(Object.keys(msg)).toEqual(['event', 'streamSid', 'media']);
  });

  it('builds mark and escapes the name', () => {
    const name = 'r"1\\:part0 한';
    expect(JSON.parse(out.mark(name))).toStrictEqual({ event: 'mark', streamSid: SID, mark: { name } });
  });

  it('builds clear', () => {
    expect(JSON.parse(out.clear)).toStrictEqual({ event: 'clear', streamSid: SID });
  });

  it('escapes an odd streamSid safely', () => {
    const odd = new Outbound('MZ"x');
    expect(JSON.parse(odd.media('AA==')).streamSid).toBe('MZ"x');
  });
});

describe('fastMedia (the hot path) agrees with mediaSchema', () => {
  const good = { event: 'media', sequenceNumber: '4', streamSid: 'MZ' + 'a'.repeat(32), media: { track: 'inbound', chunk: '2', timestamp: '5', payload: '/w==' } };
  it.each<[string, Record<string, unknown>]>([
    ['a Twilio media message', good],
    ['extra fields (stripped)', { ...good, extra: 1, media: { ...good.media, more: true } }],
    ['a numeric counter', { ...good, sequenceNumber: 4 }],
    ['a negative timestamp', { ...good, media: { ...good.media, timestamp: '-5' } }],
    ['no payload', { ...good, media: { track: 'inbound', chunk: '2', timestamp: '5' } }],
    ['media null', { ...good, media: null }],
    ['an empty streamSid', { ...good, streamSid: '' }],
    ['a streamSid over 64 characters', { ...good, streamSid: 'M'.repeat(65) }],
    ['a numeric payload', { ...good, media: { ...good.media, payload: 7 } }],
  ])('%s', (_name, input) => {
    const zod = mediaSchema.safeParse(input);
    const fast = fastMedia(input);
    if (zod.success) expect(fast).toStrictEqual(zod.data);
    else expect(fast).toBeNull();
  });
});
