import { describe, expect, it } from 'vitest';
import { DEMO_SCENARIOS, type DemoScenario } from '../../shared/model';
import { testConfig } from '../config/load';
import { publicUrls } from '../config/urls';
import { dialTwiml, gatherTwiml, goodbyeTwiml, hangupTwiml, streamTwiml } from '../twiml/build';
import { echoText, matchKeyword } from '../twiml/decide';
import { DEMO_CALLER_NUMBERS, DEMO_CONNECT_DID, DEMO_TWILIO_NUMBER } from './constants';
import { planScenario, SCENARIO_DESCRIPTIONS, type ScenarioOptions } from './scenarios';
import { SimulatedCall } from './twilio/call';
import { FakeTwilioSide, type FakeLegScript, type Route } from './twilio/fake-side';
import { streamedHost, TRANSCRIPTION_PATH } from './twilio/fake-streamed-host';
import { speakingMs } from './twilio/timing';
import { LISTEN, type SimAction } from './twilio/types';
import { AGENT_REQUESTS, BACKCHANNELS, FOLLOW_UPS, GIVE_UPS, GOODBYES, OPENERS, seededRandom } from './utterances';

const config = testConfig();
const s = config.settings;
const urls = publicUrls(config, 5000);

/** A stand-in for our host's conversation routes built from the real TwiML builders (the integration tests use the real app). */
function hostRoutes() {
  return {
    '/voice_gather': () => gatherTwiml(s, urls, { say: s.GATHER_PROMPT }),
    '/voice_stream': () => streamTwiml(urls, s.GREETING, 'grant-token'),
    '/after_stream': () => gatherTwiml(s, urls),
    '/handle_speech': (p: Record<string, string>) => {
      if (!p.SpeechResult) return goodbyeTwiml(s);
      if (matchKeyword(p.SpeechResult, s.HANDOFF_KEYWORDS)) return dialTwiml(s, urls, DEMO_CONNECT_DID);
      return gatherTwiml(s, urls, { say: echoText(p.SpeechResult) });
    },
    '/dial_status': (p: Record<string, string>) => (p.DialCallStatus ? hangupTwiml() : { status: 204, body: '' }),
  };
}

function run(scenario: DemoScenario, seed: number, legs: FakeLegScript[] = [], options: ScenarioOptions = {}) {
  const plan = planScenario(scenario, seededRandom(seed), options);
  const side = new FakeTwilioSide(hostRoutes(), legs);
  const actions: SimAction[] = [];
  const call = new SimulatedCall({
    side,
    caller: { ...plan.caller, speechAudio: async (text) => Buffer.alloc(text.length * 100) },
    from: plan.from,
    to: DEMO_TWILIO_NUMBER,
    voiceUrl: urls.abs(plan.entry),
    statusCallback: urls.abs('/call_status'),
    onAction: (a) => actions.push(a),
  });
  const finish = async () => {
    await side.clock.run(call.place());
    return side.clock.run(call.ended);
  };
  const said = () => side.to('/handle_speech').map((r) => r.params.SpeechResult);
  return { plan, side, call, actions, finish, said };
}

/** The old host: the greeting (3 s, with its end mark), then it closes the stream. */
const greetingStream: FakeLegScript = { replies: [{ atMs: 150, ms: 3000 }], closeAtMs: 3300 };

describe('utterances', () => {
  it('no caller line outside the agent requests contains a handoff keyword', () => {
    const lines = [...Object.values(OPENERS).flat(), ...FOLLOW_UPS, ...GOODBYES, ...GIVE_UPS];
    for (const line of lines) expect(matchKeyword(line, s.HANDOFF_KEYWORDS), line).toBeUndefined();
    for (const line of AGENT_REQUESTS) expect(matchKeyword(line, s.HANDOFF_KEYWORDS), line).toBe('상담원');
  });

  it('every scenario has a description and a plan from a demo number', () => {
    for (const scenario of DEMO_SCENARIOS) {
      expect(SCENARIO_DESCRIPTIONS[scenario]).toBeTruthy();
      expect(DEMO_CALLER_NUMBERS).toContain(planScenario(scenario, seededRandom(1)).from);
    }
  });

  it('is randomised: different seeds give different conversations', () => {
    const lines = new Set([1, 2, 3, 4, 5, 6].map((seed) => JSON.stringify(run('gather', seed).plan.caller.atGather({ index: 0, prompt: '', elapsedMs: 0 }))));
    expect(lines.size).toBeGreaterThan(2);
  });
});

