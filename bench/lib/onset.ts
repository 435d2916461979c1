// Offline speech-onset finder for the barge-in fixtures: where the caller starts talking, found once per
// fixture by energy, independently of the host's VAD (whose latency it is the reference for).
// Rule (docs/BENCHMARKS.md): 10 ms windows of the decoded PCM; speech = the first run of >= 3 windows
// (30 ms) above -40 dBFS RMS; the onset is refined to the first 1 ms sub-window above -40 dBFS inside the
// run's first window. Returns null when no such run exists (noise and silence fixtures must give null).

export interface OnsetOptions {
  sampleRate: number;
  thresholdDb: number;
  windowMs: number;
  minWindows: number;
}

export const DEFAULT_ONSET: OnsetOptions = { sampleRate: 8000, thresholdDb: -40, windowMs: 10, minWindows: 3 };

const FULL_SCALE = 32768;

/** RMS level of pcm[from, to) in dBFS (-120 for digital silence). */
export function levelDb(pcm: Int16Array, from: number, to: number): number {
  let sum = 0;
  for (let i = from; i < to; i++) sum += pcm[i] * pcm[i];
  const meanSquare = sum / Math.max(1, to - from) / (FULL_SCALE * FULL_SCALE);
  return meanSquare > 0 ? Math.max(-120, 10 * Math.log10(meanSquare)) : -120;
}

export interface Onset {
  sample: number;
  ms: number;
}

export function findSpeechOnset(pcm: Int16Array, options: Partial<OnsetOptions> = {}): Onset | null {
  const o = { ...DEFAULT_ONSET, ...options };
  const win = Math.round((o.sampleRate * o.windowMs) / 1000);
  const windows = Math.floor(pcm.length / win);
  let run = 0;
  for (let w = 0; w < windows; w++) {
    run = levelDb(pcm, w * win, (w + 1) * win) > o.thresholdDb ? run + 1 : 0;
    if (run < o.minWindows) continue;
    const first = (w - o.minWindows + 1) * win;
    // refine within the run's first window (and the one before it, where a quiet attack may start)
    const sub = Math.round(o.sampleRate / 1000);
    for (let s = Math.max(0, first - win); s + sub <= first + win; s += sub) {
      if (levelDb(pcm, s, s + sub) > o.thresholdDb) return { sample: s, ms: (s * 1000) / o.sampleRate };
    }
    return { sample: first, ms: (first * 1000) / o.sampleRate };
  }
  return null;
}
