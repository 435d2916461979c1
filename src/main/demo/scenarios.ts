// The demo scenarios as caller behaviour: which webhook the number points at and what the caller does at each turn.
import type { DemoScenario } from '../../shared/model';
import { DEMO_CALLER_NUMBERS } from './constants';
import type { Caller, DialAnswer, StreamAct, Utterance } from './twilio/types';
import { AGENT_REQUESTS, confidence, FOLLOW_UPS, GIVE_UPS, GOODBYES, opener, pick, type Random } from './utterances';

export interface ScenarioOptions {
  /** operator-handoff: how long the caller waits for the operator before giving up politely. */
  operatorWaitMs?: number;
  /** barge-in: how far into the streamed reply the caller starts talking. */
  bargeInAfterMs?: number;
  /** hangup-mid-reply: how far into the streamed reply the caller hangs up. */
  hangupAfterMs?: number;
}

export type PlannedCaller = Omit<Caller, 'speechAudio'>;

export interface ScenarioPlan {
  scenario: DemoScenario;
  /** The simulated number's voice URL path. */
  entry: '/voice_gather' | '/voice_stream';
  from: string;
  /** The TTS stand-in fails this call's job. */
  ttsFailure: boolean;
  caller: PlannedCaller;
}

export const SCENARIO_DESCRIPTIONS: Record<DemoScenario, string> = {
  gather: 'A short Korean conversation through <Gather>: two or three requests, then goodbye',
  stream: 'The greeting streamed through the media stream (TTS parts), then a short conversation',
  'barge-in': 'The caller talks over the streamed greeting about 1.5 s in',
  'keyword-handoff': 'The caller asks for 상담원: <Dial> to the Amazon Connect number, agent answers',
  'operator-handoff': 'A long conversation waiting for the operator to press Hand off (gives up politely after ~60 s)',
  'hangup-mid-reply': 'The caller hangs up 1 s into the streamed greeting',
  'tts-failure': "The TTS stand-in fails this call's job: the apology clip plays, the call goes on",
};

const say = (random: Random, text: string): Utterance => ({ text, confidence: confidence(random) });

/** A caller that says `turns` in order at successive Gathers, then hangs up. */
function scripted(random: Random, turns: string[], streams: StreamAct[], dial: DialAnswer, maxCallMs: number): PlannedCaller {
  const queue = turns.map((t) => say(random, t));
  const acts = [...streams];
  return {
    atGather: () => queue.shift() ?? 'hangup',
    inStream: () => acts.shift() ?? { kind: 'listen' },
    dialAnswer: () => dial,
    maxCallMs,
  };
}

/** The agent picks up after 3–6 s and talks 8–15 s. */
function agentAnswers(random: Random): DialAnswer {
  return { status: 'completed', ringMs: 3000 + Math.round(random() * 3000), talkMs: 8000 + Math.round(random() * 7000) };
}

/** Two or three requests and follow-ups, then a goodbye. */
function conversation(random: Random): string[] {
  const lines = [opener(random), pick(random, FOLLOW_UPS)];
  if (random() < 0.5) lines.push(pick(random, FOLLOW_UPS.filter((l) => l !== lines[1])));
  lines.push(pick(random, GOODBYES));
  return lines;
}

export function planScenario(scenario: DemoScenario, random: Random, options: ScenarioOptions = {}): ScenarioPlan {
  const from = pick(random, DEMO_CALLER_NUMBERS);
  const agent = agentAnswers(random);
  const plan = (entry: ScenarioPlan['entry'], caller: PlannedCaller, ttsFailure = false): ScenarioPlan => ({ scenario, entry, from, ttsFailure, caller });
  const minutes = (n: number) => n * 60_000;
  switch (scenario) {
    case 'gather':
      return plan('/voice_gather', scripted(random, conversation(random), [], agent, minutes(3)));
    case 'stream':
      return plan('/voice_stream', scripted(random, [opener(random), pick(random, GOODBYES)], [], agent, minutes(3)));
    case 'barge-in': {
      const request = opener(random);
      // the media server keeps the barged-in audio but has no transcript: at the next Gather the caller repeats it
      const talk: StreamAct = { kind: 'talk', afterMs: options.bargeInAfterMs ?? 1500, text: request };
      return plan('/voice_stream', scripted(random, [request, pick(random, GOODBYES)], [talk], agent, minutes(3)));
    }
    case 'keyword-handoff':
      return plan('/voice_gather', scripted(random, [opener(random), pick(random, AGENT_REQUESTS)], [], agent, minutes(3)));
    case 'hangup-mid-reply':
      return plan('/voice_stream', scripted(random, [], [{ kind: 'hangup', afterMs: options.hangupAfterMs ?? 1000 }], agent, minutes(1)));
    case 'tts-failure':
      return plan('/voice_stream', scripted(random, [opener(random), pick(random, GOODBYES)], [], agent, minutes(3)), true);
    case 'operator-handoff':
      return plan('/voice_stream', waitingForOperator(random, options.operatorWaitMs ?? 60_000, agent));
  }
}

/** Keeps talking (never a handoff keyword) until the operator hands off; after `waitMs` gives up politely. */
function waitingForOperator(random: Random, waitMs: number, agent: DialAnswer): PlannedCaller {
  let gaveUp = false;
  let index = 0;
  return {
    atGather: ({ elapsedMs }) => {
      if (gaveUp) return 'hangup';
      if (elapsedMs >= waitMs) {
        gaveUp = true;
        return say(random, pick(random, GIVE_UPS));
      }
      return say(random, index++ % 3 === 0 ? opener(random) : pick(random, FOLLOW_UPS));
    },
    inStream: () => ({ kind: 'listen' }),
    dialAnswer: () => agent,
    // long enough for the handoff and the agent's talk after the wait
    maxCallMs: waitMs + 4 * 60_000,
  };
}