describe('scenarios against the real TwiML builders', () => {
  it.each([1, 2, 3])('gather (seed %i): 2–3 requests, a goodbye, then the caller hangs up', async (seed) => {
    const t = run('gather', seed);
    const end = await t.finish();
    expect(t.plan.entry).toBe('/voice_gather');
    const said = t.said();
    expect(said.length).toBeGreaterThanOrEqual(3);
    expect(said.length).toBeLessThanOrEqual(4);
    expect(GOODBYES).toContain(said.at(-1));
    expect(end.reason).toBe('the caller hung up');
    expect(t.side.to('/call_status').map((r) => r.params.CallStatus)).toEqual(['initiated', 'ringing', 'in-progress', 'completed']);
  });

  it('stream: the greeting plays through the stream, then the old host closes it and the turns go on at <Gather>', async () => {
    const t = run('stream', 7, [greetingStream]);
    await t.finish();
    expect(t.side.legs[0]!.opened.customParameters).toEqual({ text: s.GREETING, grant: 'grant-token' });
    expect(t.side.legs[0]!.sent).toHaveLength(0); // the host closed the stream before the caller answered
    expect(t.side.to('/after_stream')).toHaveLength(1);
    expect(t.said().length).toBeGreaterThanOrEqual(3);
    expect(GOODBYES).toContain(t.said().at(-1));
  });

  it('barge-in: the caller says the request once, 1.5 s into the greeting; the old host loses it', async () => {
    const t = run('barge-in', 8, [greetingStream]);
    await t.finish();
    const leg = t.side.legs[0]!;
    expect(leg.sent.map((x) => x.at - leg.opened.at)).toEqual([150 + 1500]);
    const talk = t.actions.find((a) => a.type === 'stream' && a.event === 'talk') as { text: string };
    expect(t.said()).not.toContain(talk.text); // not repeated: that is what issue 11's host fixes
    expect(GOODBYES).toContain(t.said()[0]);
  });

  it('barge-in with STREAM_STT=gather: the host closes the stream mid-sentence, the <Gather> hears the request', async () => {
    // the caller talks 1.65 s in for 0.4 s; the host closes the stream 0.1 s into it
    const t = run('barge-in', 8, [{ replies: [{ atMs: 150, ms: 3000 }], closeAtMs: 150 + 1500 + 100 }]);
    await t.finish();
    const talk = t.actions.find((a) => a.type === 'stream' && a.event === 'talk') as { text: string };
    expect(t.said()[0]).toBe(talk.text);
    expect(t.actions.find((a) => a.type === 'speech')).toMatchObject({ type: 'speech', text: talk.text });
    expect(GOODBYES).toContain(t.said()[1]);
  });

  it('keyword-handoff: the caller asks for 상담원, the Dial rings, the agent answers and hangs up later', async () => {
    const t = run('keyword-handoff', 9, [greetingStream]);
    await t.finish();
    expect(AGENT_REQUESTS).toContain(t.said().at(-1));
    const dial = t.side.to('/dial_status');
    expect(dial.filter((r) => r.params.ParentCallSid).map((r) => r.params.CallStatus)).toEqual(['initiated', 'ringing', 'in-progress', 'completed']);
    expect(dial.find((r) => r.params.DialCallStatus)!.params).toMatchObject({ DialCallStatus: 'completed', DialBridged: 'true' });
    const talkS = Number(dial.find((r) => r.params.DialCallStatus)!.params.DialCallDuration);
    expect(talkS).toBeGreaterThanOrEqual(8);
    expect(talkS).toBeLessThanOrEqual(15);
  });

  it('operator-handoff without an operator: keeps talking, gives up politely after the wait', async () => {
    const t = run('operator-handoff', 10, [greetingStream], { operatorWaitMs: 60_000 });
    const end = await t.finish();
    const said = t.said();
    expect(said.length).toBeGreaterThan(4);
    expect(GIVE_UPS).toContain(said.at(-1));
    expect(t.side.to('/handle_speech').at(-1)!.at - t.side.to('/call_status')[0]!.at).toBeGreaterThanOrEqual(60_000);
    expect(end.reason).toBe('the caller hung up');
    expect(t.side.to('/dial_status')).toHaveLength(0);
  });

  it('operator-handoff with an operator: the REST update dials and the agent talks', async () => {
    const t = run('operator-handoff', 11, [greetingStream]);
    await t.side.clock.run(t.call.place());
    await t.side.clock.advance(20_000);
    expect(t.call.update({ Twiml: dialTwiml(s, urls, DEMO_CONNECT_DID) })).toBe(true);
    await t.side.clock.run(t.call.ended);
    expect(t.side.to('/dial_status').find((r) => r.params.DialCallStatus)!.params.DialCallStatus).toBe('completed');
    expect(t.said().every((x) => !GIVE_UPS.includes(x!))).toBe(true);
  });

  it('hangup-mid-reply: the caller hangs up 1 s into the greeting; the stream gets stop', async () => {
    const t = run('hangup-mid-reply', 12, [greetingStream]);
    const end = await t.finish();
    const leg = t.side.legs[0]!;
    expect(leg.stoppedAt! - leg.opened.at).toBe(150 + 1000);
    expect(end.reason).toMatch(/hung up during the reply/);
    expect(t.side.to('/after_stream')).toHaveLength(0);
  });

  it('tts-failure: flagged for the TTS stand-in; the call goes on after the stream', async () => {
    const t = run('tts-failure', 13, [{ audioAtMs: [100], closeAtMs: 1000 }]);
    expect(t.plan.ttsFailure).toBe(true);
    expect(run('stream', 13).plan.ttsFailure).toBe(false);
    await t.finish();
    expect(t.side.to('/after_stream')).toHaveLength(1);
    expect(t.said()).toHaveLength(2);
  });
});

