// The conversation webhooks end to end: signed form posts to a real app, TwiML parsed as XML, events in the registry.
import { afterEach, describe, expect, it } from 'vitest';
import { maskNumber } from '../src/main/calls/registry';
import { DEMO_ACCOUNT_SID } from '../src/main/demo/constants';
import { KOREAN } from '../src/main/twiml/build';
import {
  CALLER,
  CONNECT_DID,
  OUR_NUMBER,
  PUBLIC_URL,
  find,
  findAll,
  liveSettings,
  parseTwiml,
  randomSid,
  startHarness,
  typesOf,
  type Harness,
} from './twiml-harness';

let h: Harness | null = null;
afterEach(async () => {
  await h?.stop();
  h = null;
});

async function harness(overrides: Record<string, string> = {}): Promise<Harness> {
  h = await startHarness(liveSettings(overrides));
  return h;
}

describe('/voice_gather', () => {
  it('answers a Korean speech <Gather> with absolute public action and a nested Korean <Say>, then a goodbye fallback', async () => {
    const { post, registry, config } = await harness();
    const sid = randomSid();
    const res = await post('/voice_gather', sid);
    expect(res.status).toBe(200);
    expect(res.contentType).toMatch(/^text\/xml/);
    const doc = parseTwiml(res.body);
    expect(doc.children.map((c) => c.name)).toEqual(['Gather', 'Say', 'Hangup']);
    const gather = doc.children[0];
    expect(gather.attrs).toMatchObject({
      input: 'speech',
      language: 'ko-KR',
      speechModel: 'experimental_conversations',
      speechTimeout: '2',
      timeout: '5',
      actionOnEmptyResult: 'true',
      action: `${PUBLIC_URL}/handle_speech`,
      method: 'POST',
    });
    expect(gather.attrs.hints).toBeUndefined();
    const say = find(gather, 'Say');
    expect(say.attrs).toEqual({ voice: 'Polly.Seoyeon', language: 'ko-KR' });
    expect(say.text).toBe(config.settings.GATHER_PROMPT);
    expect(doc.children[1].text).toBe(config.settings.GOODBYE);

    const [started, prompt] = registry.eventsOf(sid);
    expect(started).toMatchObject({ type: 'call.started', from: CALLER, to: OUR_NUMBER, mode: 'gather', simulated: false });
    expect(started).toMatchObject({ fromMasked: maskNumber(CALLER), toMasked: maskNumber(OUR_NUMBER) });
    expect(maskNumber(CALLER)).not.toContain('1234');
    expect(prompt).toMatchObject({ type: 'prompt', text: config.settings.GATHER_PROMPT });
    expect(registry.get(sid)?.state).toBe('in_conversation');
  });

  it('marks calls from the demo account as simulated and starts a call only once', async () => {
    const { post, registry } = await harness();
    const sid = randomSid();
    await post('/voice_gather', sid, { AccountSid: DEMO_ACCOUNT_SID });
    await post('/voice_gather', sid, { AccountSid: DEMO_ACCOUNT_SID });
    expect(registry.get(sid)?.simulated).toBe(true);
    expect(typesOf(registry, sid).filter((t) => t === 'call.started')).toHaveLength(1);
  });

  it('passes hints, and never sends speechTimeout=auto with an explicit model', async () => {
    const { post } = await harness({ SPEECH_HINTS: '배송, 환불 ,,상담원', SPEECH_TIMEOUT: 'auto', GATHER_TIMEOUT_S: '7' });
    const gather = find(parseTwiml((await post('/voice_gather', randomSid())).body), 'Gather');
    expect(gather.attrs.hints).toBe('배송,환불,상담원');
    expect(gather.attrs.speechTimeout).toBe('7');
  });
});

