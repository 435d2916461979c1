// The embedded demo: a simulated Twilio (caller, REST API) and TTS, talking to the host's real servers.
import type { CommandResult, DemoScenario } from '../../shared/model';
import { DEMO_SCENARIOS } from '../../shared/model';
import { maskNumber } from '../calls/registry';
import type { Config } from '../config/load';
import type { PublicUrls } from '../config/urls';
import type { Logger } from '../log';
import { startTwilioRestStandIn, type StandIn } from '../sim/twilio-rest-standin';
import { AutoDemo } from './auto';
import { DEMO_ACCOUNT_SID, DEMO_AUTH_TOKEN, DEMO_TWILIO_NUMBER } from './constants';
import { planScenario, type ScenarioOptions } from './scenarios';
import { createTwilioSide } from './side';
import { startDemoTts, type DemoTts } from './tts';
import { SimulatedCall } from './twilio/call';
import type { SimAction, TwilioSide } from './twilio/types';
import { seededRandom, type Random } from './utterances';
import { createVoice, type Voice } from './voice';

export interface Demo {
  /** The TTS stand-in (the host uses it as TTS_URL in demo mode). */
  readonly ttsUrl: string;
  /** The Twilio REST stand-in (TWILIO_API_BASE_URL in demo mode). */
  readonly restUrl: string;
  /** Folder the stand-in writes parts to (null when S3_ENDPOINT is set: then it writes to S3). */
  readonly partFolder: string | null;
  /** Called once the host's servers listen. */
  connect(target: { httpBase: string; mediaUrl: string; urls: PublicUrls }): void;
  /** Starts a simulated call; resolves once it is placed (not when it ends). */
  simulate(scenario: DemoScenario): Promise<CommandResult>;
  setAutoDemo(enabled: boolean): void;
  readonly autoDemo: boolean;
  readonly activeCalls: number;
  /** Tests and the CLI: change the pace and the scenario knobs of the calls started from now on. */
  tune(options: Pick<DemoOptions, 'speed' | 'scenario' | 'onAction'>): void;
  /** Hangs up every simulated call (sends stop etc.), stops stand-ins and timers: nothing left running. */
  stop(): Promise<void>;
}

/** Knobs for tests and the CLI; the app uses the defaults. */
export interface DemoOptions {
  /** Multiplies the simulated waits (Say, the caller's speech, timeouts, ringing); 1 = real time. */
  speed?: number;
  scenario?: ScenarioOptions;
  random?: Random;
  /** false: the bundled clips even when espeak-ng is installed. */
  useSynthesiser?: boolean;
  /** Overrides of the TTS stand-in's timing. */
  ttsTiming?: { partMs?: number; firstPartDelayMs?: number; partIntervalMs?: number; jitterMs?: number };
  /** Sees everything the simulated Twilio does (tests). */
  onAction?: (callSid: string, action: SimAction) => void;
}

/** A host shows a handful of calls; a runaway script must not flood it. */
export const MAX_SIMULATED_CALLS = 12;

