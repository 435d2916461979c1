// One pino logger for the host. Secrets are redacted by path; never log a whole settings object.
import pino, { type Logger } from 'pino';
import { scrubCredentials, stripUrlCredentials } from './config/secrets';

export type { Logger };

export const REDACT_PATHS = [
  'authToken',
  'token',
  'password',
  'settings.TWILIO_AUTH_TOKEN',
  'settings.CONSOLE_TOKEN',
  'TWILIO_AUTH_TOKEN',
  'CONSOLE_TOKEN',
  'headers.authorization',
  'headers["x-twilio-signature"]',
  'req.headers.authorization',
  // nested, one level down (pino's wildcards match exactly one level)
  '*.authToken',
  '*.token',
  '*.password',
  '*.authorization',
  '*.secretAccessKey',
  '*.sessionToken',
  '*.TWILIO_AUTH_TOKEN',
  '*.CONSOLE_TOKEN',
  '*.AWS_SECRET_ACCESS_KEY',
  '*.headers.authorization',
  '*.headers["x-twilio-signature"]',
  '*.headers.cookie',
  'headers.cookie',
  'secretAccessKey',
  'AWS_SECRET_ACCESS_KEY',
];

/** Redaction by value: credentials inside URLs (user:pass@) are removed from every logged string and error. */
const scrubbing: pino.LoggerOptions = {
  formatters: { log: (obj) => scrubCredentials(obj) },
  serializers: { err: (e: Error) => scrubCredentials(pino.stdSerializers.err(e)) },
  hooks: {
    logMethod(args, method) {
      method.apply(this, args.map((a) => (typeof a === 'string' ? stripUrlCredentials(a) : a)) as Parameters<typeof method>);
    },
  },
};

export function createLogger(level: string = 'info', destination?: pino.DestinationStream, output: { format?: LogFormat } = {}): Logger {
  // ops: on a terminal, short human lines through pino-pretty in pino's worker thread (off the media loop)
  const to = destination ?? (output.format === 'pretty' ? prettyTransport() : undefined);
  return pino({ level, base: { app: 'front-door' }, redact: { paths: REDACT_PATHS, censor: '[secret]' }, ...scrubbing }, to);
}

// --- ops: log format (LOG_FORMAT) ---
export type LogFormat = 'pretty' | 'json';

/** LOG_FORMAT=auto: short human lines when stdout is a terminal, JSON when it is a pipe or a file (CI, log shippers). */
export function logFormat(setting: 'auto' | 'pretty' | 'json' | undefined, stdoutIsTty: boolean | undefined): LogFormat {
  if (setting === 'json' || setting === 'pretty') return setting;
  return stdoutIsTty ? 'pretty' : 'json';
}

/** pino-pretty as a pino transport: `10:15:02 INFO [media] stream started {"callSid":"CA…"}`. */
export const PRETTY_OPTIONS: { colorize: boolean; translateTime: string; ignore: string; messageFormat: string; singleLine: boolean; errorLikeObjectKeys: string[] } = {
  colorize: true,
  translateTime: 'SYS:HH:MM:ss',
  ignore: 'pid,hostname,app,part',
  messageFormat: '{if part}[{part}] {end}{msg}',
  singleLine: true,
  errorLikeObjectKeys: ['err', 'error'],
};

function prettyTransport(): pino.DestinationStream {
  return pino.transport({ target: 'pino-pretty', options: { ...PRETTY_OPTIONS, destination: 1 } }) as pino.DestinationStream;
}
// --- end ops ---

/** A logger that writes nothing (tests that do not assert on logs). */
export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}
