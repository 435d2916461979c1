// Starts a TTS job: POST {text, callSid, streamSid[, notify_url]} to TTS_URL → {job_id} (or {jobId}).
import { PostError, postJson, type PostResult } from '../net/post-json';
import { TtsError } from './types';

export interface JobRequest {
  text: string;
  callSid: string;
  streamSid: string;
  /** Where the service may POST part notices for this job (notices.ts); absent when TTS_NOTIFY_URL is off. */
  notify_url?: string;
}

export interface StartJobOptions {
  url: string;
  request: JobRequest;
  timeoutMs: number;
  /** Aborts the request (the reply was cancelled). */
  signal?: AbortSignal;
}

/** Job ids become part of S3 keys: keep them to characters that cannot escape the job's folder. */
const JOB_ID = /^[A-Za-z0-9][A-Za-z0-9._:-]{0,199}$/;

/** The job id, or a TtsError('start') an operator can act on (status, host; never credentials or the text). */
export async function startTtsJob({ url, request, timeoutMs, signal }: StartJobOptions): Promise<string> {
  const where = `TTS service at ${safeHost(url)}`;
  let res: PostResult;
  try {
    const { target, authorization } = splitCredentials(url);
    res = await postJson(target, request, { timeoutMs, signal, headers: authorization ? { authorization } : undefined });
  } catch (err) {
    if (!(err instanceof PostError)) throw new TtsError(`cannot use TTS_URL (${where}): ${err instanceof Error ? err.message : String(err)}`, 'start', err);
    if (err.reason === 'aborted') throw new TtsError(`TTS job cancelled before it started (${where})`, 'start', err);
    if (err.reason === 'timeout' && !err.answered) throw new TtsError(`${where} did not answer within ${timeoutMs} ms (TTS_TIMEOUT_MS)`, 'start', err);
    if (err.reason === 'timeout') throw new TtsError(`${where} did not finish its answer within ${timeoutMs} ms (TTS_TIMEOUT_MS)`, 'start', err);
    if (err.reason === 'body') throw new TtsError(`${where} answer broke off: ${err.message}`, 'start', err);
    throw new TtsError(`could not reach ${where}: ${err.message}`, 'start', err);
  }
  const text = res.text;
  if (res.status < 200 || res.status >= 300) {
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

/** user:pass@ in TTS_URL becomes Basic auth, and leaves the URL (so no error or log can echo it). */
function splitCredentials(url: string): { target: URL; authorization?: string } {
  const u = new URL(url);
  if (!u.username && !u.password) return { target: u };
  const basic = Buffer.from(`${decodeURIComponent(u.username)}:${decodeURIComponent(u.password)}`).toString('base64');
  u.username = '';
  u.password = '';
  return { target: u, authorization: `Basic ${basic}` };
}

function excerpt(text: string): string {
  const t = text.replace(/\s+/g, ' ').trim();
  return t ? `: ${t.slice(0, 120)}${t.length > 120 ? '…' : ''}` : '';
}
