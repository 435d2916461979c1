import { describe, expect, it } from 'vitest';
import twilio from 'twilio';
import { parseTwiml, TwimlError } from './twiml';

const DOC = 'http://127.0.0.1:5000/voice_gather';

describe('parseTwiml', () => {
  it('reads a Korean speech Gather built with VoiceResponse, nested Say and relative action', () => {
    const vr = new twilio.twiml.VoiceResponse();
    const g = vr.gather({
      input: ['speech'],
      action: '/handle_speech',
      language: 'ko-KR',
      speechModel: 'experimental_conversations',
      speechTimeout: '2',
      actionOnEmptyResult: true,
      timeout: 5,
    });
    g.say({ voice: 'Polly.Seoyeon', language: 'ko-KR' }, '안녕하세요 & 반갑습니다');
    g.pause({ length: 2 });
    vr.say({ voice: 'Polly.Seoyeon', language: 'ko-KR' }, '안녕히 계세요');
    vr.hangup();
    expect(parseTwiml(vr.toString(), DOC)).toEqual([
      {
        verb: 'gather',
        action: 'http://127.0.0.1:5000/handle_speech',
        method: 'POST',
        input: ['speech'],
        timeoutS: 5,
        speechTimeout: 2,
        actionOnEmptyResult: true,
        bargeIn: true,
        language: 'ko-KR',
        speechModel: 'experimental_conversations',
        hints: undefined,
        prompts: [
          { verb: 'say', text: '안녕하세요 & 반갑습니다', voice: 'Polly.Seoyeon', language: 'ko-KR', loop: 1 },
          { verb: 'pause', seconds: 2 },
        ],
      },
      { verb: 'say', text: '안녕히 계세요', voice: 'Polly.Seoyeon', language: 'ko-KR', loop: 1 },
      { verb: 'hangup' },
    ]);
  });

  it('defaults the Gather action to the document URL, like Twilio', () => {
    const [g] = parseTwiml('<Response><Gather input="speech"/></Response>', DOC);
    expect(g).toMatchObject({ verb: 'gather', action: DOC, timeoutS: 5, speechTimeout: 5, actionOnEmptyResult: false });
  });

  it('reads <Connect action><Stream> with its Parameters and status callback', () => {
    const vr = new twilio.twiml.VoiceResponse();
    const c = vr.connect({ action: 'http://127.0.0.1:5000/after_stream' });
    const s = c.stream({ url: 'ws://127.0.0.1:8765/media', statusCallback: '/stream_status' });
    s.parameter({ name: 'text', value: '안녕하세요. "무엇을" 도와드릴까요?' });
    expect(parseTwiml(vr.toString(), DOC)).toEqual([
      {
        verb: 'connect-stream',
        action: 'http://127.0.0.1:5000/after_stream',
        method: 'POST',
        url: 'ws://127.0.0.1:8765/media',
        name: undefined,
        statusCallback: 'http://127.0.0.1:5000/stream_status',
        statusCallbackMethod: 'POST',
        parameters: { text: '안녕하세요. "무엇을" 도와드릴까요?' },
      },
    ]);
  });

  it('reads <Start><Transcription> before <Connect><Stream> (the streamed conversation), and <Stop><Transcription name>', () => {
    const attrs = {
      name: 'fd-CA1',
      track: 'inbound_track',
      languageCode: 'ko-KR',
      transcriptionEngine: 'google',
      speechModel: 'telephony',
      partialResults: true,
      hints: '환불,배송',
      statusCallbackMethod: 'POST',
    } as const;
    const vr = new twilio.twiml.VoiceResponse();
    vr.start().transcription({ ...attrs, statusCallbackUrl: '/transcription' });
    vr.connect({ action: '/after_stream' }).stream({ url: 'wss://h/media' });
    vr.stop().transcription({ name: 'fd-CA1' });
    const [start, connect, stop] = parseTwiml(vr.toString(), DOC);
    expect(start).toEqual({ verb: 'start-transcription', ...attrs, statusCallbackUrl: 'http://127.0.0.1:5000/transcription' });
    expect(connect).toMatchObject({ verb: 'connect-stream', action: 'http://127.0.0.1:5000/after_stream' });
    expect(stop).toEqual({ verb: 'stop-transcription', name: 'fd-CA1' });
  });

  it('defaults a bare <Transcription> like Twilio (both tracks, no partials, en-US)', () => {
    expect(parseTwiml('<Response><Start><Transcription/></Start><Stop><Transcription/></Stop></Response>', DOC)).toEqual([
      { verb: 'start-transcription', track: 'both_tracks', languageCode: 'en-US', partialResults: false, statusCallbackMethod: 'POST' },
      { verb: 'stop-transcription' },
    ]);
  });

  it('reads <Dial><Number> with child-leg status callbacks', () => {
    const vr = new twilio.twiml.VoiceResponse();
    const d = vr.dial({ action: 'https://x.example/dial_status', timeout: 30, callerId: '+821055501234' });
    d.number(
      { statusCallback: 'https://x.example/dial_status?leg=child', statusCallbackEvent: ['initiated', 'ringing', 'answered', 'completed'] },
      '+8225550199',
    );
    expect(parseTwiml(vr.toString())).toEqual([
      {
        verb: 'dial',
        action: 'https://x.example/dial_status',
        method: 'POST',
        timeoutS: 30,
        callerId: '+821055501234',
        numbers: [
          {
            number: '+8225550199',
            statusCallback: 'https://x.example/dial_status?leg=child',
            statusCallbackMethod: 'POST',
            statusCallbackEvent: ['initiated', 'ringing', 'answered', 'completed'],
          },
        ],
      },
    ]);
  });

  it('reads a bare-number Dial, Redirect, Pause default and Reject', () => {
    const xml = '<?xml version="1.0"?><Response><Pause/><Redirect method="GET">next</Redirect><Dial>+8225550199</Dial><Reject/></Response>';
    expect(parseTwiml(xml, DOC)).toEqual([
      { verb: 'pause', seconds: 1 },
      { verb: 'redirect', url: 'http://127.0.0.1:5000/next', method: 'GET' },
      { verb: 'dial', action: undefined, method: 'POST', timeoutS: 30, callerId: undefined, numbers: [{ number: '+8225550199', statusCallbackMethod: 'POST', statusCallbackEvent: [] }] },
      { verb: 'reject' },
    ]);
  });

  it('an empty Response is a valid document with nothing to do', () => {
    expect(parseTwiml('<Response/>', DOC)).toEqual([]);
  });

  it.each([
    ['not XML', 'hello', /well-formed/],
    ['unclosed', '<Response><Say>', /well-formed/],
    ['wrong root', '<Reply><Say>x</Say></Reply>', /<Response> root/],
    ['unknown verb', '<Response><Sing>la</Sing></Response>', /<Sing>/],
    ['stream with query', '<Response><Connect><Stream url="wss://h/media?x=1"/></Connect></Response>', /query string/],
    ['stream over https', '<Response><Connect><Stream url="https://h/media"/></Connect></Response>', /31922/],
    ['outbound track', '<Response><Connect><Stream url="wss://h/media" track="both_tracks"/></Connect></Response>', /31941/],
    ['dial not E.164', '<Response><Dial><Number>02-555-0199</Number></Dial></Response>', /E\.164/],
    ['dial timeout', '<Response><Dial timeout="2"><Number>+8225550199</Number></Dial></Response>', /5-600/],
    ['auto with model', '<Response><Gather input="speech" speechModel="experimental_conversations" speechTimeout="auto"/></Response>', /whole number/],
    ['Dial in Gather', '<Response><Gather><Dial>+8225550199</Dial></Gather></Response>', /not allowed inside <Gather>/],
    ['bad method', '<Response><Redirect method="PUT">/x</Redirect></Response>', /GET or POST/],
    ['Start with a Stream fork', '<Response><Start><Stream url="wss://h/media"/></Start></Response>', /exactly one <Transcription>/],
    ['empty Stop', '<Response><Stop/></Response>', /exactly one <Transcription>/],
    ['transcription track', '<Response><Start><Transcription track="inbound"/></Start></Response>', /must be one of inbound_track/],
    ['transcription method', '<Response><Start><Transcription statusCallbackMethod="PUT"/></Start></Response>', /GET or POST/],
  ])('refuses %s with a clear error', (_name, xml, message) => {
    expect(() => parseTwiml(xml, DOC)).toThrow(TwimlError);
    expect(() => parseTwiml(xml, DOC)).toThrow(message);
  });

  it('needs absolute URLs in TwiML that came through REST (no document URL)', () => {
    expect(() => parseTwiml('<Response><Gather input="speech" action="/handle_speech"/></Response>')).toThrow(/absolute/);
    expect(() => parseTwiml('<Response><Gather input="speech"/></Response>')).toThrow(/absolute action/);
    expect(() => parseTwiml('<Response><Start><Transcription statusCallbackUrl="/transcription"/></Start></Response>')).toThrow(/must be absolute/);
  });
});
