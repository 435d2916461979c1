// The lifecycle of one bot reply on a stream, as one explicit state machine. Pure: (state, event, time) in, the
// next state and the effects the reply tracker must carry out, out. Replaces the status / stopped / interrupted /
// endPlayed flags and the generation counter that were spread over the tracker.
//
//   starting --job-started--> playing --end-heard--> finished            (the caller heard it all)
//   starting --job-failed---> apology --end-heard--> failed              (TTS failed; the apology was heard)
//   playing | apology --pause--> paused --resume--> (where it was)      (a caller sound: yield, then carry on)
//   any live state --interrupt--> interrupted                           (the caller took the turn)
//   any live state --cancel-----> cancelled                             (stream ended, replaced, server stopping)
// A terminal state ignores every event. Effects are named for what the tracker does, in order.

export type ReplyPhase = 'starting' | 'playing' | 'apology' | 'paused' | 'finished' | 'failed' | 'interrupted' | 'cancelled';

export interface ReplyState {
  phase: ReplyPhase;
  /** Where a paused reply resumes. */
  resumeTo?: 'playing' | 'apology';
  pausedAt?: number;
  /** Total time paused so far (ms). */
  pausedMs: number;
  /** The end mark has been sent (all audio is out): the job is done, the caller may still be hearing it. */
  allSent: boolean;
}

export type ReplyEvent =
  | { type: 'job-started' }
  | { type: 'job-failed' }
  | { type: 'all-sent' }
  | { type: 'end-heard' }
  | { type: 'pause' }
  | { type: 'resume' }
  | { type: 'interrupt' }
  | { type: 'cancel' };

export type ReplyEffect =
  | 'report-job-started'
  | 'play-apology'
  | 'report-job-done'
  | 'stop-sending'
  | 'send-again'
  | 'cancel-job'
  | 'report-job-cancelled'
  | 'settle';

export const TERMINAL: ReadonlySet<ReplyPhase> = new Set(['finished', 'failed', 'interrupted', 'cancelled']);

export function initialReplyState(): ReplyState {
  return { phase: 'starting', pausedMs: 0, allSent: false };
}

/** The caller can hear the reply now (or will once sending resumes). */
export function isLive(s: ReplyState): boolean {
  return !TERMINAL.has(s.phase);
}

export function stepReply(s: ReplyState, e: ReplyEvent, at: number): { state: ReplyState; effects: ReplyEffect[] } {
  const same = { state: s, effects: [] as ReplyEffect[] };
  if (TERMINAL.has(s.phase)) return same;
  const to = (phase: ReplyPhase, effects: ReplyEffect[], extra: Partial<ReplyState> = {}) => ({ state: { ...s, phase, ...extra }, effects });
  // the job's cancellation is reported only while it was still producing audio (not after all was sent)
  const cancelJob: ReplyEffect[] = s.allSent || s.phase === 'apology' || s.resumeTo === 'apology' ? ['cancel-job'] : ['cancel-job', 'report-job-cancelled'];
  const paused = s.phase === 'paused' && s.pausedAt !== undefined ? { pausedMs: s.pausedMs + Math.max(0, at - s.pausedAt), pausedAt: undefined } : {};
  switch (e.type) {
    case 'job-started':
      return s.phase === 'starting' ? to('playing', ['report-job-started']) : same;
    case 'job-failed':
      if (s.phase === 'starting' || s.phase === 'playing') return to('apology', ['play-apology']);
      return same;
    case 'all-sent':
      if (s.allSent) return same;
      return { state: { ...s, allSent: true }, effects: s.phase === 'playing' || s.resumeTo === 'playing' ? ['report-job-done'] : [] };
    case 'end-heard':
      if (s.phase === 'playing') return to('finished', ['settle']);
      if (s.phase === 'apology') return to('failed', ['settle']);
      return same; // a paused reply's end mark comes back as cleared, never as heard
    case 'pause':
      if (s.phase !== 'playing' && s.phase !== 'apology') return same;
      return to('paused', ['stop-sending'], { resumeTo: s.phase, pausedAt: at });
    case 'resume':
      if (s.phase !== 'paused') return same;
      return to(s.resumeTo ?? 'playing', ['send-again'], { ...paused, resumeTo: undefined });
    case 'interrupt':
      return to('interrupted', [...cancelJob, 'settle'], paused);
    case 'cancel':
      return to('cancelled', [...cancelJob, 'settle'], paused);
  }
}
