// The barge-in detector: a cascade, per stream. (1) The energy gate (media/vad.ts: adaptive noise floor) and the
// echo guard (echo.ts: the bot's own voice coming back) look at every 20 ms frame; a frame "opens" the gate when it
// is loud and stands out from the expected echo. (2) Silero v5 (silero.ts, one shared session) runs only while the
// gate is open (plus a hold, and while an episode is going on), warmed up on the 3 windows before the opening;
// a silent line or pure echo costs no inference. (3) decision.ts turns per-window evidence into yield / commit /
// resume events. Windows are processed strictly in order per stream; inference is awaited, so events come a
// little after the audio that caused them (detectedAt is the host clock then). If the model cannot load, the
// detector reports it once (onError) and decides from the energy detector alone (Vad's voiced onset, per-frame
// loudness, the same echo guard and decision rules): the documented fallback.
import { DEFAULT_VAD, Vad, type VadOptions } from '../vad';
import { BargeInDecider, DEFAULT_DECISION, type Decision, type DecisionOptions, type WindowEvidence } from './decision';
import { EchoGuard, type EchoOptions } from './echo';
import { FRAME, Framer } from './frames';
import { loadSilero, SILERO_INPUT, SileroState, type SileroModel } from './silero';
import type { BargeInDetector, DetectorEvent } from './types';

export type { BargeInDetector, DetectorEvent } from './types';

export interface BargeInOptions {
  onEvent(e: DetectorEvent): void;
  /** BARGE_IN_MIN_SPEECH_MS: caller speech needed before speech-confirmed. */
  minSpeechMs: number;
  /** The model (default: the process's shared Silero session); null = energy only. */
  model?: SileroModel | Promise<SileroModel> | null;
  /** The model failed to load or run: the detector continues on the energy fallback. */
  onError?(err: Error): void;
  /** Host clock for detectedAt (default Date.now). Tests drive it from sample positions. */
  now?(): number;
  /** Compare inbound with the outbound reference (default true). */
  echoGuard?: boolean;
  decision?: Partial<Omit<DecisionOptions, 'minSpeechMs'>>;
  echo?: Partial<EchoOptions>;
  gate?: Partial<VadOptions>;
  /** Keep the model running this long after the gate's last open frame (ms). */
  holdMs?: number;
}

export interface BargeInDetectorHandle extends BargeInDetector {
  /** Resolves once every window received so far has been decided (tests, benchmarks). */
  idle(): Promise<void>;
  readonly mode: 'silero' | 'energy' | 'loading';
  readonly stats: { windows: number; inferred: number; warmup: number; frames: number; gateOpen: number };
  /** For diagnostics: the echo guard's current estimate. */
  readonly echoGuard: EchoGuard;
}

/** The gate is the energy detector with a lower margin than as a detector of its own: the model decides. */
const GATE: Partial<VadOptions> = { marginDb: 9 };
const PREROLL = 3;
const FRAMES_KEPT = 4;

type Task = { infer: Float32Array | null; warm: Float32Array[]; ev: WindowEvidence };

export function createBargeInDetector(opts: BargeInOptions): BargeInDetectorHandle {
  return new CascadeDetector(opts);
}

class CascadeDetector implements BargeInDetectorHandle {
  mode: 'silero' | 'energy' | 'loading';
  readonly stats = { windows: 0, inferred: 0, warmup: 0, frames: 0, gateOpen: 0 };
  readonly echoGuard: EchoGuard;
  private model: SileroModel | null = null;
  private readonly modelReady: Promise<void> | null = null;
  private readonly gate: Vad;
  private readonly framer: Framer;
  private readonly decider: BargeInDecider;
  private readonly fallback: BargeInDecider;
  private readonly state = new SileroState();
  private readonly now: () => number;
  private readonly useEcho: boolean;
  private readonly holdMs: number;
  /** host = media + offset (the smallest arrival delay seen, relaxing slowly). */
  private offset = NaN;
  /** Media end of the last frame that opened the gate. */
  private lastOpenEnd = -Infinity;
  /** The last FRAMES_KEPT frames: start (media ms), open, echo-explained (a ring, no allocation per frame). */
  private readonly frameStart = new Float64Array(FRAMES_KEPT);
  private readonly frameOpen = new Uint8Array(FRAMES_KEPT);
  private readonly frameEcho = new Uint8Array(FRAMES_KEPT);
  private frameCount = 0;
  /** The last PREROLL windows (copies, for the model's warm-up when the gate opens), ring. */
  private readonly recentWindows = Array.from({ length: PREROLL }, () => new Float32Array(SILERO_INPUT));
  private windowCount = 0;
  private running = false;
  private queue: Task[] = [];
  private pumping: Promise<void> | null = null;
  private closed = false;
  private reported = false;

  constructor(private readonly opts: BargeInOptions) {
    this.now = opts.now ?? Date.now;
    this.useEcho = opts.echoGuard ?? true;
    this.holdMs = opts.holdMs ?? 200;
    this.gate = new Vad({ ...DEFAULT_VAD, ...GATE, ...opts.gate });
    this.echoGuard = new EchoGuard(opts.echo);
    this.decider = new BargeInDecider({ ...DEFAULT_DECISION, ...opts.decision, minSpeechMs: opts.minSpeechMs });
    this.fallback = new BargeInDecider({ ...DEFAULT_DECISION, ...opts.decision, minSpeechMs: opts.minSpeechMs, startMs: 20, endHangMs: 100 });
    this.framer = new Framer({ frame: (m, s, rms) => this.onFrame(m, s, rms), window: (w, s) => this.onWindow(w, s) });
    const model = opts.model === undefined ? loadSilero() : opts.model;
    if (model === null) this.mode = 'energy';
    else if (model instanceof Promise) {
      this.mode = 'loading';
      this.modelReady = model.then(
        (m) => {
          this.model = m;
          if (this.mode === 'loading') this.mode = 'silero';
        },
        (err: unknown) => this.fail(err),
      );
    } else {
      this.model = model;
      this.mode = 'silero';
    }
  }

