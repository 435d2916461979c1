import { describe, expect, it } from 'vitest';
import { DEMO_SCENARIOS, type DemoScenario } from '../../shared/model';
import { testConfig } from '../config/load';
import { publicUrls } from '../config/urls';
import { dialTwiml, gatherTwiml, goodbyeTwiml, hangupTwiml, streamTwiml } from '../twiml/build';
import { echoText, matchKeyword } from '../twiml/decide';
import { DEMO_CALLER_NUMBERS, DEMO_CONNECT_DID, DEMO_TWILIO_NUMBER } from './constants';
import { planScenario, SCENARIO_DESCRIPTIONS, type ScenarioOptions } from './scenarios';
import { SimulatedCall } from './twilio/call';
import { FakeTwilioSide, type FakeLegScript } from './twilio/fake-side';
import type { SimAction } from './twilio/types';
import { AGENT_REQUESTS, FOLLOW_UPS, GIVE_UPS, GOODBYES, OPENERS, seededRandom } from './utterances';

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

const greetingStream: FakeLegScript = { audioAtMs: [150, 170, 190], closeAtMs: 6500 };

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

  it('stream: the greeting plays through the stream, then a turn at /after_stream', async () => {
    const t = run('stream', 7, [greetingStream]);
    await t.finish();
    expect(t.side.legs[0]!.opened.customParameters).toEqual({ text: s.GREETING, grant: 'grant-token' });
    expect(t.side.legs[0]!.sent).toHaveLength(0);
    expect(t.side.to('/after_stream')).toHaveLength(1);
    expect(t.said()).toHaveLength(2);
  });

  it('barge-in: the caller talks 1.5 s after first hearing the greeting, then repeats the request', async () => {
    const t = run('barge-in', 8, [greetingStream]);
    await t.finish();
    const leg = t.side.legs[0]!;
    expect(leg.sent.map((x) => x.at - leg.opened.at)).toEqual([150 + 1500]);
    const talk = t.actions.find((a) => a.type === 'stream' && a.event === 'talk') as { text: string };
    expect(t.said()[0]).toBe(talk.text);
  });

  it('keyword-handoff: the caller asks for 상담원, the Dial rings, the agent answers and hangs up later', async () => {
    const t = run('keyword-handoff', 9);
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
    const t = run('tts-failure', 13, [{ audioAtMs: [100], closeAtMs: 3000 }]);
    expect(t.plan.ttsFailure).toBe(true);
    expect(run('stream', 13).plan.ttsFailure).toBe(false);
    await t.finish();
    expect(t.side.to('/after_stream')).toHaveLength(1);
    expect(t.said()).toHaveLength(2);
  });
});
