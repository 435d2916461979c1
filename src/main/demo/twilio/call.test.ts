import { describe, expect, it } from 'vitest';
import { SimulatedCall } from './call';
import { REACTION_MS } from './gather-verb';
import { FakeTwilioSide, type FakeLegScript, type Route } from './fake-side';
import { speakingMs } from './timing';
import { LISTEN, type Caller, type DialAnswer, type SimAction, type StreamAct, type Utterance } from './types';

const BASE = 'http://127.0.0.1:5000';
const FROM = '+821055501234';
const TO = '+827055500100';
const PROMPT = '무엇을 도와드릴까요?';

function caller(o: { turns?: Array<Utterance | null | 'hangup'>; streams?: StreamAct[]; dial?: DialAnswer; maxCallMs?: number } = {}): Caller {
  const turns = [...(o.turns ?? [])];
  const streams = [...(o.streams ?? [])];
  return {
    atGather: () => (turns.length ? turns.shift()! : 'hangup'),
    onReply: () => streams.shift() ?? LISTEN,
    speechAudio: async (text) => Buffer.alloc(speakingMs(text) * 8, 0x55),
    dialAnswer: () => o.dial ?? { status: 'completed', ringMs: 3000, talkMs: 10_000 },
    maxCallMs: o.maxCallMs ?? 600_000,
  };
}

const gatherDoc = (say = PROMPT, extra = '') =>
  `<Response><Gather input="speech" action="${BASE}/handle_speech" language="ko-KR" speechModel="experimental_conversations" speechTimeout="2" timeout="5" actionOnEmptyResult="true"${extra}><Say voice="Polly.Seoyeon" language="ko-KR">${say}</Say></Gather><Say>안녕히 계세요</Say><Hangup/></Response>`;
const streamDoc = (text = '안녕하세요') =>
  `<Response><Connect action="${BASE}/after_stream"><Stream url="ws://127.0.0.1:8765/media" statusCallback="${BASE}/stream_status"><Parameter name="text" value="${text}"/></Stream></Connect></Response>`;
const dialDoc = (events = 'initiated ringing answered completed') =>
  `<Response><Say>상담원에게 연결해 드리겠습니다.</Say><Dial action="${BASE}/dial_status" timeout="30"><Number statusCallback="${BASE}/dial_status" statusCallbackEvent="${events}">+8225550199</Number></Dial></Response>`;

function setup(routes: Record<string, Route>, who: Caller, legs: FakeLegScript[] = []) {
  const side = new FakeTwilioSide(routes, legs);
  const actions: SimAction[] = [];
  const call = new SimulatedCall({
    side,
    caller: who,
    from: FROM,
    to: TO,
    voiceUrl: `${BASE}/voice_gather`,
    statusCallback: `${BASE}/call_status`,
    onAction: (a) => actions.push(a),
    random: () => 0.5,
    transcriptionDuplicateRate: 0,
  });
  const run = async () => {
    await side.clock.run(call.place());
    return side.clock.run(call.ended);
  };
  return { side, call, actions, run };
}

const statuses = (side: FakeTwilioSide) => side.to('/call_status').map((r) => `${r.params.SequenceNumber}:${r.params.CallStatus}`);

