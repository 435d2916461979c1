import { XMLParser } from 'fast-xml-parser';
import { describe, expect, it } from 'vitest';
import { testConfig } from '../config/load';
import { publicUrls } from '../config/urls';
import { conversationTwiml, dialTwiml, gatherTwiml, goodbyeTwiml, speechActionUrl, streamTwiml } from './build';

const parser = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '', parseTagValue: false });
const urls = publicUrls(testConfig({ PUBLIC_URL: 'https://fd.example' }), 5000);
const gatherOf = (env: Record<string, string>) => parser.parse(gatherTwiml(testConfig(env).settings, urls, { say: '네' })).Response.Gather;

describe('gatherTwiml', () => {
  it.each([
    [{}, '2'],
    [{ SPEECH_TIMEOUT: '3' }, '3'],
    [{ SPEECH_TIMEOUT: 'auto' }, '5'],
    [{ SPEECH_TIMEOUT: 'auto', GATHER_TIMEOUT_S: '8' }, '8'],
    [{ SPEECH_TIMEOUT: 'auto', SPEECH_MODEL: 'default' }, 'auto'],
  ])('%j → speechTimeout %s', (env, expected) => {
    expect(gatherOf(env).speechTimeout).toBe(expected);
  });

  it.each([
    ['', undefined],
    [' , ,', undefined],
    ['배송, 환불', '배송,환불'],
  ])('hints %j → %s', (hints, expected) => {
    expect(gatherOf({ SPEECH_HINTS: hints }).hints).toBe(expected);
  });

  it('puts the silence count in the action query only when there is one', () => {
    expect(speechActionUrl(urls)).toBe('https://fd.example/handle_speech');
    expect(speechActionUrl(urls, 2)).toBe('https://fd.example/handle_speech?silent=2');
  });
});

describe('other documents', () => {
  const s = testConfig({}).settings;

  it('goodbye says GOODBYE then hangs up', () => {
    const doc = parser.parse(goodbyeTwiml(s)).Response;
    expect(doc.Say['#text']).toBe(s.GOODBYE);
    expect(doc).toHaveProperty('Hangup');
  });

  it('stream carries the text and the grant as Parameters, escaped', () => {
    const xml = streamTwiml(urls, 'a"b<c>&', 'v1.g.1.m');
    expect(parser.parse(xml).Response.Connect.Stream.Parameter).toEqual([
      { name: 'text', value: 'a"b<c>&' },
      { name: 'grant', value: 'v1.g.1.m' },
    ]);
    expect(parser.parse(xml).Response.Connect.Stream.url).toBe('wss://fd.example/media');
  });

  it('dial has the DID, an integer timeout within 5-600 and no callerId unless set', () => {
    const dial = parser.parse(dialTwiml(s, urls, '+8225551234')).Response.Dial;
    expect(dial.Number['#text']).toBe('+8225551234');
    expect(Number(dial.timeout)).toBe(30);
    expect(dial.callerId).toBeUndefined();
  });

  it('a streamed call\'s dial stops its transcription first; the conversation starts it before the stream', () => {
    const stop = parser.parse(dialTwiml(s, urls, '+8225551234', { stopTranscription: 'fd-CA1' })).Response;
    expect(stop.Stop.Transcription.name).toBe('fd-CA1');
    expect(Object.keys(stop)).toEqual(['Stop', 'Say', 'Dial']);
    const conv = parser.parse(conversationTwiml(s, urls, 'CA1', '안녕', 'g1')).Response;
    expect(Object.keys(conv)).toEqual(['Start', 'Connect']);
    expect(conv.Start.Transcription).toMatchObject({ name: 'fd-CA1', statusCallbackUrl: 'https://fd.example/transcription', partialResults: 'true' });
    expect(conv.Start.Transcription.hints).toBeUndefined();
    const params = [conv.Connect.Stream.Parameter].flat() as Array<{ name: string; value: string }>;
    expect(params.find((p) => p.name === 'text')?.value).toBe('안녕');
  });
});
