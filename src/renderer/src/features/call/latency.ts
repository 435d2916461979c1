// One caller turn's latency as a waterfall an operator can read (pure): caller stopped → final transcript →
// bot decision → TTS job → first frame → heard. The host sends the epoch ms of each step it saw (`turn.latency`);
// a step it did not see is shown as missing (—) and the next step is timed from the last one that is known, so
// the numbers always add up to the total.
import type { CallEvent } from '../../../../shared/model';

export type TurnLatency = Extract<CallEvent, { type: 'turn.latency' }>;

export const LATENCY_STEPS = ['callerStoppedAt', 'finalAt', 'decidedAt', 'ttsJobAt', 'firstFrameAt', 'heardAt'] as const;
export type LatencyStep = (typeof LATENCY_STEPS)[number];

export interface WaterfallStep {
  step: LatencyStep;
  /** Epoch ms, when the host saw this step. */
  at?: number;
  /** ms since the last known step before this one (undefined for the first known step and missing steps). */
  deltaMs?: number;
  /** Where the segment ending at this step starts and how long it is, as fractions of the total (for the bar). */
  from?: number;
  width?: number;
}

export interface Waterfall {
  steps: WaterfallStep[];
  /** First known step → last known step. */
  totalMs?: number;
  /** How many of the six steps the host reported. */
  known: number;
}

export function waterfallOf(latency: Partial<Record<LatencyStep, number>>): Waterfall {
  const raw = LATENCY_STEPS.map((step) => ({ step, at: finite(latency[step]) }));
  const present = raw.filter((s) => s.at !== undefined) as Array<{ step: LatencyStep; at: number }>;
  const first = present[0]?.at;
  const last = present[present.length - 1]?.at;
  const totalMs = first !== undefined && last !== undefined && present.length > 1 ? Math.max(0, last - first) : undefined;
  let prev: number | undefined;
  const steps = raw.map(({ step, at }): WaterfallStep => {
    if (at === undefined) return { step };
    const out: WaterfallStep = { step, at };
    if (prev !== undefined) {
      // clocks on two machines can disagree by a few ms: never draw a negative segment
      out.deltaMs = Math.max(0, at - prev);
      if (totalMs && first !== undefined) {
        out.from = Math.min(1, Math.max(0, (prev - first) / totalMs));
        out.width = Math.min(1 - out.from, out.deltaMs / totalMs);
      }
    }
    prev = prev === undefined ? at : Math.max(prev, at);
    return out;
  });
  return { steps, totalMs, known: present.length };
}

function finite(n: number | undefined): number | undefined {
  return n !== undefined && Number.isFinite(n) ? n : undefined;
}