/** The same scenarios against a host that keeps one stream open and listens through Real-Time Transcription. */
type StreamedOptions = { duplicateRate?: number; failFirst?: number; repromptAfterMs?: number; silentFirst?: boolean };

function runStreamed(scenario: DemoScenario, seed: number, o: StreamedOptions = {}) {
  const plan = planScenario(scenario, seededRandom(seed));
  const routes: Record<string, Route> = {};
  const side = new FakeTwilioSide(routes);
  const host = streamedHost({ side, settings: s, urls, call: () => call, failFirst: o.failFirst, repromptAfterMs: o.repromptAfterMs });
  Object.assign(routes, host.routes);
  const actions: SimAction[] = [];
  let silent = o.silentFirst ?? false;
  const onReply: typeof plan.caller.onReply = (turn) => (silent ? ((silent = false), LISTEN) : plan.caller.onReply(turn));
  const call: SimulatedCall = new SimulatedCall({
    side,
    caller: { ...plan.caller, onReply, speechAudio: async (text) => Buffer.alloc(speakingMs(text) * 8) },
    from: plan.from,
    to: DEMO_TWILIO_NUMBER,
    voiceUrl: urls.abs(plan.entry),
    statusCallback: urls.abs('/call_status'),
    random: seededRandom(seed + 100),
    transcriptionDuplicateRate: o.duplicateRate ?? 0,
    onAction: (a) => actions.push(a),
  });
  const finish = async () => {
    await side.clock.run(call.place());
    return side.clock.run(call.ended);
  };
  const events = () => side.to(TRANSCRIPTION_PATH).map((r) => r.params);
  const finals = () => host.log.accepted.filter((c) => c.kind === 'content' && c.final).map((c) => (c as { text: string }).text);
  const talks = () => actions.flatMap((a) => (a.type === 'stream' && a.event === 'talk' ? [a.text!] : []));
  return { plan, side, call, host, actions, finish, events, finals, talks };
}

