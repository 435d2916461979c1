// What every webhook passes before a route sees it: form content type, size limit, X-Twilio-Signature, a CallSid.
import express, { type NextFunction, type Request, type RequestHandler, type Response } from 'express';
import twilio from 'twilio';
import type { PublicUrls } from '../config/urls';
import type { Logger } from '../log';

export const BODY_LIMIT = '200kb';

/** 415 unless the body is form-encoded, as Twilio sends it. */
export const requireForm: RequestHandler = (req, res, next) => {
  if (req.is('application/x-www-form-urlencoded')) return next();
  res.status(415).json({ error: 'Expected Content-Type application/x-www-form-urlencoded (Twilio webhooks are form-encoded)' });
};

/** Flat string values, as signed by Twilio (extended:false keeps "a[b]=c" as the key "a[b]"). */
export const parseForm: RequestHandler = express.urlencoded({ extended: false, limit: BODY_LIMIT });

/** The URL Twilio signed: the public URL of this path (never the request's Host: behind a tunnel we see 127.0.0.1) plus the query. */
export function signedUrl(urls: PublicUrls, req: Request): string {
  const q = req.originalUrl.indexOf('?');
  return urls.abs(req.path) + (q >= 0 ? req.originalUrl.slice(q) : '');
}

/** Why a request fails validation, or null when it passes. Pure apart from the HMAC. */
export function signatureProblem(token: string, header: string | undefined, url: string, params: Record<string, string>): string | null {
  if (!header) return 'missing X-Twilio-Signature header';
  return twilio.validateRequest(token, header, url, params) ? null : `signature does not match ${url} and the posted parameters`;
}

/**
 * 403 for unsigned or mis-signed webhooks; logs the reason (never the token or the signature).
 * token null means validation is switched off (SKIP_SIGNATURE_VALIDATION).
 */
export function checkSignature(token: string | null, urls: PublicUrls, log: Logger): RequestHandler {
  return (req: Request, res: Response, next: NextFunction) => {
    if (token === null) return next();
    const params = (req.body ?? {}) as Record<string, string>;
    const problem = signatureProblem(token, req.get('x-twilio-signature'), signedUrl(urls, req), params);
    if (!problem) return next();
    log.warn({ path: req.path, callSid: typeof params.CallSid === 'string' ? params.CallSid : undefined, remote: req.ip }, `webhook refused: ${problem}`);
    res.status(403).json({ error: 'Twilio signature validation failed' });
  };
}

const CALL_SID = /^CA[0-9a-fA-F]{32}$/;

/** 400 unless the form names the call (CallSid is CA + 32 hex digits, as Twilio makes them). */
export const requireCallSid: RequestHandler = (req, res, next) => {
  const sid = (req.body as Record<string, unknown> | undefined)?.CallSid;
  if (typeof sid === 'string' && CALL_SID.test(sid)) return next();
  res.status(400).json({ error: 'CallSid is missing or malformed (expected CA followed by 32 hex digits)' });
};

/** JSON errors without stack traces; body-parser's own statuses (413 too large, 400 malformed, 415 charset) are kept. */
export function jsonErrors(log: Logger) {
  return (err: unknown, req: Request, res: Response, _next: NextFunction): void => {
    const e = err as { status?: unknown; statusCode?: unknown; expose?: unknown; message?: unknown; type?: unknown };
    const status = typeof e.status === 'number' ? e.status : typeof e.statusCode === 'number' ? e.statusCode : 500;
    if (status >= 400 && status < 500) {
      const message = status === 413 ? `Body larger than ${BODY_LIMIT}` : e.expose && typeof e.message === 'string' ? e.message : 'Bad request';
      log.warn({ path: req.path, status, type: e.type }, `webhook rejected: ${message}`);
      res.status(status).json({ error: message });
      return;
    }
    log.error({ path: req.path, err }, 'webhook handler failed');
    if (!res.headersSent) res.status(500).json({ error: 'Internal error' });
  };
}