describe('/handle_speech', () => {
  it('records the transcript with confidence and latency since the prompt, echoes it in Korean and keeps gathering', async () => {
    const { post, registry, advance } = await harness();
    const sid = randomSid();
    await post('/voice_gather', sid);
    advance(1500);
    const res = await post('/handle_speech', sid, { SpeechResult: ' 배송 조회하고 싶어요 ', Confidence: '0.91' });
    expect(res.status).toBe(200);
    const doc = parseTwiml(res.body);
    const gather = find(doc, 'Gather');
    expect(gather.attrs.action).toBe(`${PUBLIC_URL}/handle_speech`);
    const echo = find(gather, 'Say');
    expect(echo.text).toContain('배송 조회하고 싶어요');
    expect(echo.attrs.language).toBe('ko-KR');

    const transcript = registry.eventsOf(sid).find((e) => e.type === 'transcript');
    expect(transcript).toMatchObject({ type: 'transcript', text: '배송 조회하고 싶어요', confidence: 0.91, latencyMs: 1500, source: 'gather' });
    const reply = registry.eventsOf(sid).find((e) => e.type === 'bot.reply');
    expect(reply).toMatchObject({ via: 'say', text: echo.text });
    expect(registry.get(sid)?.lastTranscript).toBe('배송 조회하고 싶어요');
  });

  it('accepts a missing Confidence and a call it has not seen before', async () => {
    const { post, registry } = await harness();
    const sid = randomSid();
    const res = await post('/handle_speech', sid, { SpeechResult: '안녕하세요' });
    expect(res.status).toBe(200);
    const transcript = registry.eventsOf(sid).find((e) => e.type === 'transcript')!;
    expect(transcript).not.toHaveProperty('confidence');
    expect(transcript).not.toHaveProperty('latencyMs');
    expect(typesOf(registry, sid)[0]).toBe('call.started');
  });

  it.each(['상담원 연결해 주세요', '상담 원이요', '사람이랑 얘기할래요', 'I want an AGENT'])('hands off on "%s" with <Dial> to CONNECT_DID', async (said) => {
    const { post, registry, config } = await harness({ CONNECT_DID });
    const sid = randomSid();
    await post('/voice_gather', sid);
    const doc = parseTwiml((await post('/handle_speech', sid, { SpeechResult: said, Confidence: '0.8' })).body);
    expect(doc.children.map((c) => c.name)).toEqual(['Say', 'Dial']); // nothing after <Dial>: it would be unreachable
    expect(doc.children[0].text).toBe(config.settings.HANDOFF_PROMPT);
    const dial = doc.children[1];
    expect(dial.attrs).toMatchObject({ action: `${PUBLIC_URL}/dial_status`, method: 'POST', timeout: '30' });
    expect(dial.attrs.callerId).toBeUndefined();
    const number = find(dial, 'Number');
    expect(number.text).toBe(CONNECT_DID);
    expect(number.attrs).toMatchObject({ statusCallback: `${PUBLIC_URL}/dial_status`, statusCallbackEvent: 'initiated ringing answered completed' });

    const call = registry.get(sid)!;
    expect(call.state).toBe('handing_off');
    expect(call.handoff).toMatchObject({ status: 'requested', source: 'keyword' });
    expect(call.alerts.map((a) => a.kind)).toEqual(['agent_requested']);
  });

  it('uses CALLER_ID for the handoff when set', async () => {
    const { post } = await harness({ CONNECT_DID, CALLER_ID: '+15005550006', DIAL_TIMEOUT_S: '45' });
    const dial = find(parseTwiml((await post('/handle_speech', randomSid(), { SpeechResult: '상담사' })).body), 'Dial');
    expect(dial.attrs).toMatchObject({ callerId: '+15005550006', timeout: '45' });
  });

  it('without CONNECT_DID apologises in Korean, keeps gathering and flags the failed handoff', async () => {
    const { post, registry } = await harness();
    const sid = randomSid();
    const doc = parseTwiml((await post('/handle_speech', sid, { SpeechResult: '상담원' })).body);
    expect(findAll(doc, 'Dial')).toHaveLength(0);
    expect(find(find(doc, 'Gather'), 'Say').text).toBe(KOREAN.handoffUnavailable);
    const call = registry.get(sid)!;
    expect(call.handoff).toMatchObject({ status: 'failed', source: 'keyword', message: 'CONNECT_DID is not set' });
    expect(call.alerts.map((a) => a.kind).sort()).toEqual(['agent_requested', 'handoff_failed']);
    expect(call.state).toBe('in_conversation');
  });

  it('reprompts in Korean on silence, twice, then says goodbye and hangs up', async () => {
    const { post, registry, config } = await harness();
    const sid = randomSid();
    await post('/voice_gather', sid);
    const first = parseTwiml((await post('/handle_speech', sid, { SpeechResult: '' })).body);
    const g1 = find(first, 'Gather');
    expect(find(g1, 'Say').text).toBe(config.settings.REPROMPT);
    expect(g1.attrs.action).toBe(`${PUBLIC_URL}/handle_speech?silent=1`);
    // Twilio posts to the action URL exactly, query included, and signs it that way
    const second = parseTwiml((await post('/handle_speech?silent=1', sid)).body);
    expect(find(second, 'Gather').attrs.action).toBe(`${PUBLIC_URL}/handle_speech?silent=2`);
    const third = parseTwiml((await post('/handle_speech?silent=2', sid)).body);
    expect(third.children.map((c) => c.name)).toEqual(['Say', 'Hangup']);
    expect(third.children[0].text).toBe(config.settings.GOODBYE);
    expect(registry.get(sid)).toMatchObject({ state: 'ended', endReason: 'no speech after 3 prompts' });
  });

  it('speech resets the silence count', async () => {
    const { post } = await harness();
    const doc = parseTwiml((await post('/handle_speech?silent=2', randomSid(), { SpeechResult: '네' })).body);
    expect(find(doc, 'Gather').attrs.action).toBe(`${PUBLIC_URL}/handle_speech`);
  });

  it('REPLY_MODE=stream speaks the reply through <Connect><Stream> with the text as a <Parameter>', async () => {
    const { post, registry } = await harness({ REPLY_MODE: 'stream' });
    const sid = randomSid();
    const doc = parseTwiml((await post('/handle_speech', sid, { SpeechResult: '환불 문의요' })).body);
    const connect = find(doc, 'Connect');
    expect(connect.attrs.action).toBe(`${PUBLIC_URL}/after_stream`);
    const stream = find(connect, 'Stream');
    expect(stream.attrs.url).toBe('wss://frontdoor.example.ngrok.app/media');
    expect(stream.attrs.url).not.toContain('?');
    expect(stream.attrs.statusCallback).toBe(`${PUBLIC_URL}/stream_status`);
    expect(stream.attrs.track).toBeUndefined();
    const param = find(stream, 'Parameter');
    expect(param.attrs.name).toBe('text');
    expect(param.attrs.value).toContain('환불 문의요');
    expect(registry.eventsOf(sid).find((e) => e.type === 'bot.reply')).toMatchObject({ via: 'stream', text: param.attrs.value });
  });
});

