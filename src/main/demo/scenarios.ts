// The demo scenarios as caller behaviour: which webhook the number points at and what the caller does at each turn.
//
// Model: a caller has a script of lines and says the next one wherever the host lets them speak: at a <Gather>
// (the old path) or after (or over) a bot reply on the one media stream of a streamed conversation. A line counts
// as said only when it was spoken (a stream the host closes first cancels it), so the same caller works with a
// host that keeps the stream open for the whole conversation and with one that falls back to <Gather> after it.
import type { DemoScenario } from '../../shared/model';
import { DEMO_CALLER_NUMBERS } from './constants';
import { LISTEN, type Caller, type DialAnswer, type StreamAct, type StreamStep, type Utterance } from './twilio/types';
import { AGENT_REQUESTS, BACKCHANNELS, confidence, FOLLOW_UPS, GIVE_UPS, GOODBYES, opener, pick, type Random } from './utterances';

export interface ScenarioOptions {
  /** operator-handoff: how long the caller waits for the operator before giving up politely. */
  operatorWaitMs?: number;
  /** barge-in: how far into the streamed greeting the caller starts talking. */
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
  /** The TTS stand-in fails this call's first job (the greeting). */
  ttsFailure: boolean;
  caller: PlannedCaller;
}

export const SCENARIO_DESCRIPTIONS: Record<DemoScenario, string> = {
  gather: 'A short Korean conversation through <Gather>: two or three requests, then goodbye',
  stream: 'A streamed conversation on one media stream: greeting, two or three requests and answers, a goodbye',
  'barge-in': 'The caller says their request once, over the streamed greeting (~1.5 s in); the bot answers it',
  'keyword-handoff': 'The caller asks for 상담원: the transcription stops, <Dial> to the Amazon Connect number, agent answers',
  'operator-handoff': 'A long streamed conversation waiting for the operator to press Hand off (gives up politely after ~60 s)',
  'hangup-mid-reply': 'The caller hangs up 1 s into the streamed greeting',
  'tts-failure': "The TTS stand-in fails the greeting's job: the apology clip plays, the conversation goes on",
  backchannel: 'The caller says 네 / 음 while the bot speaks: the reply goes on, then they answer',
};

/** How long the caller takes to answer once a reply has ended (ms, real time: the audio plays so). */
const ANSWER_AFTER_MS: readonly [number, number] = [500, 900];
/** The caller hangs up this long after the bot's last reply ended. */
const HANG_UP_AFTER_MS = 600;

type Line = { text: string; confidence: number };

/** What the caller will say, in order; `next()` returns null when they have nothing more to say. */
class Script {
  private promised: { stream: number; text: string } | null = null;
  /** A line the host cut off by closing the stream: said again at once at the next <Gather>. */
  private resumed: string | null = null;

  constructor(
    private readonly random: Random,
    private readonly next: () => string | null,
    private readonly queue: Line[] = [],
  ) {}

  peek(): Line | null {
    if (this.queue.length === 0) {
      const text = this.next();
      if (text !== null) this.queue.push({ text, confidence: confidence(this.random) });
    }
    return this.queue[0] ?? null;
  }

  /** At a Gather the line is said at once (over its prompt when the stream cut it off). */
  take(): (Line & { bargeInMs?: number }) | null {
    this.promised = null;
    const line = this.peek();
    this.queue.shift();
    const cut = line !== null && line.text === this.resumed;
    this.resumed = null;
    return line && cut ? { ...line, bargeInMs: 0 } : line;
  }

  /** The stream closed while `text` was being said: the caller goes on with it (the Gather hears it). */
  cutOff(text: string): void {
    if (this.queue[0]?.text === text) return;
    const line = { text, confidence: confidence(this.random) };
    this.queue.unshift(line);
    this.resumed = text;
  }

  /** Promises the next line on `stream` (null: already promised there, or nothing left). */
  promise(stream: number): Line | null | 'pending' {
    if (this.promised?.stream === stream) return 'pending';
    const line = this.peek();
    if (line) this.promised = { stream, text: line.text };
    return line;
  }

  said(text: string): void {
    if (this.queue[0]?.text !== text) return; // a backchannel, or a line already said
    this.queue.shift();
    this.promised = null;
  }
}

export interface ReplyTurn {
  stream: number;
  reply: number;
  elapsedMs: number;
}

type Extra = (turn: ReplyTurn, line: Line | null) => StreamStep[] | null;

