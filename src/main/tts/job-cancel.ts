// Cancelling a TTS job nobody will hear (barge-in, hang-up, handoff): `DELETE {TTS_URL}/{job_id}` by default,
// TTS_CANCEL_URL (a template with {jobId}) to send it elsewhere, `off` to never send it. Best effort by design: the
// call never waits for it, one attempt within a short timeout, and every outcome is only a log line (the service
// writing a few more parts into S3 costs storage, not the caller's audio).
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';

export interface CancelTarget {
  url: URL;
  authorization?: string;
}

/** Where the cancel for `jobId` goes, or null when cancelling is off or no TTS service is configured. */
export function cancelTarget(ttsUrl: string, cancelUrl: string | undefined, jobId: string): CancelTarget | null {
  if (cancelUrl === 'off') return null;
  const id = encodeURIComponent(jobId);
  let raw: string;
  if (cancelUrl) raw = cancelUrl.replaceAll('{jobId}', id);
  else if (ttsUrl) {
    const base = new URL(ttsUrl);
    base.pathname = `${base.pathname.replace(/\/+$/, '')}/${id}`;
    raw = base.toString();
  } else return null;
  const url = new URL(raw);
  if (!url.username && !url.password) return { url };
  // user:pass@ becomes Basic auth and leaves the URL, as for the job's POST (no log line can echo it)
  const authorization = `Basic ${Buffer.from(`${decodeURIComponent(url.username)}:${decodeURIComponent(url.password)}`).toString('base64')}`;
  url.username = '';
  url.password = '';
  return { url, authorization };
}

export type CancelOutcome = { ok: true; status: number } | { ok: false; status?: number; reason: string };

/** One DELETE within timeoutMs; resolves with what happened, never rejects. */
export function sendCancel(target: CancelTarget, timeoutMs: number): Promise<CancelOutcome> {
  return new Promise<CancelOutcome>((resolve) => {
    const send = target.url.protocol === 'https:' ? httpsRequest : httpRequest;
    let settled = false;
    const settle = (o: CancelOutcome) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve(o);
    };
    const req = send(target.url, {
      method: 'DELETE',
      headers: { accept: 'application/json', ...(target.authorization ? { authorization: target.authorization } : {}) },
    });
    const timer = setTimeout(() => {
      settle({ ok: false, reason: `no answer within ${timeoutMs} ms` });
      req.destroy();
    }, timeoutMs);
    req.on('error', (err: NodeJS.ErrnoException) => settle({ ok: false, reason: err.code ?? err.message }));
    req.on('response', (res: IncomingMessage) => {
      res.resume();
      res.on('end', () => {
        const status = res.statusCode ?? 0;
        // 404/410: the service had already finished or forgotten the job, which is what we wanted
        settle(status < 300 || status === 404 || status === 410 ? { ok: true, status } : { ok: false, status, reason: `HTTP ${status}` });
      });
      res.on('error', () => settle({ ok: false, reason: 'the answer broke off' }));
    });
    req.end();
  });
}