describe('SimulatedCall: Gather conversation', () => {
  it('posts status callbacks in order, fetches the voice URL, says the prompt, answers with speech and follows the TwiML', async () => {
    const t = setup(
      {
        '/voice_gather': () => gatherDoc(),
        '/handle_speech': (p) => `<Response><Say>"${p.SpeechResult}" 라고 말씀하셨어요.</Say><Hangup/></Response>`,
      },
      caller({ turns: [{ text: '주문 취소하고 싶어요', confidence: 0.91 }] }),
    );
    const start = t.side.now();
    const end = await t.run();
    expect(end.reason).toBe('the bot hung up (<Hangup>)');
    expect(statuses(t.side)).toEqual(['0:initiated', '1:ringing', '2:in-progress', '3:completed']);
    const voice = t.side.to('/voice_gather')[0]!;
    expect(voice.params).toMatchObject({ CallSid: t.call.callSid, From: FROM, To: TO, CallStatus: 'ringing', Direction: 'inbound' });
    const speech = t.side.to('/handle_speech')[0]!;
    expect(speech.params).toMatchObject({ SpeechResult: '주문 취소하고 싶어요', Confidence: '0.91', CallStatus: 'in-progress' });
    // the caller answers after the prompt, a reaction, the utterance and the 2 s end-pointer
    expect(speech.at - start).toBe(speakingMs(PROMPT) + REACTION_MS + speakingMs('주문 취소하고 싶어요') + 2000);
    expect(t.actions.filter((a) => a.type === 'say').map((a) => (a as { text: string }).text)).toEqual([PROMPT, '"주문 취소하고 싶어요" 라고 말씀하셨어요.']);
    const completed = t.side.to('/call_status')[3]!;
    expect(completed.params).toMatchObject({ CallbackSource: 'call-progress-events', CallDuration: expect.stringMatching(/^\d+$/) });
    expect(t.side.clock.pending).toBe(0);
    expect(t.call.live).toBe(false);
  });

  it('barges in on the nested Say when the caller talks early', async () => {
    const t = setup({ '/voice_gather': () => gatherDoc(), '/handle_speech': () => '<Response><Hangup/></Response>' }, caller({ turns: [{ text: '상담원', confidence: 0.8, bargeInMs: 500 }] }));
    await t.run();
    expect(t.actions.find((a) => a.type === 'say')).toEqual({ type: 'say', text: PROMPT, ms: 500, cut: true });
    expect(t.actions.find((a) => a.type === 'speech')).toEqual({ type: 'speech', text: '상담원', bargeIn: true });
  });

  it('does not barge in when the Gather says bargeIn=false', async () => {
    const t = setup(
      { '/voice_gather': () => gatherDoc(PROMPT, ' bargeIn="false"'), '/handle_speech': () => '<Response/>' },
      caller({ turns: [{ text: '상담원', confidence: 0.8, bargeInMs: 500 }] }),
    );
    await t.run();
    expect(t.actions.find((a) => a.type === 'say')).toEqual({ type: 'say', text: PROMPT, ms: speakingMs(PROMPT) });
  });

  it('silence: posts the action without SpeechResult when actionOnEmptyResult, else runs the next verb', async () => {
    const withEmpty = setup({ '/voice_gather': () => gatherDoc(), '/handle_speech': () => '<Response><Hangup/></Response>' }, caller({ turns: [null] }));
    await withEmpty.run();
    expect(withEmpty.side.to('/handle_speech')[0]!.params.SpeechResult).toBeUndefined();

    const fallThrough = setup({ '/voice_gather': () => '<Response><Gather input="speech" timeout="3"><Say>네?</Say></Gather><Say>안녕히 계세요</Say></Response>' }, caller({ turns: [null] }));
    const end = await fallThrough.run();
    expect(fallThrough.side.to('/handle_speech')).toHaveLength(0);
    expect(fallThrough.actions.filter((a) => a.type === 'say').map((a) => (a as { text: string }).text)).toEqual(['네?', '안녕히 계세요']);
    expect(end.reason).toBe('the TwiML ended');
  });

  it('follows a Redirect with its method, and Pause waits its length', async () => {
    const t = setup({ '/voice_gather': () => '<Response><Pause length="3"/><Redirect method="GET">/next</Redirect></Response>', '/next': () => '<Response><Hangup/></Response>' }, caller());
    await t.run();
    expect(t.actions).toContainEqual({ type: 'pause', ms: 3000 });
    expect(t.side.to('/next')[0]).toMatchObject({ method: 'GET', url: `${BASE}/next` });
  });

  it('the caller hangs up at a Gather when the script says so', async () => {
    const t = setup({ '/voice_gather': () => gatherDoc() }, caller({ turns: ['hangup'] }));
    expect((await t.run()).reason).toBe('the caller hung up');
    expect(statuses(t.side).at(-1)).toBe('3:completed');
  });

  it('the watchdog hangs up a call that never ends', async () => {
    const t = setup({ '/voice_gather': () => '<Response><Gather input="speech" timeout="5" actionOnEmptyResult="true"/></Response>' }, caller({ turns: Array(1000).fill(null), maxCallMs: 60_000 }));
    const end = await t.run();
    expect(end.reason).toMatch(/time limit/);
    expect(t.side.now() - 1_000_000).toBe(60_000);
    expect(t.side.clock.pending).toBe(0);
  });
});

