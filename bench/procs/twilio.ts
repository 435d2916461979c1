// Load generator child: the Twilio side of N concurrent Media Streams on one shared 5 ms clock.
// Started by bench/run.ts; never run it directly.
import { randomBytes } from 'node:crypto';
import twilio from 'twilio';
import WebSocket from 'ws';
import { epochMs, serveCalls } from '../lib/serve';
import { TwilioStream, type SpeechPlan, type StreamResult } from '../lib/twilio-stream';
import { runCaller, type CallerDeps, type CallerOptions, type CallerResult } from '../lib/conversation-caller';
import { postWebhook } from '../../src/main/sim/webhook-client';

export interface OpenParams {
  url: string;
  signedUrl: string;
  authToken: string | null;
  accountSid: string;
  streams: number;
  /** New streams per second (calls arriving); Infinity opens them as fast as handshakes go. */
  rampPerSec: number;
  /** The sender's nominal lead, for the beyond-lead lateness. */
  leadMs: number;
  /** Expected outbound audio (mu-law bytes); null skips the byte-exact check. */
  expected: Buffer | null;
  /** Caller audio per stream: stream i gets speech[i % length] (null: that stream's caller stays silent). */
  speech?: Array<SpeechPlan | null>;
  /** <Parameter>s of the <Stream> (the host's session reads `text`). */
  customParameters?: Record<string, string>;
  /** The host's grant per stream (stream i uses grants[i]: its callSid and <Parameter name="grant">); null: none. */
  grants?: Array<{ callSid: string; grant: string }> | null;
  /** Hang up each stream this long after its first media frame (TTFA runs); omit to keep streams open. */
  hangUpAfterFirstMediaMs?: number;
}

export interface OpenResult {
  opened: number;
  failed: number;
  errors: string[];
  wallMs: number;
}

const TICK_MS = 5;
let streams: TwilioStream[] = [];
let timer: NodeJS.Timeout | null = null;
let tickT0 = 0;
let tickN = 0;

function tick(): void {
  const now = epochMs();
  for (const s of streams) s.tick(now);
  tickN = Math.max(tickN + 1, Math.floor((now - tickT0) / TICK_MS) + 1);
  timer = setTimeout(tick, Math.max(0, tickT0 + tickN * TICK_MS - epochMs()));
}

function ensureClock(): void {
  if (timer) return;
  tickT0 = epochMs();
  tickN = 0;
  tick();
}

async function connectWs(url: string, signature: string | null): Promise<WebSocket> {
  const headers: Record<string, string> = signature ? { 'X-Twilio-Signature': signature } : {};
  const ws = new WebSocket(url, { headers, perMessageDeflate: false, handshakeTimeout: 10_000 });
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('unexpected-response', (req, res) => {
      req.destroy();
      reject(new Error(`upgrade refused: HTTP ${res.statusCode}`));
    });
    ws.once('error', reject);
  });
  return ws;
}

async function openOne(p: OpenParams, signature: string | null, index: number): Promise<TwilioStream> {
  const ws = await connectWs(p.url, signature);
  const granted = p.grants?.[index];
  const ids = { callSid: granted?.callSid ?? `CA${randomBytes(16).toString('hex')}`, streamSid: `MZ${randomBytes(16).toString('hex')}`, accountSid: p.accountSid };
  const customParameters = granted ? { ...p.customParameters, grant: granted.grant } : p.customParameters;
  const stream = new TwilioStream(ws, ids, { leadMs: p.leadMs, expected: p.expected, speech: p.speech?.length ? (p.speech[index % p.speech.length] ?? undefined) : undefined, now: epochMs(), customParameters });
  ws.on('message', (data, isBinary) => stream.onMessage(data as Buffer, isBinary, epochMs()));
  ws.on('close', (code) => (stream.closeCode = code));
  ws.on('error', () => undefined); // a reset shows as the close code
  if (p.hangUpAfterFirstMediaMs !== undefined) {
    const after = p.hangUpAfterFirstMediaMs;
    const watch = () => (stream.mediaStarted ? setTimeout(() => stream.hangUp(), after) : stream.closeCode === null && setTimeout(watch, 2));
    watch();
  }
  stream.begin(epochMs());
  return stream;
}

async function open(p: OpenParams): Promise<OpenResult> {
  ensureClock();
  const signature = p.authToken ? twilio.getExpectedTwilioSignature(p.authToken, p.signedUrl, {}) : null;
  const t0 = epochMs();
  const errors: string[] = [];
  let failed = 0;
  const opening: Array<Promise<void>> = [];
  for (let i = 0; i < p.streams; i++) {
    if (Number.isFinite(p.rampPerSec)) {
      const at = t0 + (i * 1000) / p.rampPerSec;
      const wait = at - epochMs();
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    }
    opening.push(
      openOne(p, signature, i).then(
        (s) => void streams.push(s),
        (err: Error) => {
          failed++;
          if (errors.length < 5) errors.push(err.message);
        },
      ),
    );
    if (opening.length >= 64) await Promise.all(opening.splice(0)); // bounded handshakes in flight
  }
  await Promise.all(opening);
  return { opened: p.streams - failed, failed, errors, wallMs: epochMs() - t0 };
}

