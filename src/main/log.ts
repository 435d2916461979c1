// One pino logger for the host. Secrets are redacted by path; never log a whole settings object.
import pino, { type Logger } from 'pino';

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
];

export function createLogger(level: string = 'info', destination?: pino.DestinationStream): Logger {
  return pino({ level, base: { app: 'front-door' }, redact: { paths: REDACT_PATHS, censor: '[secret]' } }, destination);
}

/** A logger that writes nothing (tests that do not assert on logs). */
export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}