describe('SimulatedCall: errors', () => {
  it('a refused voice webhook rejects place() and the call fails', async () => {
    const side = new FakeTwilioSide({ '/voice_gather': () => ({ status: 403, body: 'Twilio Request Validation Failed.' }) });
    const call = new SimulatedCall({ side, caller: caller(), from: FROM, to: TO, voiceUrl: `${BASE}/voice_gather`, statusCallback: `${BASE}/call_status` });
    await expect(side.clock.run(call.place())).rejects.toThrow(/HTTP 403.*11200/);
    expect((await call.ended).reason).toMatch(/application error/);
    expect(statuses(side)).toEqual(['0:initiated', '1:ringing', '2:failed']);
  });

  it('bad TwiML mid-call ends it with an application error', async () => {
    const t = setup({ '/voice_gather': () => gatherDoc(), '/handle_speech': () => '<Response><Say>' }, caller({ turns: [{ text: '네', confidence: 0.9 }] }));
    const end = await t.run();
    expect(end.reason).toMatch(/application error: TwiML is not well-formed/);
    expect(t.actions.some((a) => a.type === 'error')).toBe(true);
  });
});

describe('SimulatedCall: media stream', () => {
  const routes = { '/voice_gather': () => streamDoc(), '/after_stream': () => '<Response><Hangup/></Response>' };

  it('opens the stream with its Parameters and posts the Connect action when the server closes the socket', async () => {
    const t = setup(routes, caller(), [{ audioAtMs: [100, 120], closeAtMs: 3000 }]);
    await t.run();
    const leg = t.side.legs[0]!;
    expect(leg.opened).toMatchObject({ url: 'ws://127.0.0.1:8765/media', customParameters: { text: '안녕하세요' } });
    expect(leg.stoppedAt).toBeUndefined();
    expect(t.side.to('/after_stream')).toHaveLength(1);
    expect(t.side.to('/stream_status').map((r) => r.params.StreamEvent)).toEqual(['stream-started', 'stream-stopped']);
    expect(t.side.to('/stream_status')[0]!.params).toMatchObject({ StreamSid: leg.streamSid, CallSid: t.call.callSid, AccountSid: t.side.accountSid });
  });

  it('the caller talks a set time after first hearing the bot', async () => {
    const t = setup(routes, caller({ streams: [{ steps: [{ kind: 'talk', from: 'start', atMs: 1500, text: '저기요, 잠깐만요' }] }] }), [{ audioAtMs: [200, 220, 240], closeAtMs: 5000 }]);
    await t.run();
    const leg = t.side.legs[0]!;
    expect(leg.sent).toEqual([{ at: leg.opened.at + 200 + 1500, bytes: speakingMs('저기요, 잠깐만요') * 8 }]);
  });

  it('the caller hangs up mid-reply: stop goes to the stream, no Connect action, call completed', async () => {
    const t = setup(routes, caller({ streams: [{ steps: [{ kind: 'hangup', from: 'start', atMs: 1000 }] }] }), [{ audioAtMs: [100], closeAtMs: 10_000 }]);
    const end = await t.run();
    const leg = t.side.legs[0]!;
    expect(leg.stoppedAt).toBe(leg.opened.at + 1100);
    expect(end.reason).toBe('the caller hung up during the reply');
    expect(t.side.to('/after_stream')).toHaveLength(0);
    expect(statuses(t.side).at(-1)).toBe('3:completed');
    expect(t.side.clock.pending).toBe(0);
  });
});