describe('scenarios against a streamed-conversation host (one stream, Real-Time Transcription)', () => {
  it.each([7, 17, 27])('stream (seed %i): several turns on one stream, signed transcription events in order, then the caller hangs up', async (seed) => {
    const t = runStreamed('stream', seed);
    const end = await t.finish();
    expect(t.side.legs).toHaveLength(1); // one stream for the whole conversation
    expect(t.talks().length).toBeGreaterThanOrEqual(3);
    expect(GOODBYES).toContain(t.talks().at(-1));
    expect(t.finals()).toEqual(t.talks()); // every line heard as a final, word for word
    expect(t.host.log.replies).toEqual([s.GREETING, ...t.talks().map((x) => echoText(x))]);
    expect(end.reason).toBe('the caller hung up');
    const ev = t.events();
    expect(ev[0]).toMatchObject({ TranscriptionEvent: 'transcription-started', SequenceId: '1', CallSid: t.call.callSid, Track: 'inbound_track' });
    expect(ev.at(-1)).toMatchObject({ TranscriptionEvent: 'transcription-stopped' });
    expect(ev.map((e) => Number(e.SequenceId))).toEqual(ev.map((_e, i) => i + 1));
    expect(new Set(ev.map((e) => e.TranscriptionSid)).size).toBe(1);
    expect(ev[0]!.TranscriptionSid).toMatch(/^GT[0-9a-f]{32}$/);
    expect(t.host.log.refused).toEqual([]);
    // partials grow word by word before each final, with rising stability
    const first = ev.filter((e) => e.TranscriptionEvent === 'transcription-content');
    const upToFinal = first.slice(0, first.findIndex((e) => e.Final === 'true') + 1);
    const texts = upToFinal.map((e) => (JSON.parse(e.TranscriptionData!) as { transcript: string }).transcript);
    expect(texts.at(-1)).toBe(t.talks()[0]);
    for (let i = 1; i < texts.length - 1; i++) expect(texts[i]!.startsWith(texts[i - 1]!)).toBe(true);
    expect(upToFinal.slice(0, -1).every((e) => e.Final === 'false' && Number(e.Stability) > 0)).toBe(true);
    expect(upToFinal.at(-1)!.LanguageCode).toBe(s.SPEECH_LANGUAGE);
    expect(JSON.parse(upToFinal.at(-1)!.TranscriptionData!).confidence).toBeGreaterThan(0.7);
  });

  it('the final comes 0.6-0.9 s after the caller stops talking', async () => {
    const t = runStreamed('stream', 8);
    await t.finish();
    const talk = t.side.legs[0]!.sent[0]!;
    const final = t.side.to(TRANSCRIPTION_PATH).find((r) => r.params.Final === 'true')!;
    const after = final.at - (talk.at + talk.bytes / 8);
    expect(after).toBeGreaterThanOrEqual(600);
    expect(after).toBeLessThanOrEqual(900);
  });

  it('barge-in: the request said once, over the greeting, is answered on the same stream', async () => {
    const t = runStreamed('barge-in', 8);
    await t.finish();
    const [request, goodbye] = t.talks();
    expect(t.talks()).toHaveLength(2);
    expect(GOODBYES).toContain(goodbye);
    expect(t.host.log.clears).toBe(1); // the final arrived while the greeting played: it was cut
    expect(t.host.log.replies.slice(0, 2)).toEqual([s.GREETING, echoText(request!)]);
    expect(t.actions).toContainEqual({ type: 'reply', event: 'end', index: 0, outcome: 'cleared' });
    expect(t.side.legs).toHaveLength(1);
  });

  it('keyword-handoff: the REST update stops the stream and the transcription, then dials', async () => {
    const t = runStreamed('keyword-handoff', 9);
    await t.finish();
    expect(AGENT_REQUESTS).toContain(t.talks().at(-1));
    expect(t.host.log.handoffs).toBe(1);
    expect(t.side.legs[0]!.stoppedAt).toBeDefined();
    const ev = t.events();
    expect(ev.at(-1)!.TranscriptionEvent).toBe('transcription-stopped');
    expect(ev.filter((e) => e.TranscriptionEvent === 'transcription-stopped')).toHaveLength(1);
    const stoppedAt = t.side.to(TRANSCRIPTION_PATH).at(-1)!.at;
    const dialed = t.side.to('/dial_status')[0]!.at;
    expect(stoppedAt).toBeLessThanOrEqual(dialed);
    expect(t.side.to('/dial_status').find((r) => r.params.DialCallStatus)!.params.DialCallStatus).toBe('completed');
  });

  it('backchannel: 네 / 음 over the reply do not stop it; the caller answers after it', async () => {
    const t = runStreamed('backchannel', 12);
    await t.finish();
    expect(t.host.log.clears).toBe(0);
    const nods = t.talks().filter((x) => BACKCHANNELS.includes(x));
    expect(nods.length).toBe(2);
    expect(t.finals()).toEqual(expect.arrayContaining(nods));
    expect(t.actions.filter((a) => a.type === 'reply' && a.event === 'end').every((a) => (a as { outcome: string }).outcome === 'played')).toBe(true);
    expect(GOODBYES).toContain(t.talks().at(-1));
  });

  it('hangup-mid-reply: stop on the stream, transcription-stopped when the call ends', async () => {
    const t = runStreamed('hangup-mid-reply', 12);
    const end = await t.finish();
    expect(end.reason).toMatch(/hung up during the reply/);
    expect(t.side.legs[0]!.stoppedAt! - t.side.legs[0]!.opened.at).toBe(150 + 1000);
    expect(t.events().map((e) => e.TranscriptionEvent)).toEqual(['transcription-started', 'transcription-stopped']);
  });

  it('Twilio retries: duplicates keep their SequenceId and the host acts on each once; a 500 is sent again', async () => {
    const t = runStreamed('stream', 7, { duplicateRate: 1, failFirst: 2 });
    await t.finish();
    const content = t.events().filter((e) => e.TranscriptionEvent === 'transcription-content');
    const seqs = content.map((e) => e.SequenceId);
    expect(new Set(seqs).size).toBeLessThan(seqs.length);
    const accepted = t.host.log.accepted.map((c) => `${c.transcriptionSid}:${c.sequenceId}`);
    expect(new Set(accepted).size).toBe(accepted.length);
    expect(t.finals()).toEqual(t.talks()); // the 500s were retried, nothing answered twice
    expect(t.host.log.replies).toHaveLength(t.talks().length + 1);
  });

  it('silence: a caller who says nothing gets the reprompt on the same stream, then answers it', async () => {
    const t = runStreamed('stream', 7, { repromptAfterMs: 5000, silentFirst: true });
    await t.finish();
    expect(t.host.log.replies.slice(0, 2)).toEqual([s.GREETING, s.REPROMPT]);
    expect(t.talks().length).toBeGreaterThanOrEqual(3);
    expect(t.side.legs).toHaveLength(1);
  });
});
