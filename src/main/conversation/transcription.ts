// Twilio Real-Time Transcription callbacks (`<Start><Transcription statusCallbackUrl>`): the form fields Twilio
// posts, read into one typed event, and the dedupe the host applies before acting on one. Pure: no I/O, no clock.
//
// Model: every callback carries (TranscriptionSid, SequenceId); SequenceId increases per event of one transcription.
// Twilio retries a callback that got a 5xx/408/425/429 up to three times, so the same pair can arrive again, and
// parallel POSTs can arrive out of order. The host acts on each pair once, and a partial that is older than the
// last final of its transcription is dropped: it would show words the final has already replaced.
// Field names are from captured traffic (public write-ups and handlers). TranscriptionData is a JSON *string*; its
// keys are seen both as transcript/confidence and Transcript/Confidence. Errors come as TranscriptionErrorCode/
// TranscriptionError or ErrorCode/ErrorMessage. The transcription's name is read from TranscriptionName or Name
// (not confirmed on a live call).
import { z } from 'zod';

export type TranscriptionKind = 'started' | 'content' | 'stopped' | 'error';

interface Common {
  callSid: string;
  transcriptionSid: string;
  sequenceId: number;
  track: string;
  timestamp?: string;
  name?: string;
}

export type TranscriptionCallback =
  | (Common & { kind: 'started' })
  | (Common & { kind: 'stopped' })
  | (Common & { kind: 'content'; final: boolean; text: string; confidence?: number; stability?: number })
  | (Common & { kind: 'error'; code?: string; message: string });

export type ParseResult = { ok: true; value: TranscriptionCallback } | { ok: false; error: string };

const EVENTS: Record<string, TranscriptionKind> = {
  'transcription-started': 'started',
  'transcription-content': 'content',
  'transcription-stopped': 'stopped',
  'transcription-error': 'error',
};

const text = (name: string) =>
  z.string({ error: (i) => (i.input === undefined ? `${name} is missing` : `${name} must be text`) }).trim().min(1, `${name} is empty`);

const unit = (name: string) =>
  z.coerce.number({ error: `${name} is not a number` }).min(0, `${name} is below 0`).max(1, `${name} is above 1`);

const fields = z.object({
  TranscriptionEvent: text('TranscriptionEvent'),
  CallSid: text('CallSid'),
  TranscriptionSid: text('TranscriptionSid'),
  SequenceId: z
    .string({ error: 'SequenceId is missing' })
    .trim()
    .regex(/^\d{1,9}$/, 'SequenceId is not a whole number')
    .transform(Number),
  Track: z.string().trim().optional(),
  Timestamp: z.string().trim().optional(),
  TranscriptionName: z.string().trim().optional(),
  Name: z.string().trim().optional(),
});

const content = z.object({
  Final: z.enum(['true', 'false'], { error: 'Final must be "true" or "false"' }),
  TranscriptionData: z.string({ error: 'TranscriptionData is missing' }),
  Stability: z.preprocess(blankToUndefined, unit('Stability').optional()),
});

/** TranscriptionData after JSON.parse: either key casing, confidence optional. */
const data = z
  .object({
    transcript: z.string({ error: 'transcript must be text' }).optional(),
    Transcript: z.string({ error: 'Transcript must be text' }).optional(),
    confidence: z.number({ error: 'confidence is not a number' }).min(0).max(1).optional(),
    Confidence: z.number({ error: 'Confidence is not a number' }).min(0).max(1).optional(),
  })
  .refine((d) => d.transcript !== undefined || d.Transcript !== undefined, 'TranscriptionData has no transcript');

function blankToUndefined(v: unknown): unknown {
  return typeof v === 'string' && v.trim() === '' ? undefined : v;
}

function firstIssue(error: z.ZodError, prefix = ''): string {
  const issue = error.issues[0];
  return `${prefix}${issue?.message ?? 'invalid'}`;
}