describe('/voice_stream and /after_stream', () => {
  it('streams the greeting straight away on PUBLIC_WS_URL, then gathers after the stream', async () => {
    const { post, registry, config } = await harness({ PUBLIC_WS_URL: 'wss://media.example.ngrok.app/media' });
    const sid = randomSid();
    const doc = parseTwiml((await post('/voice_stream', sid)).body);
    expect(doc.children.map((c) => c.name)).toEqual(['Start', 'Connect']);
    expect(find(find(doc, 'Start'), 'Transcription').attrs).toEqual({
      name: `fd-${sid}`,
      track: 'inbound_track',
      languageCode: 'ko-KR',
      transcriptionEngine: 'google',
      speechModel: 'telephony',
      partialResults: 'true',
      statusCallbackUrl: `${PUBLIC_URL}/transcription`,
      statusCallbackMethod: 'POST',
    });
    const stream = find(doc, 'Stream');
    expect(stream.attrs.url).toBe('wss://media.example.ngrok.app/media');
    expect(find(stream, 'Parameter').attrs).toEqual({ name: 'text', value: config.settings.GREETING });
    expect(registry.get(sid)?.mode).toBe('stream');

    const after = parseTwiml((await post('/after_stream', sid)).body);
    const gather = find(after, 'Gather');
    expect(gather.attrs).toMatchObject({ action: `${PUBLIC_URL}/handle_speech`, language: 'ko-KR', input: 'speech' });
    expect(gather.children).toHaveLength(0);
  });

  it('TRANSCRIPTION_* settings reach <Transcription>; STREAM_STT=gather streams without it', async () => {
    const a = await harness({ TRANSCRIPTION_ENGINE: 'deepgram', TRANSCRIPTION_MODEL: 'nova-2', TRANSCRIPTION_HINTS: '환불, 배송 ,' });
    const t = find(parseTwiml((await a.post('/voice_stream', randomSid())).body), 'Transcription').attrs;
    expect(t).toMatchObject({ transcriptionEngine: 'deepgram', speechModel: 'nova-2', hints: '환불,배송' });
    const b = await harness({ STREAM_STT: 'gather' });
    const doc = parseTwiml((await b.post('/voice_stream', randomSid())).body);
    expect(doc.children.map((c) => c.name)).toEqual(['Connect']);
  });

  it('/transcription is signed like every webhook: 403 unsigned, 204 signed', async () => {
    const { post } = await harness();
    const sid = randomSid();
    const form = { TranscriptionEvent: 'transcription-content', TranscriptionSid: 'GT' + '1'.repeat(32), SequenceId: '1', Final: 'true', TranscriptionData: '{"transcript":"네","confidence":0.9}', Track: 'inbound_track' };
    expect((await post('/transcription', sid, form, { token: null })).status).toBe(403);
    expect((await post('/transcription', sid, form)).status).toBe(204);
  });
});
