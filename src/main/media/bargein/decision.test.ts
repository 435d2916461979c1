import { describe, expect, it } from 'vitest';
import { BargeInDecider, type Decision, type DecisionOptions } from './decision';

/** Windows of 32 ms from t = 0, written as a string: S = caller speech (p 0.9), m = middling (p 0.4),
 *  E = echo-like speech (p 0.9, explained by the echo), n = noise above the gate (p 0.1), . = gate closed. */
function run(pattern: string, options: Partial<DecisionOptions> = {}): Decision[] {
  const d = new BargeInDecider({ minSpeechMs: 450, ...options });
  const out: Decision[] = [];
  [...pattern].forEach((c, i) => {
    const p = c === 'S' || c === 'E' ? 0.9 : c === 'm' ? 0.4 : c === 'n' ? 0.1 : null;
    const r = d.step({ startMs: i * 32, endMs: i * 32 + 32, p, caller: c === 'S' || c === 'm' || c === 'n', echo: c === 'E' });
    if (r) out.push(r);
  });
  return out;
}

const types = (ds: Decision[]) => ds.map((d) => (d.type === 'end' ? `end:${d.verdict}` : d.type));

describe('BargeInDecider', () => {
  it.each([
    ['silence', '..........', []],
    ['one speech window is not enough to yield', '..S.......', []],
    ['a backchannel (~290 ms): yield, then resume', '..SSSSSSSSS.....', ['start', 'end:backchannel']],
    ['a sentence: yield, then commit after 450 ms of speech, end after 700 ms of quiet', `..${'S'.repeat(20)}${'.'.repeat(30)}`, ['start', 'confirmed', 'end:speech']],
    ['noise the model rejects never yields', 'nnnnnnnnnnnnnnnn', []],
    ['echo never yields, even at high p', 'EEEEEEEEEEEEEEEEEEEE', []],
    ['middling p inside an episode neither counts nor ends it', `..SSS${'m'.repeat(20)}...`, ['start', 'end:backchannel']],
    ['two bursts 64 ms apart are one interruption (speech time kept)', `..${'S'.repeat(8)}..${'S'.repeat(8)}${'.'.repeat(30)}`, ['start', 'end:backchannel', 'start', 'confirmed', 'end:speech']],
    ['two bursts 400 ms apart are two backchannels', `..${'S'.repeat(8)}${'.'.repeat(13)}${'S'.repeat(8)}....`, ['start', 'end:backchannel', 'start', 'end:backchannel']],
  ])('%s', (_name, pattern, expected) => {
    expect(types(run(pattern))).toEqual(expected);
  });

  it('reports onset, speech time and detection times in media ms', () => {
    const ds = run(`....${'S'.repeat(16)}${'.'.repeat(30)}`);
    expect(ds[0]).toEqual({ type: 'start', onsetMs: 128, decidedMs: 192, p: 0.9 });
    expect(ds[1]).toMatchObject({ type: 'confirmed', onsetMs: 128, speechMs: 448 + 32, decidedMs: 128 + 480 });
    expect(ds[2]).toMatchObject({ type: 'end', onsetMs: 128, endMs: 128 + 512, durationMs: 512, verdict: 'speech' });
  });

  it('the verdict of a short episode mostly explained by echo is echo', () => {
    // caller speech starts it, then the model keeps hearing speech that the echo guard explains
    expect(types(run('..SSEmEmEmEm....'))).toEqual(['start', 'end:echo']);
  });

  it('ends an unconfirmed episode faster when the gate closes than when only p drops', () => {
    const closed = run('..SSSS....');
    const noisy = run('..SSSSnnnnnn');
    const endOf = (ds: Decision[]) => ds.find((d) => d.type === 'end')!.decidedMs;
    expect(endOf(closed)).toBe(6 * 32 + 32); // one closed window (counts double)
    expect(endOf(noisy)).toBe(6 * 32 + 64); // two windows below the end threshold
  });

  it('BARGE_IN_MIN_SPEECH_MS is the commit threshold', () => {
    expect(types(run(`..${'S'.repeat(8)}....`, { minSpeechMs: 200 }))).toEqual(['start', 'confirmed']);
    expect(types(run(`..${'S'.repeat(8)}....`, { minSpeechMs: 450 }))).toEqual(['start', 'end:backchannel']);
  });
});
