// Pure decisions on what Twilio posted: speech, keywords, dial progress, status ordering. No I/O, no clock.
import type { CallEvent, HandoffInfo, HandoffStatus } from '../../shared/model';

export type Params = Record<string, string | undefined>;

export interface Speech {
  text: string;
  confidence?: number;
}

/** SpeechResult (trimmed) and Confidence, which Twilio may leave out or send empty. */
// (hist, found by test/fuzz-host.test.ts) characters XML 1.0 forbids would make the echoed <Say> throw: a 500
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const XML_ILLEGAL = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;

export function readSpeech(p: Params): Speech {
  const text = (p.SpeechResult ?? '').replace(XML_ILLEGAL, '').trim();
  const raw = p.Confidence?.trim();
  const n = raw ? Number(raw) : NaN;
  return Number.isFinite(n) && n >= 0 && n <= 1 ? { text, confidence: n } : { text };
}

const squash = (s: string) => s.normalize('NFC').toLowerCase().replace(/\s+/g, '');

/** The handoff keyword the caller said, if any. Spaces are ignored ("상담 원" counts): Korean STT spacing varies. */
export function matchKeyword(text: string, keywords: readonly string[]): string | undefined {
  const said = squash(text);
  if (!said) return undefined;
  return keywords.find((k) => squash(k) !== '' && said.includes(squash(k)));
}

/** Echo reply spoken back to the caller (the seed's behaviour). Long results are cut: <Parameter> values are small. */
export function echoText(text: string, max = 300): string {
  const said = text.length > max ? `${text.slice(0, max - 1)}…` : text;
  return `"${said}" 라고 말씀하셨어요.`;
}

/** Turns in a row without speech so far, from the signed ?silent= query (0 when absent or odd). */
export function silentTurnsFrom(query: unknown): number {
  const n = typeof query === 'string' ? Number.parseInt(query, 10) : 0;
  return Number.isInteger(n) && n > 0 && n < 100 ? n : 0;
}

export type DialReport =
  | { kind: 'action'; dialCallStatus: string; durationS?: number }
  | { kind: 'child'; parentCallSid: string; callStatus: string }
  | { kind: 'unknown' };

/** /dial_status receives two things: the Dial action (DialCallStatus) and the child leg's progress (CallStatus + ParentCallSid). */
export function readDialReport(p: Params): DialReport {
  if (p.DialCallStatus) {
    const d = Number(p.DialCallDuration);
    return { kind: 'action', dialCallStatus: p.DialCallStatus, ...(p.DialCallDuration && Number.isFinite(d) ? { durationS: d } : {}) };
  }
  if (p.ParentCallSid && p.CallStatus) return { kind: 'child', parentCallSid: p.ParentCallSid, callStatus: p.CallStatus };
  return { kind: 'unknown' };
}

export interface DialOutcome {
  status: 'connected' | 'failed';
  message: string;
}

/** What a Dial action's DialCallStatus means for the handoff. */
export function dialOutcome(dialCallStatus: string, timeoutS: number, durationS?: number): DialOutcome {
  switch (dialCallStatus) {
    case 'completed':
    case 'answered':
      return { status: 'connected', message: durationS !== undefined ? `Agent call ended after ${durationS} s` : 'Agent answered' };
    case 'busy':
      return { status: 'failed', message: 'The Amazon Connect number was busy' };
    case 'no-answer':
      return { status: 'failed', message: `The Amazon Connect number did not answer within ${timeoutS} s` };
    case 'canceled':
      return { status: 'failed', message: 'The handoff call was cancelled before it was answered' };
    case 'failed':
      return { status: 'failed', message: 'The handoff call could not be placed: check CONNECT_DID and Voice Geo Permissions' };
    default:
      return { status: 'failed', message: `The handoff ended with an unknown status "${dialCallStatus}"` };
  }
}

/** Child-leg CallStatus → handoff progress; terminal statuses are left to the Dial action. */
export function childLegProgress(callStatus: string): 'dialing' | 'connected' | null {
  if (callStatus === 'queued' || callStatus === 'initiated' || callStatus === 'ringing') return 'dialing';
  if (callStatus === 'in-progress' || callStatus === 'answered') return 'connected';
  return null;
}

const RANK: Record<HandoffStatus, number> = { requested: 0, accepted: 1, dialing: 2, connected: 3, failed: -1 };

/** Only move the handoff forward: repeats and late child-leg callbacks must not turn "connected" back into "dialing". */
export function advancesHandoff(current: HandoffInfo | undefined, next: 'dialing' | 'connected'): boolean {
  if (!current) return true;
  if (current.status === 'failed') return false;
  return RANK[next] > RANK[current.status];
}

/** Whether this Dial action outcome was already recorded for the current handoff attempt (Twilio may post it twice). */
export function dialActionSeen(events: readonly CallEvent[], dialCallStatus: string): boolean {
  for (let i = events.length - 1; i >= 0; i--) {
    const e = events[i];
    if (e.type !== 'handoff') continue;
    if (e.dialCallStatus === dialCallStatus) return true;
    if (e.status === 'requested') return false;
  }
  return false;
}

/** Highest call-status SequenceNumber already applied (status callbacks can arrive out of order). */
export function lastStatusSequence(events: readonly CallEvent[]): number {
  let max = -1;
  for (const e of events) if (e.type === 'call.status' && e.sequenceNumber !== undefined && e.sequenceNumber > max) max = e.sequenceNumber;
  return max;
}

/** When the bot last spoke or asked on this call (for the transcript's latency), if known. */
export function lastPromptAt(events: readonly CallEvent[]): number | undefined {
  for (let i = events.length - 1; i >= 0; i--) {
    const e = events[i];
    if (e.type === 'prompt' || e.type === 'bot.reply') return e.at;
  }
  return undefined;
}

export const TERMINAL_CALL_STATUSES: ReadonlySet<string> = new Set(['completed', 'busy', 'failed', 'no-answer', 'canceled']);
