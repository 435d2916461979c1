import { describe, expect, it } from 'vitest';
import { initialReplyState, isLive, stepReply, type ReplyEvent, type ReplyPhase, type ReplyState } from './reply-state';

/** Run events from the start (each at its time); the last state and every effect, in order. */
function run(events: Array<[ReplyEvent['type'], number]>): { state: ReplyState; effects: string[] } {
  let state = initialReplyState();
  const effects: string[] = [];
  for (const [type, at] of events) {
    const r = stepReply(state, { type } as ReplyEvent, at);
    state = r.state;
    effects.push(...r.effects);
  }
  return { state, effects };
}

describe('the reply state machine', () => {
  it.each<[string, Array<[ReplyEvent['type'], number]>, ReplyPhase, string[]]>([
    ['heard to the end', [['job-started', 0], ['all-sent', 10], ['end-heard', 20]], 'finished', ['report-job-started', 'report-job-done', 'settle']],
    ['TTS failed: apology heard', [['job-failed', 0], ['all-sent', 5], ['end-heard', 9]], 'failed', ['play-apology', 'settle']],
    ['TTS failed mid-reply', [['job-started', 0], ['job-failed', 5], ['end-heard', 9]], 'failed', ['report-job-started', 'play-apology', 'settle']],
    ['paused then resumed then heard', [['job-started', 0], ['pause', 10], ['resume', 30], ['all-sent', 40], ['end-heard', 50]], 'finished', ['report-job-started', 'stop-sending', 'send-again', 'report-job-done', 'settle']],
    ['interrupted while playing', [['job-started', 0], ['interrupt', 5]], 'interrupted', ['report-job-started', 'cancel-job', 'report-job-cancelled', 'settle']],
    ['interrupted after all was sent: the job is not reported cancelled', [['job-started', 0], ['all-sent', 3], ['interrupt', 5]], 'interrupted', ['report-job-started', 'report-job-done', 'cancel-job', 'settle']],
    ['interrupted while paused', [['job-started', 0], ['pause', 10], ['interrupt', 40]], 'interrupted', ['report-job-started', 'stop-sending', 'cancel-job', 'report-job-cancelled', 'settle']],
    ['cancelled before the job started', [['cancel', 0]], 'cancelled', ['cancel-job', 'report-job-cancelled', 'settle']],
    ['a paused end mark is never heard', [['job-started', 0], ['all-sent', 1], ['pause', 2], ['end-heard', 3]], 'paused', ['report-job-started', 'report-job-done', 'stop-sending']],
    ['terminal states ignore everything', [['cancel', 0], ['job-started', 1], ['end-heard', 2], ['resume', 3], ['interrupt', 4]], 'cancelled', ['cancel-job', 'report-job-cancelled', 'settle']],
    ['pause before the job started is ignored', [['pause', 0], ['job-started', 1]], 'playing', ['report-job-started']],
    ['a second pause or resume changes nothing', [['job-started', 0], ['pause', 1], ['pause', 2], ['resume', 3], ['resume', 4]], 'playing', ['report-job-started', 'stop-sending', 'send-again']],
  ])('%s', (_name, events, phase, effects) => {
    const r = run(events);
    expect(r.state.phase).toBe(phase);
    expect(r.effects).toEqual(effects);
  });

  it('counts paused time over several pauses, including one ended by an interrupt (injected clock)', () => {
    const r = run([['job-started', 0], ['pause', 100], ['resume', 350], ['pause', 1000], ['interrupt', 1120]]);
    expect(r.state.pausedMs).toBe(370);
    expect(isLive(r.state)).toBe(false);
  });

  it('an apology that was paused resumes as the apology', () => {
    const r = run([['job-failed', 0], ['pause', 5], ['resume', 9], ['end-heard', 20]]);
    expect(r.state.phase).toBe('failed');
  });
});
