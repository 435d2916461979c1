// TwiML documents, built with twilio's VoiceResponse (never by string concatenation). Pure: settings + URLs in, XML out.
// Every URL is absolute: TwiML sent through the REST API (operator handoff) requires it.
import twilio from 'twilio';
import type { Settings } from '../config/schema';
import type { PublicUrls } from '../config/urls';

type VoiceResponse = twilio.twiml.VoiceResponse;
type SayAttributes = NonNullable<Parameters<VoiceResponse['say']>[0]>;
type GatherAttributes = NonNullable<Parameters<VoiceResponse['gather']>[0]>;

export const ROUTES = {
  voiceGather: '/voice_gather',
  handleSpeech: '/handle_speech',
  voiceStream: '/voice_stream',
  afterStream: '/after_stream',
  callStatus: '/call_status',
  dialStatus: '/dial_status',
  streamStatus: '/stream_status',
  transcription: '/transcription',
} as const;

/** Korean lines that are not settings: they only cover failures. */
export const KOREAN = {
  handoffUnavailable: '죄송합니다. 지금은 상담원 연결이 어렵습니다. 계속 말씀해 주세요.',
  handoffFailed: '죄송합니다. 상담원과 연결되지 않았습니다. 계속 도와드릴게요. 말씀해 주세요.',
} as const;

/** Turns in a row without speech at which the bot says goodbye and hangs up (two reprompts before). */
export const MAX_SILENT_TURNS = 3;

function sayAttrs(s: Settings): SayAttributes {
  // voice and language are configurable strings; twilio's enums list the Korean ones (Polly.Seoyeon, ko-KR, …)
  return { voice: s.SAY_VOICE, language: s.SAY_LANGUAGE } as SayAttributes;
}

function gatherAttrs(s: Settings, action: string): GatherAttributes {
  const attrs: GatherAttributes = {
    input: ['speech'],
    action,
    method: 'POST',
    language: s.SPEECH_LANGUAGE as GatherAttributes['language'],
    speechModel: s.SPEECH_MODEL,
    // with an explicit speechModel Twilio wants an integer here, never 'auto'
    speechTimeout: s.SPEECH_MODEL && s.SPEECH_MODEL !== 'default' && s.SPEECH_TIMEOUT === 'auto' ? String(s.GATHER_TIMEOUT_S) : s.SPEECH_TIMEOUT,
    timeout: s.GATHER_TIMEOUT_S,
    actionOnEmptyResult: true,
  };
  const hints = s.SPEECH_HINTS.split(',').map((h) => h.trim()).filter(Boolean).join(',');
  if (hints) attrs.hints = hints;
  return attrs;
}

/** The /handle_speech URL; `silentTurns` counts turns in a row without speech (carried in the query, signed by Twilio). */
export function speechActionUrl(urls: PublicUrls, silentTurns = 0): string {
  return urls.abs(silentTurns > 0 ? `${ROUTES.handleSpeech}?silent=${silentTurns}` : ROUTES.handleSpeech);
}

/** Appends a speech <Gather> (with `say` nested so the caller can barge in) and the goodbye fallback after it. */
function appendGather(vr: VoiceResponse, s: Settings, urls: PublicUrls, say: string | undefined, silentTurns: number): void {
  const gather = vr.gather(gatherAttrs(s, speechActionUrl(urls, silentTurns)));
  if (say) gather.say(sayAttrs(s), say);
  // only reached if Twilio does not call the action (actionOnEmptyResult makes it call even on silence)
  vr.say(sayAttrs(s), s.GOODBYE);
  vr.hangup();
}

/** <Say before?><Gather><Say say/></Gather><Say GOODBYE/><Hangup/> */
export function gatherTwiml(s: Settings, urls: PublicUrls, opts: { say?: string; before?: string; silentTurns?: number } = {}): string {
  const vr = new twilio.twiml.VoiceResponse();
  if (opts.before) vr.say(sayAttrs(s), opts.before);
  appendGather(vr, s, urls, opts.say, opts.silentTurns ?? 0);
  return vr.toString();
}

/** <Say GOODBYE/><Hangup/> */
export function goodbyeTwiml(s: Settings): string {
  const vr = new twilio.twiml.VoiceResponse();
  vr.say(sayAttrs(s), s.GOODBYE);
  vr.hangup();
  return vr.toString();
}