/** Read one transcription callback's form fields. Never throws: bad input is a clear error. */
export function parseTranscriptionCallback(params: Record<string, string | undefined>): ParseResult {
  const head = fields.safeParse(params);
  if (!head.success) return { ok: false, error: firstIssue(head.error) };
  const h = head.data;
  const kind = EVENTS[h.TranscriptionEvent];
  if (!kind) return { ok: false, error: `unknown TranscriptionEvent "${h.TranscriptionEvent}"` };
  const name = h.TranscriptionName || h.Name || undefined;
  const common: Common = {
    callSid: h.CallSid,
    transcriptionSid: h.TranscriptionSid,
    sequenceId: h.SequenceId,
    track: h.Track || 'inbound_track',
    ...(h.Timestamp ? { timestamp: h.Timestamp } : {}),
    ...(name ? { name } : {}),
  };
  if (kind === 'started' || kind === 'stopped') return { ok: true, value: { ...common, kind } };
  if (kind === 'error') {
    const code = (params.TranscriptionErrorCode ?? params.ErrorCode)?.trim() || undefined;
    const message = (params.TranscriptionError ?? params.ErrorMessage)?.trim() || 'transcription failed (no message)';
    return { ok: true, value: { ...common, kind, message, ...(code ? { code } : {}) } };
  }
  const c = content.safeParse(params);
  if (!c.success) return { ok: false, error: firstIssue(c.error) };
  let json: unknown;
  try {
    json = JSON.parse(c.data.TranscriptionData);
  } catch {
    return { ok: false, error: 'TranscriptionData is not JSON' };
  }
  const d = data.safeParse(json);
  if (!d.success) return { ok: false, error: firstIssue(d.error, 'TranscriptionData: ') };
  const confidence = d.data.confidence ?? d.data.Confidence;
  const stability = c.data.Stability;
  return {
    ok: true,
    value: {
      ...common,
      kind,
      final: c.data.Final === 'true',
      text: (d.data.transcript ?? d.data.Transcript ?? '').trim(),
      ...(confidence !== undefined ? { confidence } : {}),
      ...(stability !== undefined ? { stability } : {}),
    },
  };
}

interface CallSeen {
  /** `${transcriptionSid}:${sequenceId}` acted on, oldest first (bounded). */
  keys: Set<string>;
  /** Highest SequenceId of a final, per transcription. */
  lastFinal: Map<string, number>;
}

export interface DedupeLimits {
  /** Pairs remembered per call; the oldest are forgotten first. Twilio's retries come within seconds. */
  perCall?: number;
  /** Calls remembered; the least recently seen is forgotten first (calls are also `forget`-ed when they end). */
  calls?: number;
}

/** Acts on each (TranscriptionSid, SequenceId) once; drops partials older than the last final. Bounded memory. */
export class TranscriptionDedupe {
  private readonly calls = new Map<string, CallSeen>();
  private readonly perCall: number;
  private readonly maxCalls: number;

  constructor(limits: DedupeLimits = {}) {
    this.perCall = limits.perCall ?? 256;
    this.maxCalls = limits.calls ?? 2000;
  }

  /** True when the callback is new and should be acted on. */
  accept(cb: TranscriptionCallback): boolean {
    const seen = this.entry(cb.callSid);
    const key = `${cb.transcriptionSid}:${cb.sequenceId}`;
    if (seen.keys.has(key)) return false;
    const lastFinal = seen.lastFinal.get(cb.transcriptionSid);
    if (cb.kind === 'content' && !cb.final && lastFinal !== undefined && cb.sequenceId < lastFinal) return false;
    seen.keys.add(key);
    if (seen.keys.size > this.perCall) seen.keys.delete(seen.keys.values().next().value as string);
    if (cb.kind === 'content' && cb.final && (lastFinal === undefined || cb.sequenceId > lastFinal)) {
      seen.lastFinal.set(cb.transcriptionSid, cb.sequenceId);
    }
    return true;
  }

  /** The call ended: drop what was kept for it. */
  forget(callSid: string): void {
    this.calls.delete(callSid);
  }

  /** Calls currently remembered (for tests and health). */
  get size(): number {
    return this.calls.size;
  }

  private entry(callSid: string): CallSeen {
    let seen = this.calls.get(callSid);
    if (seen) {
      this.calls.delete(callSid); // re-insert: most recently seen last
    } else {
      seen = { keys: new Set(), lastFinal: new Map() };
      if (this.calls.size >= this.maxCalls) this.calls.delete(this.calls.keys().next().value as string);
    }
    this.calls.set(callSid, seen);
    return seen;
  }
}
