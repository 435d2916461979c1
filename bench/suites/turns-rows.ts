// Table rows for one turns step (pure): final -> first frame, its split, and the goal on the host's own share
// (issue 11: p50 <= 20 ms, p99 <= 60 ms).
import { rowFrom, type Row } from '../lib/report';
import type { TurnNumbers } from '../lib/turns';

export const HOST_SHARE_GOAL = { p50Ms: 20, p99Ms: 60 };

export function turnRows(t: TurnNumbers, tag: string, goals: boolean): Row[] {
  const base = { suite: 'turns', unit: 'ms' };
  const share = rowFrom(t.hostShare, {
    ...base,
    name: `  host's own share (total - synthesis - poll wait), ${tag}`,
    note: `${t.matched} of ${t.turns} turns split; ${t.unanswered} unanswered`,
  });
  if (goals) Object.assign(share, { goal: `p50 <= ${HOST_SHARE_GOAL.p50Ms}, p99 <= ${HOST_SHARE_GOAL.p99Ms} ms`, pass: t.matched > 0 && t.unanswered === 0 && t.hostShare.p50 <= HOST_SHARE_GOAL.p50Ms && t.hostShare.p99 <= HOST_SHARE_GOAL.p99Ms });
  return [
    rowFrom(t.total, { ...base, name: `final transcript POST -> first frame of the answer on the wire, ${tag}` }),
    rowFrom(t.synthesis, { ...base, name: `  of which: TTS synthesis (stand-in's job POST -> part 0 landed, 250-500 ms), ${tag}` }),
    rowFrom(t.pollWait, { ...base, name: `  of which: S3 poll wait (part 0 landed -> the GET that found it), ${tag}` }),
    share,
    rowFrom(t.finalToJob, { ...base, name: `    host: final POST -> TTS job POST at the stand-in (webhook, decision, job request), ${tag}` }),
    rowFrom(t.foundToFrame, { ...base, name: `    host: the GET that found part 0 -> first frame on the wire, ${tag}` }),
  ];
}

/** The host's own stamps (turn.latency, its clock): what the console shows an operator. */
export function hostStepRows(t: TurnNumbers, tag: string): Row[] {
  const base = { suite: 'turns', unit: 'ms' };
  return [
    rowFrom(t.finalAck, { ...base, name: `final transcription callback POST -> its 2xx, ${tag}` }),
    rowFrom(t.hostDecision, { ...base, name: `turn.latency finalAt -> decidedAt (echo bot), ${tag}` }),
    rowFrom(t.hostDecidedToJob, { ...base, name: `turn.latency decidedAt -> ttsJobAt (job POST answered), ${tag}` }),
  ];
}