describe('SimulatedCall: REST updates and Dial', () => {
  it('an operator handoff during a stream stops it, runs the Dial, posts child-leg callbacks and the Dial action', async () => {
    const t = setup(
      { '/voice_gather': () => streamDoc(), '/dial_status': (p) => (p.DialCallStatus ? '<Response><Hangup/></Response>' : { status: 204, body: '' }) },
      caller({ dial: { status: 'completed', ringMs: 4000, talkMs: 12_000 } }),
      [{ audioAtMs: [100], closeAtMs: 60_000 }],
    );
    await t.side.clock.run(t.call.place());
    await t.side.clock.advance(2000);
    expect(t.call.update({ Twiml: dialDoc() })).toBe(true);
    await t.side.clock.run(t.call.ended);
    const leg = t.side.legs[0]!;
    expect(leg.stoppedAt).toBeDefined();
    expect(t.side.to('/after_stream')).toHaveLength(0);
    const dial = t.side.to('/dial_status');
    const child = dial.filter((r) => r.params.ParentCallSid);
    expect(child.map((r) => `${r.params.SequenceNumber}:${r.params.CallStatus}`)).toEqual(['0:initiated', '1:ringing', '2:in-progress', '3:completed']);
    expect(child[0]!.params).toMatchObject({ ParentCallSid: t.call.callSid, Direction: 'outbound-dial', To: '+8225550199' });
    expect(child[0]!.params.CallSid).not.toBe(t.call.callSid);
    const action = dial.find((r) => r.params.DialCallStatus)!;
    expect(action.params).toMatchObject({ DialCallStatus: 'completed', DialCallDuration: '12', DialBridged: 'true', DialCallSid: child[0]!.params.CallSid, CallSid: t.call.callSid });
    expect(statuses(t.side).at(-1)).toBe('3:completed');
    expect(t.call.update({ Status: 'completed' })).toBe(false);
  });

  it('Dial with no events listed posts only completed; no-answer rings timeout + 5 s', async () => {
    const t = setup({ '/voice_gather': () => dialDoc(''), '/dial_status': () => '<Response/>' }, caller({ dial: { status: 'no-answer', ringMs: 0, talkMs: 0 } }));
    await t.run();
    const dial = t.side.to('/dial_status');
    expect(dial.map((r) => r.params.CallStatus === 'in-progress' ? r.params.DialCallStatus : r.params.CallStatus)).toEqual(['no-answer', 'no-answer']);
    const action = dial[1]!;
    expect(action.params).toMatchObject({ DialCallStatus: 'no-answer', DialBridged: 'false' });
    expect(action.at - dial[0]!.at).toBe(0);
  });

  it('REST Status=completed hangs up whatever runs; a hang-up during a bridged Dial still reports the Dial', async () => {
    const t = setup({ '/voice_gather': () => dialDoc(), '/dial_status': () => '<Response/>' }, caller({ dial: { status: 'completed', ringMs: 1000, talkMs: 60_000 } }));
    await t.side.clock.run(t.call.place());
    await t.side.clock.advance(speakingMs('상담원에게 연결해 드리겠습니다.') + 5000);
    t.call.update({ Status: 'completed' });
    const end = await t.side.clock.run(t.call.ended);
    expect(end.reason).toBe('hung up through the REST API');
    const action = t.side.to('/dial_status').find((r) => r.params.DialCallStatus)!;
    expect(action.params).toMatchObject({ DialCallStatus: 'completed', DialBridged: 'true', DialCallDuration: '4' });
  });

  it('a REST Url update fetches the new TwiML; a REST TwiML with relative URLs is an application error', async () => {
    const t = setup({ '/voice_gather': () => gatherDoc(), '/moved': () => '<Response><Hangup/></Response>' }, caller({ turns: [null, null] }));
    await t.side.clock.run(t.call.place());
    t.call.update({ Url: `${BASE}/moved` });
    await t.side.clock.run(t.call.ended);
    expect(t.side.to('/moved')).toHaveLength(1);

    const u = setup({ '/voice_gather': () => gatherDoc() }, caller({ turns: [null, null] }));
    await u.side.clock.run(u.call.place());
    u.call.update({ Twiml: '<Response><Gather input="speech" action="/handle_speech"/></Response>' });
    expect((await u.side.clock.run(u.call.ended)).reason).toMatch(/must be absolute/);
  });
});

