// High-rate audio data (TTS parts, pacing windows) kept outside React state. Charts read it on
// animation frames and redraw only when a call's version changed; the store never holds it.
import type { CallEvent, PacingWindow, TtsPart } from '../../../shared/model';

export interface ReplyInfo {
  replyId: string;
  jobId?: string;
  text?: string;
  status: 'started' | 'done' | 'failed' | 'cancelled' | 'unknown';
  startedAt?: number;
  endedAt?: number;
  firstAudioMs?: number;
  error?: string;
  bargein?: { at: number; heardMs: number; replyMs: number };
}

export interface PacingTotals {
  windows: number;
  frames: number;
  underruns: number;
  /** Send deadlines missed while Twilio still held the lead: nothing was heard (the quieter figure). */
  leadAtRisk: number;
  marksSent: number;
  marksPlayed: number;
  marksCleared: number;
  worstP99: number;
}

export interface CallAudio {
  callSid: string;
  version: number;
  /** Replies in the order their first event arrived. */
  replies: Map<string, ReplyInfo>;
  /** Parts by `${replyId}:${part}`. */
  parts: Map<string, TtsPart>;
  /** Most recent pacing windows, oldest first, each with the seq of its event. */
  windows: Array<{ seq: number; window: PacingWindow }>;
  totals: PacingTotals;
  maxSeq: number;
  /** Recent raw events, so a late-arriving record can be merged without losing live ones. */
  recent: CallEvent[];
}

export const MAX_WINDOWS = 1200;
const MAX_RECENT = 600;

const AUDIO_TYPES = new Set<CallEvent['type']>(['tts.job', 'tts.part', 'pacing', 'bargein', 'bot.reply']);

export function isAudioEvent(event: CallEvent): boolean {
  return AUDIO_TYPES.has(event.type);
}

function emptyTotals(): PacingTotals {
  return { windows: 0, frames: 0, underruns: 0, leadAtRisk: 0, marksSent: 0, marksPlayed: 0, marksCleared: 0, worstP99: 0 };
}

export function emptyAudio(callSid: string): CallAudio {
  return { callSid, version: 0, replies: new Map(), parts: new Map(), windows: [], totals: emptyTotals(), maxSeq: -Infinity, recent: [] };
}

function reply(audio: CallAudio, replyId: string): ReplyInfo {
  let info = audio.replies.get(replyId);
  if (!info) audio.replies.set(replyId, (info = { replyId, status: 'unknown' }));
  return info;
}

/** Apply one audio event to a call's buffer (mutates; returns whether anything changed). */
export function ingestInto(audio: CallAudio, event: CallEvent): boolean {
  switch (event.type) {
    case 'bot.reply': {
      if (!event.replyId || event.via !== 'stream') return false;
      const info = reply(audio, event.replyId);
      info.text ??= event.text;
      break;
    }
    case 'tts.job': {
      const info = reply(audio, event.replyId);
      if (event.jobId) info.jobId = event.jobId;
      if (event.text) info.text = event.text;
      if (event.status === 'started') info.startedAt ??= event.at;
      else info.endedAt = event.at;
      if (info.status === 'unknown' || info.status === 'started' || event.status !== 'started') info.status = event.status;
      if (event.firstAudioMs !== undefined) info.firstAudioMs = event.firstAudioMs;
      if (event.error) info.error = event.error;
      break;
    }
    case 'tts.part': {
      const part = event.part;
      const info = reply(audio, part.replyId);
      info.jobId ??= part.jobId;
      const key = `${part.replyId}:${part.part}`;
      const before = audio.parts.get(key);
      audio.parts.set(key, before ? { ...before, ...part } : part);
      break;
    }
    case 'bargein': {
      if (!event.replyId) return false;
      reply(audio, event.replyId).bargein = { at: event.at, heardMs: event.heardMs, replyMs: event.replyMs };
      break;
    }
    case 'pacing': {
      if (audio.windows.some((w) => w.seq === event.seq)) return false;
      const w = event.window;
      audio.windows.push({ seq: event.seq, window: w });
      if (audio.windows.length > 1 && audio.windows[audio.windows.length - 2].seq > event.seq) audio.windows.sort((a, b) => a.seq - b.seq);
      if (audio.windows.length > MAX_WINDOWS) audio.windows.splice(0, audio.windows.length - MAX_WINDOWS);
      const t = audio.totals;
      t.windows++;
      t.frames += w.frames;
      t.underruns += w.underruns;
      t.leadAtRisk += w.leadAtRisk ?? 0;
      t.marksSent += w.marksSent;
      t.marksPlayed += w.marksPlayed;
      t.marksCleared += w.marksCleared;
      t.worstP99 = Math.max(t.worstP99, w.latenessP99);
      break;
    }
    default:
      return false;
  }
  audio.maxSeq = Math.max(audio.maxSeq, event.seq);
  audio.version++;
  return true;
}

/** Per-call audio buffers for every call the console knows about. */
export class AudioBuffers {
  private readonly calls = new Map<string, CallAudio>();

  get(callSid: string): CallAudio | undefined {
    return this.calls.get(callSid);
  }

  /** The call's version, or -1 when nothing is buffered; charts redraw when it changes. */
  version(callSid: string): number {
    return this.calls.get(callSid)?.version ?? -1;
  }

  ingest(event: CallEvent): void {
    if (!isAudioEvent(event)) return;
    let audio = this.calls.get(event.callSid);
    if (!audio) this.calls.set(event.callSid, (audio = emptyAudio(event.callSid)));
    if (ingestInto(audio, event)) {
      audio.recent.push(event);
      if (audio.recent.length > MAX_RECENT) audio.recent.splice(0, audio.recent.length - MAX_RECENT);
    }
  }

  /** Rebuild a call from its record, keeping live events newer than the record. */
  replace(callSid: string, events: CallEvent[]): void {
    const before = this.calls.get(callSid);
    const audio = emptyAudio(callSid);
    audio.version = (before?.version ?? 0) + 1;
    let recordMax = -Infinity;
    for (const e of events) {
      if (!isAudioEvent(e)) continue;
      ingestInto(audio, e);
      recordMax = Math.max(recordMax, e.seq);
    }
    for (const e of before?.recent ?? []) {
      if (e.seq > recordMax) {
        ingestInto(audio, e);
        audio.recent.push(e);
      }
    }
    audio.version++;
    this.calls.set(callSid, audio);
  }

  drop(callSid: string): void {
    this.calls.delete(callSid);
  }

  /** Forget every call except the ones still shown (after a fresh snapshot). */
  retain(callSids: Iterable<string>): void {
    const keep = new Set(callSids);
    for (const sid of this.calls.keys()) if (!keep.has(sid)) this.calls.delete(sid);
  }

  clear(): void {
    this.calls.clear();
  }
}
