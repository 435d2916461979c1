// Test support: a small stand-in for the host's streamed conversation (issue 11) on a FakeTwilioSide, so the
// simulated Twilio's side of the protocol is tested on a virtual clock (test/demo.test.ts runs the real host).
// It answers /voice_stream
// with <Start><Transcription> + <Connect><Stream>, plays the greeting on the stream, reads the transcription
// callbacks with the host's own parser and dedupe, answers every final on the same stream (clearing a reply the
// caller talked over), reprompts after silence, and hands off by REST update (<Stop><Transcription> + <Dial>).
import { parseTranscriptionCallback, TranscriptionDedupe, type TranscriptionCallback } from '../../conversation/transcription';
import type { Settings } from '../../config/schema';
import type { PublicUrls } from '../../config/urls';
import { conversationTwiml, dialTwiml, hangupTwiml, ROUTES, transcriptionName } from '../../twiml/build';
import { echoText, matchKeyword } from '../../twiml/decide';
import { BACKCHANNELS } from '../utterances';
import type { SimulatedCall } from './call';
import type { FakeLeg, FakeTwilioSide, Route } from './fake-side';
import { speakingMs } from './timing';

export const TRANSCRIPTION_PATH = ROUTES.transcription;
/** The host starts the greeting's audio this long after the stream opened. */
export const FIRST_AUDIO_MS = 150;
/** From a final to the answer's first audio. */
export const ANSWER_MS = 120;

export interface StreamedHostLog {
  /** Callbacks the host acted on (after its dedupe). */
  accepted: TranscriptionCallback[];
  /** Callbacks it refused as malformed. */
  refused: string[];
  /** What it played on the stream, in order. */
  replies: string[];
  clears: number;
  handoffs: number;
}

export function streamedHost(o: {
  side: FakeTwilioSide;
  settings: Settings;
  urls: PublicUrls;
  call: () => SimulatedCall;
  /** Answer a final with 500 this many times first (Twilio retries). */
  failFirst?: number;
  /** Reprompt after this much silence (ms); never when absent. */
  repromptAfterMs?: number;
}): { routes: Record<string, Route>; log: StreamedHostLog } {
  const { side, settings: s, urls } = o;
  const log: StreamedHostLog = { accepted: [], refused: [], replies: [], clears: 0, handoffs: 0 };
  const dedupe = new TranscriptionDedupe();
  let leg: FakeLeg | null = null;
  let playingUntil = 0;
  let failures = o.failFirst ?? 0;
  let silence: AbortController | null = null;

  const play = (text: string) => {
    if (!leg) return;
    const ms = speakingMs(text);
    log.replies.push(text);
    leg.play(ms, `r${log.replies.length}`);
    playingUntil = side.now() + ms;
    armReprompt(ms);
  };
  const later = (ms: number, fn: () => void) => void side.clock.sleep(ms).then(fn);
  const armReprompt = (replyMs: number) => {
    silence?.abort();
    if (o.repromptAfterMs === undefined) return;
    const mine = new AbortController();
    silence = mine;
    side.clock.sleep(replyMs + o.repromptAfterMs, mine.signal).then(() => play(s.REPROMPT), () => undefined);
  };

  side.onLeg = (l) => {
    leg = l;
    later(FIRST_AUDIO_MS, () => play(l.opened.customParameters.text ?? s.GREETING));
  };

  // the host's own TwiML builders: <Start><Transcription> + <Connect><Stream>, and the handoff that stops it
  const voiceStream: Route = (p) => conversationTwiml(s, urls, p.CallSid!, s.GREETING, 'grant-token');

  const transcription: Route = (p) => {
    const parsed = parseTranscriptionCallback(p);
    if (!parsed.ok) {
      log.refused.push(parsed.error);
      return { status: 400, body: parsed.error };
    }
    const cb = parsed.value;
    if (cb.kind === 'content' && cb.final && failures > 0) {
      failures--;
      return { status: 500, body: 'try again' };
    }
    if (!dedupe.accept(cb)) return { status: 204, body: '' };
    log.accepted.push(cb);
    if (cb.kind !== 'content' || !cb.final) return { status: 204, body: '' };
    if (BACKCHANNELS.includes(cb.text)) return { status: 204, body: '' }; // 네 / 음: the reply goes on
    silence?.abort();
    if (side.now() < playingUntil) {
      leg?.clear();
      log.clears++;
      playingUntil = side.now();
    }
    if (matchKeyword(cb.text, s.HANDOFF_KEYWORDS)) {
      log.handoffs++;
      const dial = dialTwiml(s, urls, '+8225550199', { stopTranscription: transcriptionName(cb.callSid) });
      later(ANSWER_MS, () => void o.call().update({ Twiml: dial }));
    } else {
      later(ANSWER_MS, () => play(echoText(cb.text)));
    }
    return { status: 204, body: '' };
  };

  return {
    log,
    routes: {
      '/voice_stream': voiceStream,
      [TRANSCRIPTION_PATH]: transcription,
      '/after_stream': () => hangupTwiml(),
      '/dial_status': (p) => (p.DialCallStatus ? hangupTwiml() : { status: 204, body: '' }),
    },
  };
}
