// Starts a TTS job: POST {text, callSid, streamSid} to TTS_URL → {job_id} (or {jobId}).
import { TtsError } from './types';

export interface JobRequest {
  text: string;
  callSid: string;
  streamSid: string;
}

export interface StartJobOptions {
  url: string;
  request: JobRequest;
  timeoutMs: number;
  fetchImpl?: typeof fetch;
  /** Aborts the request (the reply was cancelled). */
  signal?: AbortSignal;
}

/** Job ids become part of S3 keys: keep them to characters that cannot escape the job's folder. */
const JOB_ID = /^[A-Za-z0-9][A-Za-z0-9._:-]{0,199}$/;

/** The job id, or a TtsError('start') an operator can act on (status, host; never credentials or the text). */
export async function startTtsJob({ url, request, timeoutMs, fetchImpl = fetch, signal }: StartJobOptions): Promise<string> {
  const where = `TTS service at ${safeHost(url)}`;
  const { target, authorization } = splitCredentials(url);
  const timeout = AbortSignal.timeout(timeoutMs);
  let res: Response;
  try {
    res = await fetchImpl(target, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json', ...(authorization ? { authorization } : {}) },
      body: JSON.stringify(request),
      signal: signal ? AbortSignal.any([timeout, signal]) : timeout,
    });
  } catch (err) {
    if (signal?.aborted) throw new TtsError(`TTS job cancelled before it started (${where})`, 'start', err);
    if (timeout.aborted) throw new TtsError(`${where} did not answer within ${timeoutMs} ms (TTS_TIMEOUT_MS)`, 'start', err);
    throw new TtsError(`could not reach ${where}: ${networkReason(err)}`, 'start', err);
  }
  let text: string;
  try {
    text = await res.text();
  } catch (err) {
    const why = timeout.aborted ? `did not finish its answer within ${timeoutMs} ms (TTS_TIMEOUT_MS)` : `answer broke off: ${networkReason(err)}`;
    throw new TtsError(`${where} ${why}`, 'start', err);
  }
  if (!res.ok) {
    throw new TtsError(`${where} answered HTTP ${res.status}${res.statusText ? ` ${res.statusText}` : ''}${excerpt(text)}`, 'start');
  }
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch (err) {
    throw new TtsError(`${where} answered with invalid JSON${excerpt(text)}`, 'start', err);
  }
  const record = typeof body === 'object' && body !== null ? (body as Record<string, unknown>) : {};
  const raw = record.job_id ?? record.jobId;
  if (raw === undefined || raw === null || raw === '') {
    throw new TtsError(`${where} answered without a job_id (got ${typeof body === 'object' && body ? `keys: ${Object.keys(body).join(', ') || 'none'}` : typeof body})`, 'start');
  }
  const jobId = String(raw);
  if ((typeof raw !== 'string' && typeof raw !== 'number') || !JOB_ID.test(jobId)) {
    throw new TtsError(`${where} answered with a job_id that cannot be used in an S3 key: ${JSON.stringify(raw).slice(0, 80)}`, 'start');
  }
  return jobId;
}

function safeHost(url: string): string {
  try {
    return new URL(url).host;
  } catch {
    return '(invalid TTS_URL)';
  }
}

/** fetch refuses user:pass@ URLs (and would echo them in its error): send them as Basic auth instead. */
function splitCredentials(url: string): { target: string; authorization?: string } {
  try {
    const u = new URL(url);
    if (!u.username && !u.password) return { target: url };
    const basic = Buffer.from(`${decodeURIComponent(u.username)}:${decodeURIComponent(u.password)}`).toString('base64');
    u.username = '';
    u.password = '';
    return { target: u.toString(), authorization: `Basic ${basic}` };
  } catch {
    return { target: url };
  }
}

function networkReason(err: unknown): string {
  const cause = (err as { cause?: { code?: string; message?: string } })?.cause;
  return cause?.code ?? cause?.message ?? (err instanceof Error ? err.message : String(err));
}

function excerpt(text: string): string {
  const t = text.replace(/\s+/g, ' ').trim();
  return t ? `: ${t.slice(0, 120)}${t.length > 120 ? '…' : ''}` : '';
}
