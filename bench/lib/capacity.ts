// The capacity verdict for one stream count (pure): every criterion of the goal, with reasons.
import type { FirstAudioNumbers, PacingNumbers } from './analyze';

export const CAPACITY_GOAL = { beyondLeadP99Ms: 5, ttfaP99Ms: 100 };

export interface CapacityInput {
  requested: number;
  opened: number;
  pacing: PacingNumbers;
  /** null: no TTS in the run (the wire floor), judged on the wire criteria only. */
  firstAudio: FirstAudioNumbers | null;
}

export interface CapacityVerdict {
  streams: number;
  holds: boolean;
  /** Empty when it holds. */
  failures: string[];
}

export function capacityVerdict(c: CapacityInput): CapacityVerdict {
  const f: string[] = [];
  const p = c.pacing;
  if (c.opened < c.requested) f.push(`${c.requested - c.opened} streams could not connect`);
  if (p.silent > 0) f.push(`${p.silent} streams got no audio`);
  if (p.exact < p.checked) f.push(`${p.checked - p.exact} streams not byte-exact`);
  if (p.underrunsTotal > 0) f.push(`${p.underrunsTotal} underruns on ${p.streamsWithUnderrun} streams`);
  if (!(p.beyondLead.p99 <= CAPACITY_GOAL.beyondLeadP99Ms)) f.push(`lateness beyond lead p99 ${p.beyondLead.p99.toFixed(1)} ms > ${CAPACITY_GOAL.beyondLeadP99Ms}`);
  if (c.firstAudio && !(c.firstAudio.ttfa.p99 <= CAPACITY_GOAL.ttfaP99Ms)) f.push(`time to first audio p99 ${c.firstAudio.ttfa.p99.toFixed(0)} ms > ${CAPACITY_GOAL.ttfaP99Ms}`);
  if (p.protocolErrors.length) f.push(`protocol errors: ${p.protocolErrors.join('; ')}`);
  return { streams: c.requested, holds: f.length === 0, failures: f };
}

/** The highest stream count that held, counting only up to the first count that failed. */
export function highestHeld(verdicts: CapacityVerdict[]): number {
  let best = 0;
  for (const v of [...verdicts].sort((a, b) => a.streams - b.streams)) {
    if (!v.holds) break;
    best = v.streams;
  }
  return best;
}
