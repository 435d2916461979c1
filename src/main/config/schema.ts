// Every setting Front Door reads, with its default and meaning. The names are the seed's.
import { z } from 'zod';

const port = (fallback: number) =>
  z.coerce
    .number({ error: 'must be a port number (0-65535)' })
    .int('must be a whole number')
    .min(0, 'must be 0-65535')
    .max(65535, 'must be 0-65535')
    .default(fallback);

const bool = (fallback: boolean) =>
  z
    .enum(['true', 'false', '1', '0', 'yes', 'no', 'on', 'off'], { error: 'must be true or false' })
    .transform((v) => ['true', '1', 'yes', 'on'].includes(v))
    .prefault(fallback ? 'true' : 'false');

const httpUrl = z
  .string()
  .url('must be an absolute URL such as https://example.ngrok.app')
  .refine((u) => /^https?:\/\//.test(u), 'must start with http:// or https://')
  .refine((u) => !u.includes('?'), 'must not contain a query string')
  .transform((u) => u.replace(/\/+$/, ''));

const wsUrl = z
  .string()
  .url('must be an absolute URL such as wss://example.ngrok.app/media')
  .refine((u) => /^wss?:\/\//.test(u), 'must start with wss:// (or ws:// for local tests)')
  .refine((u) => !u.includes('?'), 'must not contain a query string (Twilio forbids it on <Stream url>)');

const ms = (fallback: number, min = 0) => z.coerce.number({ error: 'must be a number of milliseconds' }).int().min(min).default(fallback);
const list = (fallback: string[]) =>
  z
    .string()
    .transform((s) => s.split(',').map((x) => x.trim()).filter(Boolean))
    .prefault(fallback.join(','));

export const settingsSchema = z.object({
  // Servers
  HTTP_PORT: port(5000),
  WS_PORT: port(8765),
  CONSOLE_PORT: port(5173),
  BIND_ADDRESS: z.string().default('127.0.0.1'),
  CONSOLE_TOKEN: z.string().min(16, 'must be at least 16 characters').optional(),
  PUBLIC_URL: httpUrl.optional(),
  PUBLIC_WS_URL: wsUrl.optional(),
  DATA_DIR: z.string().min(1).optional(),
  DEMO: z.enum(['auto', 'on', 'off'], { error: 'must be auto, on or off' }).default('auto'),
  AUTO_DEMO: bool(false),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  NODE_ENV: z.string().optional(),

  // Twilio
  TWILIO_ACCOUNT_SID: z.string().regex(/^AC[0-9a-fA-F]{32}$/, 'must be AC followed by 32 hex digits').optional(),
  TWILIO_AUTH_TOKEN: z.string().min(8, 'looks too short for an auth token').optional(),
  TWILIO_API_BASE_URL: httpUrl.optional(),
  SKIP_SIGNATURE_VALIDATION: bool(false),
  CONNECT_DID: z.string().regex(/^\+[1-9]\d{6,14}$/, 'must be an E.164 number such as +8225551234').optional(),
  CALLER_ID: z.string().regex(/^\+[1-9]\d{6,14}$/, 'must be an E.164 number').optional(),
  DIAL_TIMEOUT_S: z.coerce.number().int().min(5).max(600).default(30),

  // Conversation (Korean defaults)
  REPLY_MODE: z.enum(['echo', 'stream'], { error: 'must be echo or stream' }).default('echo'),
  SPEECH_LANGUAGE: z.string().default('ko-KR'),
  SPEECH_MODEL: z.string().default('experimental_conversations'),
  SPEECH_TIMEOUT: z
    .string()
    .regex(/^(auto|[1-9]\d*)$/, 'must be a whole number of seconds or auto')
    .default('2'),
  GATHER_TIMEOUT_S: z.coerce.number().int().min(1).max(60).default(5),
  SPEECH_HINTS: z.string().default(''),
  SAY_VOICE: z.string().default('Polly.Seoyeon'),
  SAY_LANGUAGE: z.string().default('ko-KR'),
  HANDOFF_KEYWORDS: list(['상담원', '상담사', '사람', 'agent']),
  GREETING: z.string().default('안녕하세요. 프론트도어 음성 안내입니다. 무엇을 도와드릴까요?'),
  GATHER_PROMPT: z.string().default('안녕하세요. 무엇을 도와드릴까요? 말씀해 주세요.'),
  REPROMPT: z.string().default('잘 듣지 못했어요. 다시 한 번 말씀해 주시겠어요?'),
  GOODBYE: z.string().default('이용해 주셔서 감사합니다. 안녕히 계세요.'),
  HANDOFF_PROMPT: z.string().default('상담원에게 연결해 드리겠습니다. 잠시만 기다려 주세요.'),

  // TTS pipeline
  TTS_URL: httpUrl.optional(),
  TTS_TIMEOUT_MS: ms(5000, 100),
  TTS_BUCKET: z.string().min(3).optional(),
  AWS_REGION: z.string().default('ap-northeast-2'),
  KEY_PREFIX: z.string().transform((p) => p.replace(/^\/+|\/+$/g, '')).prefault('tts'),
  PART_KEY_TEMPLATE: z
    .string()
    .refine((t) => t.includes('{jobId}') && t.includes('{n}'), 'must contain {jobId} and {n}')
    .default('{prefix}/{jobId}/part{n}.wav'),
  FIRST_PART_INDEX: z.coerce.number().int().min(0).default(0),
  JOB_IDLE_TIMEOUT_MS: ms(8000, 100),
  S3_ENDPOINT: httpUrl.optional(),
  S3_FORCE_PATH_STYLE: bool(false),
  S3_OFF_THREAD: bool(false),
  S3_REQUEST_TIMEOUT_MS: ms(2000, 50),
  PART_STORE_DIR: z.string().optional(),
  // rel (issue 14): TTS cancel, done marker, stuck end marks
  TTS_CANCEL_URL: z
    .string()
    .refine((v) => v === 'off' || /^https?:\/\//.test(v.replaceAll('{jobId}', 'j')), 'must be off or an http(s) URL (with {jobId})')
    .optional(),
  TTS_DONE_MARKER: bool(true),
  // capacity (issue 16): part notices from the TTS service instead of dense polling
  TTS_NOTIFY_URL: z
    .string()
    .refine((v) => v === 'off' || v === 'public' || v === 'local' || /^https?:\/\/[^/?#]+(\/[^?#]*)?$/.test(v), 'must be off, public, local or an http(s) base URL')
    .optional(),
  END_MARK_SLACK_MS: ms(5000, 500),
  // end rel

  // Media
  PACING_LEAD_MS: ms(100, 0),
  PACING_BATCH_FRAMES: z.coerce.number().int().min(1, 'must be at least 1').max(10, 'must be at most 10 (200 ms)').default(5),
  BARGE_IN: z.enum(['off', 'clear', 'clear-and-gather'], { error: 'must be off, clear or clear-and-gather' }).default('clear-and-gather'),
  MAX_MEDIA_MESSAGE_BYTES: z.coerce.number().int().min(1024).default(64 * 1024),

  // The streamed conversation (issue 11)
  STREAM_STT: z.enum(['transcription', 'gather'], { error: 'must be transcription or gather' }).default('transcription'),
  TRANSCRIPTION_ENGINE: z.string().min(1).default('google'),
  TRANSCRIPTION_MODEL: z.string().min(1).default('telephony'),
  TRANSCRIPTION_HINTS: z.string().default(''),
  BOT_URL: httpUrl.optional(),
  BOT_TIMEOUT_MS: ms(1500, 50),
  BARGE_IN_MIN_SPEECH_MS: ms(450, 0),
  BARGE_IN_MODEL: z.enum(['silero', 'energy'], { error: 'must be silero or energy' }).default('silero'),
  BARGE_IN_THREAD: z.enum(['main', 'worker'], { error: 'must be main or worker' }).default('worker'),
  MEDIA_WORKERS: z
    .string()
    .regex(/^(off|thread|[1-8])$/, 'must be off, thread, or a number of media processes from 1 to 8')
    .default('off'),
  // Media admission (sec)
  MAX_STREAMS: z.coerce.number({ error: 'must be a whole number' }).int().min(1, 'must be at least 1').default(200),
  STREAM_START_TIMEOUT_MS: ms(5000, 100),
  // History (hist)
  HISTORY_RETENTION_DAYS: z.coerce.number({ error: 'must be a whole number of days' }).int().min(0, 'must be 0 or more').default(30),
  STALE_CALL_MIN: z.coerce.number({ error: 'must be a whole number of minutes' }).int().min(0, 'must be 0 or more').default(120),
  MAX_CALL_EVENTS: z.coerce.number({ error: 'must be a whole number' }).int().min(100, 'must be at least 100').default(5000),
  RECORDINGS: bool(true),
  // ops: health checks and operator powers
  TTS_HEALTH_URL: httpUrl.optional(),
  HEALTH_INTERVAL_S: z.coerce.number().int().min(10, 'must be at least 10 seconds').max(3600).default(60),
  OPERATOR_PHRASES: z
    .string()
    .transform((s) => s.split('|').map((x) => x.trim()).filter(Boolean))
    .prefault(['잠시만 기다려 주세요.', '담당자가 곧 연결해 드리겠습니다.', '다시 한 번 말씀해 주시겠어요?', '확인해 드리겠습니다.'].join('|')),
  LOG_FORMAT: z.enum(['auto', 'pretty', 'json'], { error: 'must be auto, pretty or json' }).default('auto'),
});

export type Settings = z.infer<typeof settingsSchema>;
export type SettingName = keyof Settings;

/** Settings whose values never leave the host (not to the renderer, not to logs). */
export const SECRET_SETTINGS: readonly SettingName[] = ['TWILIO_AUTH_TOKEN', 'CONSOLE_TOKEN'];

export const SETTING_DESCRIPTIONS: Record<SettingName, string> = {
  HTTP_PORT: 'TwiML webhook server port (the media upgrade path /media is accepted here too)',
  WS_PORT: 'Media Streams WebSocket port',
  CONSOLE_PORT: 'Browser console port, bound to 127.0.0.1 only',
  BIND_ADDRESS: 'Interface the webhook and media servers listen on (a tunnel such as ngrok only needs 127.0.0.1; 0.0.0.0 for all)',
  CONSOLE_TOKEN: 'Token the browser console needs (generated at start when unset)',
  PUBLIC_URL: 'Public https base Twilio calls (e.g. your ngrok URL); used for signatures and absolute URLs',
  PUBLIC_WS_URL: 'Public wss URL of the media stream, when it differs from PUBLIC_URL + /media',
  DATA_DIR: 'Where call history is kept',
  DEMO: 'auto: demo when no Twilio/TTS settings; on; off',
  AUTO_DEMO: 'Keep a few simulated calls going (stakeholder screen)',
  LOG_LEVEL: 'pino log level',
  NODE_ENV: 'production refuses SKIP_SIGNATURE_VALIDATION',
  TWILIO_ACCOUNT_SID: 'Twilio account SID (AC…)',
  TWILIO_AUTH_TOKEN: 'Twilio primary auth token: verifies X-Twilio-Signature and authorises REST calls',
  TWILIO_API_BASE_URL: 'Send Twilio REST calls here instead of https://api.twilio.com (tests, stand-ins)',
  SKIP_SIGNATURE_VALIDATION: 'Accept unsigned webhooks (never in production; shown as a red warning)',
  CONNECT_DID: 'Amazon Connect number the handoff dials (E.164)',
  CALLER_ID: 'Caller ID for the handoff <Dial> (defaults to the caller’s number)',
  DIAL_TIMEOUT_S: 'Seconds the handoff <Dial> rings before giving up',
  REPLY_MODE: 'echo: <Say> the echo; stream: speak it through the media stream TTS',
  SPEECH_LANGUAGE: '<Gather language>',
  SPEECH_MODEL: '<Gather speechModel> (must support ko-KR)',
  SPEECH_TIMEOUT: '<Gather speechTimeout> in seconds (integer with an explicit model)',
  GATHER_TIMEOUT_S: '<Gather timeout> in seconds',
  SPEECH_HINTS: '<Gather hints>, comma separated',
  SAY_VOICE: 'Korean <Say> voice',
  SAY_LANGUAGE: '<Say language>',
  HANDOFF_KEYWORDS: 'Words that ask for a person, comma separated',
  GREETING: 'Greeting spoken through the media stream (/voice_stream)',
  GATHER_PROMPT: 'Prompt inside the first <Gather>',
  REPROMPT: 'Prompt after no speech',
  GOODBYE: 'Said before hanging up',
  HANDOFF_PROMPT: 'Said before dialing CONNECT_DID',
  TTS_URL: 'TTS service: POST {text, callSid, streamSid} → {job_id}',
  TTS_TIMEOUT_MS: 'Timeout for starting a TTS job',
  TTS_BUCKET: 'S3 bucket the TTS service writes parts to',
  AWS_REGION: 'AWS region of TTS_BUCKET',
  KEY_PREFIX: 'Key prefix of the parts in TTS_BUCKET',
  PART_KEY_TEMPLATE: 'Part key template ({prefix}, {jobId}, {n})',
  FIRST_PART_INDEX: 'Index of the first part (0 or 1)',
  JOB_IDLE_TIMEOUT_MS:
    "The reply's budget: no new part for this long (since the job's start or the previous part) ends it, even while an S3 read hangs; it also bounds the TTS job's start",
  S3_ENDPOINT: 'S3-compatible endpoint (MinIO, s3rver) instead of AWS',
  S3_FORCE_PATH_STYLE: 'Path-style S3 URLs (needed by most S3-compatible stores)',
  S3_OFF_THREAD: 'Read parts in a worker thread: keeps S3 reads off the media loop, at two thread hops per GET (in-process had the better first audio in the bench)',
  S3_REQUEST_TIMEOUT_MS: 'Per-request S3 timeout',
  PART_STORE_DIR: 'Demo only: local folder the TTS stand-in writes parts to',
  // rel (issue 14)
  TTS_CANCEL_URL:
    'Where a reply nobody will hear is cancelled (barge-in, hang-up, handoff): DELETE to this URL, {jobId} replaced; unset = DELETE {TTS_URL}/{jobId}; off = never (best effort, never blocks the call)',
  TTS_NOTIFY_URL:
    'Part notices: each TTS job carries notify_url = {this}/tts_part/{token} and the service POSTs {"part": N} after each part and {"done": true} after the done marker; the poller fetches a part as soon as it is announced and polls only as a safety net. public = PUBLIC_URL; local = this host on loopback (HTTP_PORT) (a service on the same machine, the demo); a URL = the base the TTS service reaches this host at; off = poll only (the service need not support it); unset = local in demo mode (the stand-in notifies), off otherwise',
  TTS_DONE_MARKER:
    'The TTS service writes {prefix}/{jobId}/done after the last part: a job quiet for JOB_IDLE_TIMEOUT_MS without it was cut short (an error and the apology); false = the quiet job is complete',
  END_MARK_SLACK_MS: "A reply's end mark not echoed this long after its audio should have finished playing: the stream is stuck and is closed with an error",
  // end rel
  PACING_LEAD_MS: 'Audio kept queued at Twilio ahead of playback',
  PACING_BATCH_FRAMES: '20 ms frames sent together (one socket write) once the lead has drained: Twilio holds lead to lead + (N−1)·20 ms',
  BARGE_IN: 'off: the caller never stops the bot; clear and clear-and-gather (the same now): caller speech pauses the bot, speech lasting BARGE_IN_MIN_SPEECH_MS (or a final transcript) stops it; a stream with no conversation (STREAM_STT=gather) ends at once',
  MAX_MEDIA_MESSAGE_BYTES: 'Largest inbound media-stream message accepted',
  STREAM_STT: 'How a streamed call hears the caller: transcription (Twilio Real-Time Transcription beside the one stream per call) or gather (a <Gather> after each streamed reply, for accounts without it)',
  TRANSCRIPTION_ENGINE: '<Transcription transcriptionEngine> (google handles ko-KR)',
  TRANSCRIPTION_MODEL: '<Transcription speechModel> (telephony: Google\'s phone-audio model)',
  TRANSCRIPTION_HINTS: '<Transcription hints>, comma separated (words the caller is likely to say)',
  BOT_URL: 'Optional bot: POST {callSid, turn, text, confidence, heardOfLastReply} → {say, handoff?, hangup?}; unset: echo and HANDOFF_KEYWORDS',
  BOT_TIMEOUT_MS: 'How long a BOT_URL answer may take before the apology and the echo rules take over',
  BARGE_IN_MIN_SPEECH_MS: 'Caller speech this long while the bot speaks interrupts it; shorter (네, 음, a cough) only pauses it and the reply resumes',
  BARGE_IN_MODEL: 'silero: Silero VAD v5 (shipped in node_modules) behind an energy gate and an echo guard; energy: the energy detector alone (cheaper, cuts the bot for noise, music and echo)',
  BARGE_IN_THREAD: 'Where the Silero runs go: worker (default: one worker thread, off the media loop; batching and per-stream state stay on the media thread) or main (the media thread: at 300 streams its long runs caused underruns, docs/BENCHMARKS.md)',
  MEDIA_WORKERS:
    'Where the media streams run (sockets, pacing, TTS polling, barge-in, recordings): off = on the host’s event loop with webhooks, console and history; thread = one media thread with its own event loop and heap; 1–8 = that many media processes (an event loop and heap each, for machines with cores to spare), each new stream handed to the one with the fewest; HTTP_PORT upgrades are piped to WS_PORT, so PUBLIC_WS_URL on WS_PORT skips that hop',
  // Media admission (sec)
  MAX_STREAMS: 'Media stream sockets open at once; the next upgrade is refused (503), logged and shown to the operator',
  STREAM_START_TIMEOUT_MS: 'A media socket that sends no admitted start (the host’s one-time grant) within this long is closed (4408)',
  RECORDINGS: 'Record both legs of every streamed call beside its history (off: no recording is written; a pilot that may not record)',
  HISTORY_RETENTION_DAYS:
    'Days of call history kept: one folder per UTC day, older folders deleted at start and daily (0 keeps everything)',
  STALE_CALL_MIN:
    'A call with no event for this many minutes is closed as interrupted (a lost final status callback); must exceed the longest agent conversation, which sends none (0 = never)',
  MAX_CALL_EVENTS:
    'Events kept in memory per live call for the console; pacing, marks and parts are dropped first, turns never (history on disk keeps summaries)',
  TTS_HEALTH_URL: 'Health check URL of the TTS service (GET, must answer 2xx); without it the check GETs TTS_URL (any answer below 500 counts)',
  HEALTH_INTERVAL_S: 'Seconds between health checks (TTS, S3, Twilio, CONNECT_DID, PUBLIC_URL); Setup runs them on demand too',
  OPERATOR_PHRASES: 'Saved phrases the operator can say to a caller, separated by |',
  LOG_FORMAT: 'auto: short human lines on a terminal, JSON otherwise; pretty; json',
};
