// The Twilio side of a webhook: a form-encoded POST signed the way Twilio signs it. Used by tests and the demo caller.
import { randomBytes } from 'node:crypto';
import twilio from 'twilio';

export interface WebhookRequest {
  /** Where the host actually listens, e.g. http://127.0.0.1:5000. */
  httpBase: string;
  /** What Twilio thinks it calls (PUBLIC_URL): the signature covers publicUrl + path. */
  publicUrl: string;
  /** Path, with a query string when the TwiML's action URL had one. */
  path: string;
  params: Record<string, string>;
  /** Token to sign with; null sends the request unsigned. */
  authToken: string | null;
  /** Give up after this long (default 15 s; Twilio's own webhook timeout is 15 s). */
  timeoutMs?: number;
}

export interface WebhookResponse {
  status: number;
  body: string;
  contentType: string;
}

export async function postWebhook(opts: WebhookRequest): Promise<WebhookResponse> {
  const path = opts.path.startsWith('/') ? opts.path : `/${opts.path}`;
  const headers: Record<string, string> = { 'content-type': 'application/x-www-form-urlencoded; charset=utf-8' };
  if (opts.authToken !== null) {
    headers['x-twilio-signature'] = twilio.getExpectedTwilioSignature(opts.authToken, opts.publicUrl.replace(/\/+$/, '') + path, opts.params);
  }
  const res = await fetch(opts.httpBase.replace(/\/+$/, '') + path, {
    method: 'POST',
    headers,
    body: new URLSearchParams(opts.params).toString(),
    signal: AbortSignal.timeout(opts.timeoutMs ?? 15_000),
  });
  return { status: res.status, body: await res.text(), contentType: res.headers.get('content-type') ?? '' };
}

export interface CallParamsInput {
  callSid: string;
  accountSid: string;
  from: string;
  to: string;
  callStatus?: string;
  direction?: string;
}

/** The parameters Twilio posts on every voice webhook (notes/twilio.md §3.1), including the legacy Caller/Called duplicates. */
export function twilioCallParams(p: CallParamsInput): Record<string, string> {
  return {
    CallSid: p.callSid,
    AccountSid: p.accountSid,
    From: p.from,
    To: p.to,
    Caller: p.from,
    Called: p.to,
    CallStatus: p.callStatus ?? 'in-progress',
    Direction: p.direction ?? 'inbound',
    ApiVersion: '2010-04-01',
  };
}

/** A Twilio-shaped SID: prefix (CA, MZ, …) + 32 hex digits. */
export function randomSid(prefix = 'CA'): string {
  return prefix + randomBytes(16).toString('hex');
}