  inbound(mulaw: Uint8Array, mediaMs: number, at: number): void {
    if (this.closed) return;
    const offset = at - (mediaMs + mulaw.length / 8);
    this.offset = Number.isNaN(this.offset) || offset < this.offset ? offset : this.offset + (offset - this.offset) * 0.01;
    this.framer.push(mulaw, mediaMs);
  }

  outbound(mulaw: Uint8Array, playAt: number): void {
    if (!this.closed && this.useEcho) this.echoGuard.outbound(mulaw, playAt);
  }

  cleared(at: number): void {
    if (!this.closed && this.useEcho) this.echoGuard.cleared(at);
  }

  close(): void {
    this.closed = true;
    this.queue = [];
  }

  idle(): Promise<void> {
    return this.pumping ?? Promise.resolve();
  }

  private onFrame(mulaw: Uint8Array, startMs: number, rms: number): void {
    this.stats.frames++;
    this.gate.push(mulaw, startMs);
    const loud = this.gate.lastLoud;
    const caller = this.useEcho ? this.echoGuard.inbound(startMs + this.offset, rms) : true;
    const open = loud && caller;
    if (open) {
      this.lastOpenEnd = startMs + FRAME / 8;
      this.stats.gateOpen++;
    }
    const k = this.frameCount++ % FRAMES_KEPT;
    this.frameStart[k] = startMs;
    this.frameOpen[k] = open ? 1 : 0;
    this.frameEcho[k] = loud && !caller ? 1 : 0;
    if (this.mode === 'energy') this.enqueue({ infer: null, warm: [], ev: { startMs, endMs: startMs + 20, p: this.gate.speaking && loud ? 1 : 0, caller, echo: loud && !caller } });
  }

  private onWindow(input: Float32Array, startMs: number): void {
    this.stats.windows++;
    const endMs = startMs + 32;
    let caller = false;
    let echo = false;
    for (let j = 0; j < Math.min(FRAMES_KEPT, this.frameCount); j++) {
      const f = this.frameStart[j]!;
      if (f >= endMs || f + 20 <= startMs) continue;
      if (this.frameOpen[j]) caller = true;
      else if (this.frameEcho[j]) echo = true;
    }
    if (caller) echo = false;
    const busy = this.decider.state !== 'idle';
    const gateOn = caller || busy || startMs < this.lastOpenEnd + this.holdMs;
    const ev: WindowEvidence = { startMs, endMs, p: null, caller, echo };
    if (this.mode !== 'energy') {
      if (gateOn) {
        const warm: Float32Array[] = [];
        if (!this.running) {
          for (let j = Math.max(0, this.windowCount - PREROLL); j < this.windowCount; j++) warm.push(this.recentWindows[j % PREROLL]!.slice());
        }
        this.running = true;
        this.enqueue({ infer: input.slice(), warm, ev });
      } else {
        this.running = false;
        this.enqueue({ infer: null, warm: [], ev });
      }
    }
    this.recentWindows[this.windowCount++ % PREROLL]!.set(input);
  }

  private enqueue(task: Task): void {
    if (!this.pumping && task.infer === null && this.mode !== 'loading') return this.decide(task.ev);
    this.queue.push(task);
    this.pumping ??= this.pump();
  }

  private async pump(): Promise<void> {
    await undefined; // `pumping` is set before this can finish
    try {
      while (this.queue.length && !this.closed) {
        const task = this.queue.shift()!;
        if (task.infer) {
          if (this.modelReady) await this.modelReady;
          if (this.model && this.mode === 'silero') {
            try {
              if (task.warm.length) this.state.reset();
              for (const w of task.warm) {
                await this.model.infer(this.state, w);
                this.stats.warmup++;
              }
              task.ev.p = await this.model.infer(this.state, task.infer);
              this.stats.inferred++;
            } catch (err) {
              this.fail(err);
              // the model's episode cannot go on: end it, so a paused bot resumes (the fallback takes over)
              const end = this.decider.abort(task.ev.endMs);
              if (end && !this.closed) this.emit(end);
            }
          }
        }
        if (!this.closed && this.mode !== 'energy') this.decide(task.ev);
        else if (!this.closed && task.infer === null) this.decide(task.ev);
      }
    } finally {
      this.pumping = null;
    }
  }

  private decide(ev: WindowEvidence): void {
    const d = (this.mode === 'energy' ? this.fallback : this.decider).step(ev);
    this.echoGuard.frozen = (this.mode === 'energy' ? this.fallback : this.decider).state !== 'idle';
    if (d) this.emit(d);
  }

  private emit(d: Decision): void {
    const host = (ms: number) => ms + (Number.isNaN(this.offset) ? 0 : this.offset);
    const detectedAt = Math.max(this.now(), host(d.decidedMs));
    const onsetAt = host(d.onsetMs);
    const e: DetectorEvent =
      d.type === 'start'
        ? { type: 'speech-start', onsetAt, detectedAt, probability: d.p }
        : d.type === 'confirmed'
          ? { type: 'speech-confirmed', onsetAt, speechMs: d.speechMs, probability: d.p, detectedAt }
          : { type: 'speech-end', onsetAt, durationMs: d.durationMs, verdict: d.verdict, detectedAt };
    this.opts.onEvent(e);
  }

  private fail(err: unknown): void {
    this.mode = 'energy';
    this.model = null;
    if (this.reported) return;
    this.reported = true;
    this.opts.onError?.(err instanceof Error ? err : new Error(String(err)));
  }
}
