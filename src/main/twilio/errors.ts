// Twilio REST failures in plain words for the operator. The codes are Twilio's (see notes/twilio.md §5.2, §6.2).

export class TwilioRestError extends Error {
  constructor(
    /** HTTP status, or 0 when Twilio could not be reached. */
    readonly status: number,
    /** Twilio error code (21220, 20404, …) when Twilio sent one. */
    readonly code: number | undefined,
    /** What the operator reads. */
    readonly plain: string,
  ) {
    super(plain);
    this.name = 'TwilioRestError';
  }
}

const PLAIN_BY_CODE: Record<number, string> = {
  21220: 'The caller already hung up (Twilio 21220)',
  20404: 'Twilio does not know this call (Twilio 20404)',
  20003: 'Twilio refused the credentials: check TWILIO_ACCOUNT_SID and TWILIO_AUTH_TOKEN (Twilio 20003)',
  21215: 'South Korea is not enabled in Twilio Voice Geo Permissions (Twilio 21215)',
  13227: 'South Korea is not enabled in Twilio Voice Geo Permissions (Twilio 13227)',
  20429: 'Twilio is rate limiting requests; try again in a moment (Twilio 20429)',
};

/** Plain words for a Twilio REST failure. `detail` is Twilio's own message, used when the code is not one we know. */
export function plainTwilioError(status: number, code: number | undefined, detail?: string): string {
  if (code !== undefined && PLAIN_BY_CODE[code]) return PLAIN_BY_CODE[code];
  if (status === 401) return PLAIN_BY_CODE[20003];
  if (status === 404) return PLAIN_BY_CODE[20404];
  if (status === 429) return PLAIN_BY_CODE[20429];
  const what = detail?.trim() ? detail.trim() : `HTTP ${status}`;
  return code !== undefined ? `Twilio refused the request: ${what} (Twilio ${code})` : `Twilio refused the request: ${what}`;
}

/** Node's network error codes in plain words (also used by the health checks). */
export const NETWORK_WORDS: Record<string, string> = {
  ECONNREFUSED: 'connection refused',
  ENOTFOUND: 'host not found',
  EAI_AGAIN: 'DNS lookup failed',
  ECONNRESET: 'connection reset',
  ETIMEDOUT: 'timed out',
  ECONNABORTED: 'timed out',
};

/** Any error thrown by the twilio client (RestException, TwilioServiceException, network errors) → TwilioRestError. */
export function toTwilioRestError(error: unknown): TwilioRestError {
  if (error instanceof TwilioRestError) return error;
  const e = (error ?? {}) as { status?: unknown; code?: unknown; message?: unknown; detail?: unknown };
  const message = typeof e.message === 'string' ? e.message : String(error);
  if (typeof e.status === 'number' && e.status > 0) {
    const code = typeof e.code === 'number' ? e.code : undefined;
    const detail = typeof e.detail === 'string' ? e.detail : message.replace(/^\[HTTP \d+\]\s*/, '');
    return new TwilioRestError(e.status, code, plainTwilioError(e.status, code, detail));
  }
  const sysCode = typeof e.code === 'string' ? e.code : undefined;
  const why = sysCode ? (NETWORK_WORDS[sysCode] ?? sysCode) : message;
  return new TwilioRestError(0, undefined, `Could not reach Twilio: ${why}`);
}