export async function startDemo(deps: { config: Config; log: Logger; dataDir: string; options?: DemoOptions }): Promise<Demo> {
  const { log } = deps;
  const options: DemoOptions = { ...deps.options };
  const random = options.random ?? seededRandom(Date.now());
  const voice: Voice = await createVoice({ useSynthesiser: options.useSynthesiser });
  const calls = new Map<string, SimulatedCall>();
  const ttsFailures = new Set<string>();
  const pendingUpdates = new Set<NodeJS.Immediate>();
  let side: TwilioSide | null = null;
  let target: { urls: PublicUrls } | null = null;
  let stopped = false;

  let rest: StandIn | null = null;
  let tts: DemoTts | null = null;
  try {
    rest = await startTwilioRestStandIn({
      accountSid: DEMO_ACCOUNT_SID,
      authToken: DEMO_AUTH_TOKEN,
      isLive: (callSid) => calls.get(callSid)?.live ?? false,
      onUpdate: (callSid, form) => {
        // like Twilio: the API answers first, then the call changes course
        const handle = setImmediate(() => {
          pendingUpdates.delete(handle);
          calls.get(callSid)?.update(form);
        });
        pendingUpdates.add(handle);
      },
    });
    tts = await startDemoTts({
      config: deps.config,
      log,
      dataDir: deps.dataDir,
      voice,
      // the call's first job only (the greeting): on one stream per call the later replies must still be heard
      failFor: (callSid) => (callSid && ttsFailures.delete(callSid) ? 'http500' : null),
      timing: options.ttsTiming,
    });
  } catch (err) {
    await rest?.stop();
    throw err;
  }

  async function simulate(scenario: DemoScenario): Promise<CommandResult> {
    if (stopped) return { ok: false, message: 'The demo has stopped' };
    if (!side || !target) return { ok: false, message: 'The demo is not connected to the host yet: try again in a moment' };
    if (!DEMO_SCENARIOS.includes(scenario)) return { ok: false, message: `Unknown scenario "${String(scenario)}": use one of ${DEMO_SCENARIOS.join(', ')}` };
    if (calls.size >= MAX_SIMULATED_CALLS) return { ok: false, message: `${calls.size} simulated calls are already running: wait for one to end` };
    const plan = planScenario(scenario, random, options.scenario);
    const call: SimulatedCall = new SimulatedCall({
      side,
      caller: { ...plan.caller, speechAudio: (text) => voice.speak(text, 'caller') },
      from: plan.from,
      to: DEMO_TWILIO_NUMBER,
      voiceUrl: target.urls.abs(plan.entry),
      statusCallback: target.urls.abs('/call_status'),
      speed: options.speed,
      random,
      onAction: (action) => {
        options.onAction?.(call.callSid, action);
        if (action.type === 'error') log.warn({ callSid: call.callSid, scenario, error: action.message }, 'simulated call: error');
        else if (action.type === 'ended') log.info({ callSid: call.callSid, scenario, reason: action.reason }, 'simulated call ended');
      },
    });
    calls.set(call.callSid, call);
    if (plan.ttsFailure) ttsFailures.add(call.callSid);
    void call.ended.then(() => {
      calls.delete(call.callSid);
      ttsFailures.delete(call.callSid);
    });
    log.info({ callSid: call.callSid, scenario, from: maskNumber(plan.from) }, 'simulated call');
    try {
      await call.place();
      return { ok: true, message: `Simulated ${scenario} call ${call.callSid} from ${maskNumber(plan.from)}`, callSid: call.callSid };
    } catch (err) {
      return { ok: false, message: err instanceof Error ? err.message : String(err) };
    }
  }

  const auto = new AutoDemo({
    start: async (scenario) => {
      const result = await simulate(scenario);
      if (!result.ok) throw new Error(result.message);
    },
    active: () => calls.size,
    random,
    onError: (err) => log.warn({ err: err instanceof Error ? err.message : String(err) }, 'auto-demo: could not start a call'),
  });
  let autoWanted = deps.config.settings.AUTO_DEMO;

  return {
    ttsUrl: tts.url,
    restUrl: rest.url,
    partFolder: tts.partFolder,
    connect(t) {
      if (stopped) return;
      target = t;
      side = createTwilioSide({ target: t, accountSid: DEMO_ACCOUNT_SID, authToken: DEMO_AUTH_TOKEN, lineNoise: voice.clip('room-noise') });
      log.info({ host: t.httpBase, media: t.mediaUrl, voice: voice.engine }, 'demo connected to the host');
      if (autoWanted) auto.setEnabled(true);
    },
    simulate,
    setAutoDemo(enabled) {
      autoWanted = enabled;
      if (!stopped && side) auto.setEnabled(enabled);
    },
    get autoDemo() {
      return autoWanted;
    },
    get activeCalls() {
      return calls.size;
    },
    tune(changes) {
      Object.assign(options, changes);
    },
    async stop() {
      if (stopped) return;
      stopped = true;
      auto.setEnabled(false);
      for (const handle of pendingUpdates) clearImmediate(handle);
      pendingUpdates.clear();
      await Promise.all([...calls.values()].map((call) => call.hangup('the demo stopped')));
      await rest!.stop();
      await tts!.stop();
    },
  };
}
