// One compact log line per protocol event, for the engineer in the room (pure).
import type { CallEvent } from '../../../../shared/model';
import { formatMs } from '../../format';
import { waterfallOf } from './latency';

export type EventGroup = 'call' | 'speech' | 'tts' | 'media' | 'handoff' | 'alert';
export const EVENT_GROUPS: readonly EventGroup[] = ['call', 'speech', 'tts', 'media', 'handoff', 'alert'];

export interface EventLine {
  key: string;
  at: number;
  group: EventGroup;
  type: string;
  text: string;
  bad: boolean;
}

const GROUP: Record<CallEvent['type'], EventGroup> = {
  'call.started': 'call',
  'call.status': 'call',
  'call.mode': 'call',
  'call.ended': 'call',
  prompt: 'speech',
  transcript: 'speech',
  'transcript.partial': 'speech',
  transcription: 'speech',
  'bot.decision': 'speech',
  'bot.muted': 'speech',
  'turn.latency': 'speech',
  'bot.reply': 'speech',
  'caller.speech': 'speech',
  dtmf: 'speech',
  bargein: 'speech',
  'tts.job': 'tts',
  'tts.part': 'tts',
  'stream.started': 'media',
  'stream.stopped': 'media',
  pacing: 'media',
  mark: 'media',
  clear: 'media',
  handoff: 'handoff',
  alert: 'alert',
  error: 'alert',
};

const STEP_SHORT = { callerStoppedAt: 'stopped', finalAt: 'final', decidedAt: 'decided', ttsJobAt: 'tts', firstFrameAt: 'frame', heardAt: 'heard' } as const;

function short(text: string, max = 48): string {
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

function detail(e: CallEvent, replyStarts: Map<string, number>): string {
  switch (e.type) {
    case 'call.started':
      return `${e.mode}${e.simulated ? ' · simulated' : ''}`;
    case 'call.status':
      return e.status;
    case 'call.mode':
      return e.mode;
    case 'call.ended':
      return e.reason;
    case 'prompt':
      return short(e.text);
    case 'bot.reply':
      return [e.kind ?? '', e.turn !== undefined ? `turn ${e.turn}` : '', short(e.text)].filter(Boolean).join(' · ');
    case 'transcript':
      return [
        `${short(e.text)}${e.confidence !== undefined ? ` (${e.confidence.toFixed(2)})` : ''}`,
        e.source,
        e.turn !== undefined ? `turn ${e.turn}` : '',
        e.scripted ? 'scripted' : '',
      ]
        .filter(Boolean)
        .join(' · ');
    case 'caller.speech':
      return e.state + (e.durationMs !== undefined ? ` ${formatMs(e.durationMs)}` : '');
    case 'dtmf':
      return e.digit;
    case 'transcript.partial':
      return `… ${short(e.text)}${e.stability !== undefined ? ` · stability ${e.stability.toFixed(2)}` : ''}${e.scripted ? ' · scripted' : ''}`;
    case 'transcription':
      return [e.status, e.name ?? '', e.message ?? '', e.code ? `code ${e.code}` : ''].filter(Boolean).join(' · ');
    case 'bot.decision':
      return `turn ${e.turn} · ${e.action} by ${e.decidedBy} in ${formatMs(e.ms)}${e.error ? ` · ${e.error}` : ''}`;
    case 'bot.muted':
      return e.muted ? 'muted' : 'resumed';
    case 'turn.latency': {
      const w = waterfallOf(e);
      const steps = w.steps.slice(1).map((s) => `${STEP_SHORT[s.step]} ${s.at === undefined ? '—' : formatMs(s.deltaMs)}`);
      return `turn ${e.turn} · ${steps.join(' → ')}${w.totalMs !== undefined ? ` · total ${formatMs(w.totalMs)}` : ''}`;
    }
    case 'bargein': {
      const decision = e.decision ?? 'interrupted';
      const parts: string[] = [decision];
      if (decision === 'paused') {
        if (e.trigger) parts.push(`by ${e.trigger}`);
        if (e.probability !== undefined) parts.push(`p ${e.probability.toFixed(2)}`);
      }
      if (decision === 'resumed') {
        if (e.verdict) parts.push(e.verdict);
        if (e.pauseMs !== undefined) parts.push(`paused ${formatMs(e.pauseMs)}`);
      }
      if (decision === 'interrupted' && e.speechMs !== undefined) parts.push(`speech ${formatMs(e.speechMs)}`);
      parts.push(`heard ${formatMs(e.heardMs)} of ${formatMs(e.replyMs)}`);
      if (e.detectionLatencyMs !== undefined) parts.push(`detected in ${formatMs(e.detectionLatencyMs)}`);
      return parts.join(' · ');
    }
    case 'tts.job':
      return [e.status, e.jobId, e.firstAudioMs !== undefined ? `TTFA ${formatMs(e.firstAudioMs)}` : '', e.error ?? ''].filter(Boolean).join(' · ');
    case 'tts.part': {
      const p = e.part;
      const start = replyStarts.get(p.replyId);
      const since = start !== undefined ? ` +${formatMs(p.seenAt - start)}` : '';
      return `part${p.part}${since} · ${formatMs(p.audioMs)} audio · ${p.bytes} B${p.flags.length ? ` · ${p.flags.join(',')}` : ''}${p.error ? ` · ${p.error}` : ''}`;
    }
    case 'stream.started':
      return e.streamSid;
    case 'stream.stopped':
      return e.reason;
    case 'pacing':
      return `${e.window.frames} frames · p99 ${formatMs(e.window.latenessP99)} · lead ${formatMs(e.window.leadMs)}${e.window.underruns ? ` · ${e.window.underruns} underruns` : ''}`;
    case 'mark':
      return `${e.name} ${e.outcome}`;
    case 'clear':
      return e.reason;
    case 'handoff':
      return [e.status, e.source, e.code ? `Twilio ${e.code}` : '', e.message ?? '', e.dialCallStatus ?? ''].filter(Boolean).join(' · ');
    case 'alert':
      return `${e.alert.kind} · ${e.alert.message}`;
    case 'error':
      return e.message + (e.code ? ` (${e.code})` : '');
  }
}

function isBad(e: CallEvent): boolean {
  if (e.type === 'error' || e.type === 'alert') return true;
  if (e.type === 'tts.job') return e.status === 'failed';
  if (e.type === 'tts.part') return Boolean(e.part.error);
  if (e.type === 'handoff') return e.status === 'failed';
  if (e.type === 'pacing') return e.window.underruns > 0;
  if (e.type === 'transcription') return e.status === 'error';
  if (e.type === 'bot.decision') return e.decidedBy === 'fallback';
  return false;
}

export function eventLines(events: readonly CallEvent[]): EventLine[] {
  const replyStarts = new Map<string, number>();
  const lines: EventLine[] = [];
  for (const e of events) {
    if (e.type === 'tts.job' && e.status === 'started') replyStarts.set(e.replyId, e.at);
    lines.push({ key: `l${e.seq}`, at: e.at, group: GROUP[e.type], type: e.type, text: detail(e, replyStarts), bad: isBad(e) });
  }
  return lines;
}

export function filterLines(lines: readonly EventLine[], groups: ReadonlySet<EventGroup>, text: string): EventLine[] {
  const needle = text.trim().toLowerCase();
  return lines.filter((l) => groups.has(l.group) && (!needle || l.type.includes(needle) || l.text.toLowerCase().includes(needle)));
}