/** A caller with a script: says the next line after each reply (or as `extra` says), hangs up when done. */
function scripted(random: Random, script: Script, dial: DialAnswer, maxCallMs: number, extra?: Extra): PlannedCaller {
  const answerAfter = () => ANSWER_AFTER_MS[0] + Math.round(random() * (ANSWER_AFTER_MS[1] - ANSWER_AFTER_MS[0]));
  return {
    atGather: () => {
      const line = script.take();
      if (!line) return 'hangup';
      return { text: line.text, confidence: line.confidence, ...(line.bargeInMs !== undefined ? { bargeInMs: line.bargeInMs } : {}) } satisfies Utterance;
    },
    onReply: (turn) => {
      const line = script.promise(turn.stream);
      if (line === 'pending') return LISTEN; // a line is on its way: this reply came before the caller spoke
      const own = extra?.(turn, line);
      if (own) return { steps: own };
      if (!line) return { steps: [{ kind: 'hangup', from: 'end', atMs: HANG_UP_AFTER_MS }] };
      return { steps: [{ kind: 'talk', from: 'end', atMs: answerAfter(), text: line.text, confidence: line.confidence }] } satisfies StreamAct;
    },
    said: (text) => script.said(text),
    cutOff: (text) => script.cutOff(text),
    dialAnswer: () => dial,
    maxCallMs,
  };
}

const fixed = (lines: string[]) => {
  const queue = [...lines];
  return () => queue.shift() ?? null;
};

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
  const script = (lines: string[]) => new Script(random, fixed(lines));
  switch (scenario) {
    case 'gather':
      return plan('/voice_gather', scripted(random, script(conversation(random)), agent, minutes(3)));
    case 'stream':
      return plan('/voice_stream', scripted(random, script(conversation(random)), agent, minutes(3)));
    case 'barge-in': {
      // the request, once, over the greeting; the bot's answer is heard out, then goodbye
      const at = options.bargeInAfterMs ?? 1500;
      const overGreeting: Extra = (turn, line) =>
        turn.stream === 0 && turn.reply === 0 && line ? [{ kind: 'talk', from: 'start', atMs: at, text: line.text, confidence: line.confidence }] : null;
      return plan('/voice_stream', scripted(random, script([opener(random), pick(random, GOODBYES)]), agent, minutes(3), overGreeting));
    }
    case 'keyword-handoff':
      return plan('/voice_stream', scripted(random, script([opener(random), pick(random, AGENT_REQUESTS)]), agent, minutes(3)));
    case 'hangup-mid-reply': {
      const at = options.hangupAfterMs ?? 1000;
      return plan('/voice_stream', scripted(random, script([]), agent, minutes(1), () => [{ kind: 'hangup', from: 'start', atMs: at }]));
    }
    case 'tts-failure':
      return plan('/voice_stream', scripted(random, script([opener(random), pick(random, GOODBYES)]), agent, minutes(3)), true);
    case 'operator-handoff':
      return plan('/voice_stream', waitingForOperator(random, options.operatorWaitMs ?? 60_000, agent));
    case 'backchannel': {
      // 네 / 음 a moment into each of the first two replies; the line itself after the reply
      const nod: Extra = (turn, line) => {
        if (turn.reply > 1 || !line) return null;
        const text = pick(random, BACKCHANNELS);
        return [
          { kind: 'talk', from: 'start', atMs: 900, text, confidence: 0.7, backchannel: true },
          { kind: 'talk', from: 'end', atMs: 700, text: line.text, confidence: line.confidence },
        ];
      };
      return plan('/voice_stream', scripted(random, script(conversation(random)), agent, minutes(3), nod));
    }
  }
}

/** Keeps talking (never a handoff keyword) until the operator hands off; after `waitMs` gives up politely. */
function waitingForOperator(random: Random, waitMs: number, agent: DialAnswer): PlannedCaller {
  let elapsed = 0;
  let gaveUp = false;
  let index = 0;
  const next = () => {
    if (gaveUp) return null;
    if (elapsed >= waitMs) {
      gaveUp = true;
      return pick(random, GIVE_UPS);
    }
    return index++ % 3 === 0 ? opener(random) : pick(random, FOLLOW_UPS);
  };
  const caller = scripted(random, new Script(random, next), agent, waitMs + 4 * 60_000); // room for the handoff after the wait
  const clock = (elapsedMs: number) => (elapsed = elapsedMs);
  return {
    ...caller,
    atGather: (turn) => (clock(turn.elapsedMs), caller.atGather(turn)),
    onReply: (turn) => (clock(turn.elapsedMs), caller.onReply(turn)),
  };
}