/** Every stream got `bytes` of audio and heard it to the end (marks echoed), or closed. */
async function waitPlayed(p: { bytes: number; timeoutMs: number; graceMs?: number }): Promise<{ done: number; pending: number; waitedMs: number }> {
  const t0 = epochMs();
  const finished = (s: TwilioStream, now: number) =>
    s.closeCode !== null || (s.receivedBytes >= p.bytes && s.playoutEnd + (p.graceMs ?? 50) <= now && s.pendingMarks === 0);
  for (;;) {
    const now = epochMs();
    const done = streams.filter((s) => finished(s, now)).length;
    if (done === streams.length || now - t0 > p.timeoutMs) return { done, pending: streams.length - done, waitedMs: now - t0 };
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Every stream closed (hung up by us or by the server), or timeout. */
async function waitClosed(p: { timeoutMs: number }): Promise<{ open: number }> {
  const t0 = epochMs();
  while (streams.some((s) => s.closeCode === null) && epochMs() - t0 < p.timeoutMs) await new Promise((r) => setTimeout(r, 25));
  return { open: streams.filter((s) => s.closeCode === null).length };
}

async function hangUpAll(): Promise<{ open: number }> {
  for (const s of streams) if (s.closeCode === null) s.hangUp();
  return waitClosed({ timeoutMs: 15_000 });
}

export interface ConverseParams extends Omit<CallerOptions, 'accountSid'> {
  /** Where the host listens (webhooks, media) and what Twilio thinks it calls (signatures). */
  httpBase: string;
  publicUrl: string;
  mediaUrl: string;
  authToken: string;
  accountSid: string;
  leadMs: number;
  conversations: number;
  /** Conversations in flight at once (a new one starts when one ends). */
  concurrency: number;
  /** New conversations per second while the first `concurrency` start. */
  rampPerSec: number;
}

/** Streamed conversations through the real host (the turns suite): every caller's turns, timed. */
async function converse(p: ConverseParams): Promise<CallerResult[]> {
  ensureClock();
  const deps: CallerDeps = {
    post: (path, params) => postWebhook({ httpBase: p.httpBase, publicUrl: p.publicUrl, path, params, authToken: p.authToken }),
    async openStream({ streamUrl, callSid, customParameters }) {
      const ws = await connectWs(p.mediaUrl, twilio.getExpectedTwilioSignature(p.authToken, streamUrl, {}));
      const ids = { callSid, streamSid: `MZ${randomBytes(16).toString('hex')}`, accountSid: p.accountSid };
      const stream = new TwilioStream(ws, ids, { leadMs: p.leadMs, expected: null, now: epochMs(), customParameters });
      ws.on('message', (data, isBinary) => stream.onMessage(data as Buffer, isBinary, epochMs()));
      ws.on('close', (code) => (stream.closeCode = code));
      ws.on('error', () => undefined);
      streams.push(stream);
      stream.begin(epochMs());
      return stream;
    },
    now: epochMs,
    sleep: (ms) => new Promise((r) => setTimeout(r, ms)),
  };
  const out: CallerResult[] = [];
  let next = 0;
  const t0 = epochMs();
  const lane = async (i: number) => {
    const wait = t0 + (i * 1000) / p.rampPerSec - epochMs();
    if (wait > 0) await deps.sleep(wait);
    while (next < p.conversations) {
      next++;
      out.push(await runCaller(deps, p));
    }
  };
  await Promise.all(Array.from({ length: Math.min(p.concurrency, p.conversations) }, (_, i) => lane(i)));
  return out;
}

function results(): StreamResult[] {
  return streams.map((s) => s.result());
}

function reset(): true {
  streams = [];
  return true;
}

async function cleanup(): Promise<void> {
  await hangUpAll().catch(() => undefined);
  if (timer) clearTimeout(timer);
  timer = null;
}

serveCalls(
  {
    open: (p: OpenParams) => open(p),
    converse: (p: ConverseParams) => converse(p),
    waitPlayed: (p: { bytes: number; timeoutMs: number }) => waitPlayed(p),
    waitClosed: (p: { timeoutMs: number }) => waitClosed(p),
    hangUpAll: () => hangUpAll(),
    results: () => results(),
    reset: () => reset(),
  },
  cleanup,
);
