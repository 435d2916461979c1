// What history writes of a reply's high-rate detail. Live, a streamed reply emits a pacing window every 250 ms,
// a mark per part and a tts.part per mark; the console shows them as they come (the registry keeps them all),
// but on disk they would be 4 lines a second per stream. This pure buffer holds a call's detail events and, at a
// reply boundary (the next reply starts, the stream stops, the call ends, or the buffer fills), gives back one
// summary: a single pacing window per stream covering the reply (sums, maxima, downsampled samples), the final
// state of each part, and the end mark's outcome. Every other event passes straight through, in order.
import type { CallEvent, PacingWindow } from '../../shared/model';

type Pacing = Extract<CallEvent, { type: 'pacing' }>;
type PartEvent = Extract<CallEvent, { type: 'tts.part' }>;
type MarkEvent = Extract<CallEvent, { type: 'mark' }>;

const DETAIL = new Set<CallEvent['type']>(['pacing', 'mark', 'tts.part']);
/** Samples kept in a reply's summary window (the chart's resolution for a reply read from history). */
export const SUMMARY_SAMPLES = 120;
/** Detail events buffered per call before a partial summary is written (a very long reply). */
export const MAX_BUFFERED = 1000;

interface Buffered {
  pacing: Map<string, Pacing[]>;
  parts: Map<string, PartEvent>;
  endMarks: Map<string, MarkEvent>;
  count: number;
}

export function isDetail(event: CallEvent): boolean {
  return DETAIL.has(event.type);
}

function isBoundary(event: CallEvent): boolean {
  return (event.type === 'tts.job' && event.status === 'started') || event.type === 'stream.stopped' || event.type === 'call.ended';
}

export class ReplySummarizer {
  private readonly calls = new Map<string, Buffered>();

  /** The events to write now for `event`, in order (nothing while detail is being buffered). */
  take(event: CallEvent): CallEvent[] {
    if (isDetail(event)) {
      const buffered = this.add(event);
      return buffered.count >= MAX_BUFFERED ? this.end(event.callSid) : [];
    }
    if (!isBoundary(event)) return [event];
    return [...this.end(event.callSid), event];
  }

  /** The summary of whatever detail is buffered for the call (and forget it). */
  end(callSid: string): CallEvent[] {
    const b = this.calls.get(callSid);
    this.calls.delete(callSid);
    if (!b) return [];
    const out: CallEvent[] = [...b.parts.values(), ...b.endMarks.values()];
    for (const windows of b.pacing.values()) out.push(summarizePacing(windows));
    return out.sort((a, b2) => a.seq - b2.seq);
  }

  /** Calls with buffered detail. */
  get size(): number {
    return this.calls.size;
  }

  private add(event: CallEvent): Buffered {
    let b = this.calls.get(event.callSid);
    if (!b) this.calls.set(event.callSid, (b = { pacing: new Map(), parts: new Map(), endMarks: new Map(), count: 0 }));
    b.count++;
    if (event.type === 'pacing') {
      const list = b.pacing.get(event.window.streamSid);
      if (list) list.push(event);
      else b.pacing.set(event.window.streamSid, [event]);
    } else if (event.type === 'tts.part') {
      const key = `${event.part.replyId}:${event.part.part}`;
      b.parts.delete(key); // keep first-seen order by part, latest state
      b.parts.set(key, event);
    } else if (event.type === 'mark' && event.name.endsWith(':end')) {
      b.endMarks.set(event.name, event);
    }
    return b;
  }
}

/** One window for a reply's windows: counts summed, lateness maxima, p50 frame-weighted, samples downsampled. */
export function summarizePacing(windows: Pacing[]): Pacing {
  const last = windows[windows.length - 1]!;
  const w = windows.map((e) => e.window);
  const frames = w.reduce((n, x) => n + x.frames, 0);
  const sum = (pick: (x: PacingWindow) => number) => w.reduce((n, x) => n + pick(x), 0);
  const samples = w.flatMap((x) => x.samples);
  const step = Math.max(1, Math.ceil(samples.length / SUMMARY_SAMPLES));
  const window: PacingWindow = {
    ...last.window,
    from: Math.min(...w.map((x) => x.from)),
    to: Math.max(...w.map((x) => x.to)),
    frames,
    samples: samples.filter((_, i) => i % step === 0),
    latenessP50: frames ? Math.round(sum((x) => x.latenessP50 * x.frames) / frames) : 0,
    latenessP99: Math.max(...w.map((x) => x.latenessP99)),
    latenessMax: Math.max(...w.map((x) => x.latenessMax)),
    leadMs: last.window.leadMs,
    underruns: sum((x) => x.underruns),
    marksSent: sum((x) => x.marksSent),
    marksPlayed: sum((x) => x.marksPlayed),
    marksCleared: sum((x) => x.marksCleared),
    windows: w.reduce((n, x) => n + (x.windows ?? 1), 0),
  };
  return { ...last, window };
}
