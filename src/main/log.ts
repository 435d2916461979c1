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

export function createLogger(level: string = 'info', destination?: pino.DestinationStream): Logger {
  return pino({ level, base: { app: 'front-door' }, redact: { paths: REDACT_PATHS, censor: '[secret]' }, ...scrubbing }, destination);
}

/** A logger that writes nothing (tests that do not assert on logs). */
export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}