/** <Hangup/> only (the agent call is over). */
export function hangupTwiml(): string {
  const vr = new twilio.twiml.VoiceResponse();
  vr.hangup();
  return vr.toString();
}

/** The Real-Time Transcription session of a call: one per call, named so a handoff can stop it. */
export function transcriptionName(callSid: string): string {
  return `fd-${callSid}`;
}

/**
 * <Start><Transcription/></Start>: Twilio transcribes the caller's track beside the media stream and posts partials
 * and finals to /transcription (absolute, under PUBLIC_URL). Engine, model and hints from settings.
 */
function appendTranscriptionStart(vr: VoiceResponse, s: Settings, urls: PublicUrls, callSid: string): void {
  const hints = s.TRANSCRIPTION_HINTS.split(',').map((h) => h.trim()).filter(Boolean).join(',');
  vr.start().transcription({
    name: transcriptionName(callSid),
    track: 'inbound_track',
    languageCode: s.SPEECH_LANGUAGE,
    transcriptionEngine: s.TRANSCRIPTION_ENGINE,
    speechModel: s.TRANSCRIPTION_MODEL,
    partialResults: true,
    statusCallbackUrl: urls.abs(ROUTES.transcription),
    statusCallbackMethod: 'POST',
    ...(hints ? { hints } : {}),
  });
}

/**
 * The streamed conversation (STREAM_STT=transcription): Real-Time Transcription started, then the one media stream
 * of the call, `text` (the greeting) as its Parameter. The stream stays open for every turn.
 */
export function conversationTwiml(s: Settings, urls: PublicUrls, callSid: string, text: string, grant: string): string {
  const vr = new twilio.twiml.VoiceResponse();
  appendTranscriptionStart(vr, s, urls, callSid);
  appendStream(vr, urls, text, grant);
  return vr.toString();
}

/**
 * Bidirectional media stream speaking `text`; when the stream ends Twilio asks /after_stream what next.
 * `grant`: the one-time admission token for this call (media/admission.ts), without which the stream is refused.
 */
export function streamTwiml(urls: PublicUrls, text: string, grant: string): string {
  const vr = new twilio.twiml.VoiceResponse();
  appendStream(vr, urls, text, grant);
  return vr.toString();
}

function appendStream(vr: VoiceResponse, urls: PublicUrls, text: string, grant: string): void {
  const connect = vr.connect({ action: urls.abs(ROUTES.afterStream), method: 'POST' });
  // <Stream url> never carries a query string: per-call data goes in <Parameter> (start.customParameters)
  const stream = connect.stream({ url: urls.media, statusCallback: urls.abs(ROUTES.streamStatus), statusCallbackMethod: 'POST' });
  stream.parameter({ name: 'text', value: text });
  stream.parameter({ name: 'grant', value: grant });
}

/**
 * The handoff: HANDOFF_PROMPT, then <Dial> CONNECT_DID. The child leg's progress (<Number statusCallback>) and the
 * Dial's outcome (action) both go to /dial_status. Nothing after <Dial>: with an action it would be unreachable.
 */
export function dialTwiml(s: Settings, urls: PublicUrls, connectDid: string, opts: { stopTranscription?: string } = {}): string {
  const vr = new twilio.twiml.VoiceResponse();
  // a streamed call: stop its Real-Time Transcription first (the agent's words are not the bot's to hear)
  if (opts.stopTranscription) vr.stop().transcription({ name: opts.stopTranscription });
  vr.say(sayAttrs(s), s.HANDOFF_PROMPT);
  const dial = vr.dial({
    action: urls.abs(ROUTES.dialStatus),
    method: 'POST',
    timeout: s.DIAL_TIMEOUT_S,
    ...(s.CALLER_ID ? { callerId: s.CALLER_ID } : {}),
  });
  dial.number(
    {
      statusCallback: urls.abs(ROUTES.dialStatus),
      statusCallbackMethod: 'POST',
      statusCallbackEvent: ['initiated', 'ringing', 'answered', 'completed'],
    },
    connectDid,
  );
  return vr.toString();
}