describe('SimulatedCall: Real-Time Transcription and the streamed conversation', () => {
  const TRANSCRIBE = `<Start><Transcription name="fd-1" track="inbound_track" languageCode="ko-KR" partialResults="true" statusCallbackUrl="${BASE}/transcription"/></Start>`;
  const streamedDoc = () => `<Response>${TRANSCRIBE}${streamDoc().replace('<Response>', '').replace('</Response>', '')}</Response>`;
  const events = (side: FakeTwilioSide) => side.to('/transcription').map((r) => `${r.params.SequenceId}:${r.params.TranscriptionEvent!.slice(14)}${r.params.Final === 'true' ? ':final' : ''}`);

  it('the caller reacts to each reply on one stream; what they say is transcribed; stopped when the call ends', async () => {
    const talk = (text: string): StreamAct => ({ steps: [{ kind: 'talk', from: 'end', atMs: 500, text }] });
    const t = setup(
      { '/voice_gather': () => streamedDoc() },
      caller({ streams: [talk('환불 받고 싶은데요'), LISTEN, { steps: [{ kind: 'hangup', from: 'end', atMs: 300 }] }] }),
      [{ replies: [{ atMs: 100, ms: 2000 }, { atMs: 6000, ms: 1000 }, { atMs: 12_000, ms: 1000 }] }],
    );
    const end = await t.run();
    const leg = t.side.legs[0]!;
    expect(leg.sent.map((s) => s.at - leg.opened.at)).toEqual([2100 + 500]);
    expect(t.actions.filter((a) => a.type === 'reply').map((a) => `${(a as { event: string }).event}${(a as { index: number }).index}`)).toEqual([
      'start0',
      'end0',
      'start1',
      'end1',
      'start2',
      'end2',
    ]);
    expect(end.reason).toBe('the caller hung up');
    expect(leg.stoppedAt! - leg.opened.at).toBe(13_000 + 300);
    expect(events(t.side)).toEqual(['1:started', '2:content', '3:content', '4:content', '5:content:final', '6:stopped']); // a partial a word
    const stopped = t.side.to('/transcription').at(-1)!;
    expect(stopped.at).toBeLessThanOrEqual(t.side.to('/call_status').at(-1)!.at); // before `completed`
  });

  it('a REST update with <Stop><Transcription> stops it before the Dial; the stream gets stop', async () => {
    const t = setup(
      { '/voice_gather': () => streamedDoc(), '/dial_status': (p) => (p.DialCallStatus ? '<Response><Hangup/></Response>' : { status: 204, body: '' }) },
      caller({ streams: [{ steps: [{ kind: 'talk', from: 'start', atMs: 200, text: '상담원 연결해 주세요' }] }] }),
      [{ replies: [{ atMs: 100, ms: 5000 }] }],
    );
    await t.side.clock.run(t.call.place());
    await t.side.clock.advance(4000);
    t.call.update({ Twiml: dialDoc().replace('<Response>', '<Response><Stop><Transcription name="fd-1"/></Stop>') });
    await t.side.clock.run(t.call.ended);
    expect(t.side.legs[0]!.stoppedAt).toBeDefined();
    expect(events(t.side).at(-1)).toMatch(/:stopped$/);
    expect(events(t.side).filter((e) => e.endsWith('stopped'))).toHaveLength(1);
    expect(t.side.to('/transcription').at(-1)!.at).toBeLessThanOrEqual(t.side.to('/dial_status')[0]!.at);
    expect(t.actions).toContainEqual(expect.objectContaining({ type: 'transcription', event: 'stopped', name: 'fd-1' }));
  });

  it('Twilio retries a transcription callback on 5xx (up to three times), never a status callback', async () => {
    const t = setup(
      {
        '/voice_gather': () => `<Response>${TRANSCRIBE}<Pause length="1"/><Hangup/></Response>`,
        '/transcription': () => ({ status: 503, body: '' }),
        '/call_status': () => ({ status: 500, body: '' }),
      },
      caller(),
    );
    await t.run();
    expect(events(t.side)).toEqual(['1:started', '1:started', '1:started', '1:started', '2:stopped', '2:stopped', '2:stopped', '2:stopped']);
    expect(statuses(t.side)).toEqual(['0:initiated', '1:ringing', '2:in-progress', '3:completed']);
  });

  it('two transcriptions with one name is an application error', async () => {
    const t = setup({ '/voice_gather': () => `<Response>${TRANSCRIBE}${TRANSCRIBE}</Response>` }, caller());
    expect((await t.run()).reason).toMatch(/application error: a transcription named "fd-1" is already running/);
  });
});

describe('SimulatedCall: transcription beside a Gather', () => {
  it('what the caller says at a <Gather> is transcribed too while a transcription runs', async () => {
    const start = `<Start><Transcription partialResults="false" statusCallbackUrl="${BASE}/transcription"/></Start>`;
    const doc = gatherDoc().replace('<Response>', `<Response>${start}`);
    const t = setup(
      { '/voice_gather': () => doc, '/handle_speech': () => '<Response><Hangup/></Response>' },
      caller({ turns: [{ text: '주문 취소하고 싶어요', confidence: 0.91 }] }),
    );
    await t.run();
    const final = t.side.to('/transcription').find((r) => r.params.Final === 'true')!;
    const data: unknown = JSON.parse(final.params.TranscriptionData!);
    expect(data).toEqual({ transcript: '주문 취소하고 싶어요', confidence: 0.91 });
    expect(final.at).toBeLessThan(t.side.to('/handle_speech')[0]!.at); // end-pointing 0.6-0.9 s < speechTimeout 2 s
  });
});
