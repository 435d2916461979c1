// Barge-in decisions from per-window speech evidence: yield fast, commit slow. Pure state machine in media time
// (ms); the detector maps times to the host clock and turns outputs into DetectorEvents.
//
// Input per analysis window (32 ms for Silero): the model's speech probability (null = not run: the gate was
// closed, i.e. no sound above the floor that stands out from the expected echo) and whether the window's sound
// stood out from the echo ("caller"). A window is caller speech when p >= startThreshold and caller.
// - idle -> speaking: `startMs` of consecutive caller-speech windows: `start` (the bot yields).
// - speaking: speech time accumulates over caller-speech windows; at `minSpeechMs` -> `confirmed` (interrupt).
//   `endHangMs` of windows below endThreshold (windows with nothing above the gate count double: the sound has
//   stopped, not only the model's belief) ends an unconfirmed episode: `end` with the
//   verdict echo (more echo-like speech than the caller's), backchannel (real speech, short) or noise. A new
//   episode within `mergeMs` of that end continues it (same onset, speech time kept).
// - confirmed: ends after `confirmedHangMs` of non-speech: `end` verdict speech.
export interface DecisionOptions {
  startThreshold: number;
  endThreshold: number;
  /** Consecutive caller-speech time before `start` (ms). */
  startMs: number;
  /** Caller-speech time (within one episode) before `confirmed` (ms): BARGE_IN_MIN_SPEECH_MS. */
  minSpeechMs: number;
  /** Non-speech time that ends an unconfirmed episode (short: the bot resumes quickly). */
  endHangMs: number;
  /** Non-speech time that ends a confirmed utterance. */
  confirmedHangMs: number;
  /** An unconfirmed episode with this much caller speech and a peak p >= backchannelPeak is a backchannel. */
  backchannelMinMs: number;
  backchannelPeak: number;
  /** An episode that starts this soon after an unconfirmed one ended keeps its speech time (a sentence with a
   *  short pause between words is one interruption). */
  mergeMs: number;
}

export const DEFAULT_DECISION: DecisionOptions = {
  startThreshold: 0.5,
  endThreshold: 0.35,
  startMs: 64,
  minSpeechMs: 450,
  endHangMs: 64,
  confirmedHangMs: 700,
  backchannelMinMs: 64,
  backchannelPeak: 0.7,
  mergeMs: 200,
};

export interface WindowEvidence {
  startMs: number;
  endMs: number;
  p: number | null;
  /** The window's sound stood out from the expected echo (and was above the gate). */
  caller: boolean;
  /** The window was loud but explained by the expected echo. */
  echo?: boolean;
}

export type Verdict = 'speech' | 'backchannel' | 'noise' | 'echo';

export type Decision =
  | { type: 'start'; onsetMs: number; decidedMs: number; p: number }
  | { type: 'confirmed'; onsetMs: number; decidedMs: number; speechMs: number; p: number }
  | { type: 'end'; onsetMs: number; endMs: number; decidedMs: number; durationMs: number; verdict: Verdict };

export class BargeInDecider {
  readonly options: DecisionOptions;
  state: 'idle' | 'speaking' | 'confirmed' = 'idle';
  private runStart = -1;
  private runMs = 0;
  private onset = 0;
  private speechMs = 0;
  private echoMs = 0;
  private quietMs = 0;
  private peak = 0;
  private lastSpeechEnd = 0;
  /** End (media ms) and speech time of the last unconfirmed episode. */
  private prevEnd = -Infinity;
  private prevSpeechMs = 0;

  constructor(options: Partial<DecisionOptions> = {}) {
    this.options = { ...DEFAULT_DECISION, ...options };
  }

  /** Feed one window (in order); returns the decision it triggers, if any. */
  step(w: WindowEvidence): Decision | null {
    const o = this.options;
    const dur = w.endMs - w.startMs;
    const p = w.p ?? 0;
    const speech = w.caller && p >= o.startThreshold;
    if (this.state === 'idle') {
      if (!speech) {
        this.runMs = 0;
        this.runStart = -1;
        return null;
      }
      if (this.runStart < 0) {
        this.runStart = w.startMs;
        this.peak = 0;
      }
      this.runMs += dur;
      this.peak = Math.max(this.peak, p);
      if (this.runMs < o.startMs) return null;
      this.state = 'speaking';
      const merged = this.runStart - this.prevEnd <= o.mergeMs;
      this.onset = merged ? this.onset : this.runStart;
      this.speechMs = this.runMs + (merged ? this.prevSpeechMs : 0);
      this.echoMs = 0;
      this.quietMs = 0;
      this.lastSpeechEnd = w.endMs;
      this.runMs = 0;
      this.runStart = -1;
      return { type: 'start', onsetMs: this.onset, decidedMs: w.endMs, p };
    }
    if (speech) {
      this.speechMs += dur;
      this.peak = Math.max(this.peak, p);
      this.quietMs = 0;
      this.lastSpeechEnd = w.endMs;
      return this.state === 'speaking' ? this.maybeConfirm(w) : null;
    }
    if (w.echo && p >= o.startThreshold) this.echoMs += dur;
    if (w.caller && p >= o.endThreshold) {
      this.quietMs = 0; // between the thresholds: not more speech, not the end either
      return null;
    }
    this.quietMs += w.caller || w.echo ? dur : 2 * dur; // nothing above the gate: the sound has ended, count double
    const hang = this.state === 'confirmed' ? o.confirmedHangMs : o.endHangMs;
    if (this.quietMs < hang) return null;
    const verdict: Verdict =
      this.state === 'confirmed' ? 'speech' : this.echoMs > this.speechMs ? 'echo' : this.speechMs >= o.backchannelMinMs && this.peak >= o.backchannelPeak ? 'backchannel' : 'noise';
    if (this.state === 'speaking') {
      this.prevEnd = this.lastSpeechEnd;
      this.prevSpeechMs = this.speechMs;
    } else this.prevEnd = -Infinity;
    this.state = 'idle';
    return { type: 'end', onsetMs: this.onset, endMs: this.lastSpeechEnd, decidedMs: w.endMs, durationMs: this.lastSpeechEnd - this.onset, verdict };
  }

  /** End an open episode now (the evidence stopped coming, e.g. the model failed): null when idle. */
  abort(atMs: number): Decision | null {
    if (this.state === 'idle') return null;
    const verdict: Verdict = this.state === 'confirmed' ? 'speech' : 'noise';
    this.state = 'idle';
    this.prevEnd = -Infinity;
    return { type: 'end', onsetMs: this.onset, endMs: this.lastSpeechEnd, decidedMs: atMs, durationMs: this.lastSpeechEnd - this.onset, verdict };
  }

  private maybeConfirm(w: WindowEvidence): Decision | null {
    if (this.speechMs < this.options.minSpeechMs) return null;
    this.state = 'confirmed';
    return { type: 'confirmed', onsetMs: this.onset, decidedMs: w.endMs, speechMs: this.speechMs, p: w.p ?? 0 };
  }
}
