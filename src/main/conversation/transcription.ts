// Twilio Real-Time Transcription callbacks (POST /transcription): the form Twilio posts, read into one typed event,
// and the per-call bookkeeping that makes them safe to act on. Pure: no I/O, no clock.
// Model: Twilio retries a callback it thinks failed, so (TranscriptionSid, SequenceId) is acted on once; callbacks
// may also arrive out of order, so a partial older than the last final (by SequenceId) is dropped — it must never
// overwrite a final the caller's bubble already shows.

export type Params = Record<string, string | undefined>;

interface Base {
  transcriptionSid: string;
  sequenceId: number;
  callSid: string;
  /** Twilio's Timestamp field as epoch ms, when it parses. */
  timestamp?: number;
}

export type TranscriptionCallback =
  | (Base & { kind: 'started' | 'stopped' })
  | (Base & { kind: 'content'; final: boolean; text: string; confidence?: number; stability?: number; track?: string })
  | (Base & { kind: 'error'; code?: string; message: string });

export type Parsed<T> = { ok: true; value: T } | { ok: false; error: string };

const KINDS: Record<string, TranscriptionCallback['kind']> = {
  'transcription-started': 'started',
  'transcription-content': 'content',
  'transcription-stopped': 'stopped',
  'transcription-error': 'error',
};

const num = (raw: string | undefined): number | undefined => {
  const t = raw?.trim();
  if (!t) return undefined;
  const n = Number(t);
  return Number.isFinite(n) ? n : undefined;
};

const unit = (n: number | undefined): number | undefined => (n !== undefined && n >= 0 && n <= 1 ? n : undefined);

/** TranscriptionData is a JSON string {"transcript","confidence"}; Transcript / Confidence fields are accepted too. */
function readContent(p: Params): { text: string; confidence?: number } | string {
  let text = p.Transcript;
  let confidence = num(p.Confidence);
  const raw = p.TranscriptionData?.trim();
  if (raw) {
    let data: unknown;
    try {
      data = JSON.parse(raw);
    } catch {
      return 'TranscriptionData is not JSON';
    }
    if (typeof data !== 'object' || data === null) return 'TranscriptionData is not a JSON object';
    const d = data as { transcript?: unknown; confidence?: unknown };
    if (typeof d.transcript === 'string') text = d.transcript;
    if (typeof d.confidence === 'number') confidence = d.confidence;
    else if (typeof d.confidence === 'string') confidence = num(d.confidence);
  }
  if (text === undefined) return 'transcription-content without a transcript (TranscriptionData or Transcript)';
  const c = unit(confidence);
  return { text: text.trim(), ...(c !== undefined ? { confidence: c } : {}) };
}

export function parseTranscriptionCallback(p: Params): Parsed<TranscriptionCallback> {
  const event = p.TranscriptionEvent?.trim() ?? '';
  const kind = KINDS[event];
  if (!kind) return { ok: false, error: event ? `unknown TranscriptionEvent "${event.slice(0, 40)}"` : 'TranscriptionEvent is missing' };
  const transcriptionSid = p.TranscriptionSid?.trim();
  if (!transcriptionSid) return { ok: false, error: 'TranscriptionSid is missing' };
  const seq = num(p.SequenceId);
  // started/stopped may come without a SequenceId; content must have one to be deduplicated
  if (kind === 'content' && (seq === undefined || !Number.isInteger(seq) || seq < 0)) return { ok: false, error: 'SequenceId is missing or not a whole number' };
  const ts = p.Timestamp ? Date.parse(p.Timestamp) : NaN;
  const base: Base = { transcriptionSid, sequenceId: seq ?? -1, callSid: p.CallSid ?? '', ...(Number.isFinite(ts) ? { timestamp: ts } : {}) };
  if (kind === 'started' || kind === 'stopped') return { ok: true, value: { ...base, kind } };
  if (kind === 'error') {
    const code = (p.TranscriptionErrorCode ?? p.ErrorCode)?.trim() || undefined;
    const message = (p.TranscriptionError ?? p.ErrorMessage)?.trim() || 'no detail from Twilio';
    return { ok: true, value: { ...base, kind, message, ...(code ? { code } : {}) } };
  }
  const content = readContent(p);
  if (typeof content === 'string') return { ok: false, error: content };
  const stability = unit(num(p.Stability));
  const final = p.Final?.trim().toLowerCase() === 'true';
  return {
    ok: true,
    value: { ...base, kind, final, ...content, ...(stability !== undefined ? { stability } : {}), ...(p.Track ? { track: p.Track } : {}) },
  };
}

/** Per call: act on each (TranscriptionSid, SequenceId) once; drop partials older than the last final. */
export class TranscriptionDedupe {
  private readonly seen = new Set<string>();
  private lastFinalSeq = -1;
  private lastFinalSid = '';

  /** True when the callback is new and should be acted on. */
  accept(cb: TranscriptionCallback): boolean {
    if (cb.kind !== 'content') {
      if (cb.sequenceId < 0) return true; // lifecycle events without a SequenceId: the consumer tolerates repeats
    }
    const key = `${cb.transcriptionSid}#${cb.kind}#${cb.sequenceId}`;
    if (this.seen.has(key)) return false;
    this.seen.add(key);
    if (cb.kind !== 'content') return true;
    const sameSession = cb.transcriptionSid === this.lastFinalSid;
    if (!cb.final) return !(sameSession && cb.sequenceId < this.lastFinalSeq);
    if (!sameSession || cb.sequenceId > this.lastFinalSeq) {
      this.lastFinalSid = cb.transcriptionSid;
      this.lastFinalSeq = cb.sequenceId;
    }
    return true;
  }
}
