// What the host hands the media server as `createDetector` (one call per stream): the cascade detector on the
// process's shared Silero session, loaded once when the factory is made (so the first call does not wait for it).
// If the model cannot load, every stream runs on the energy fallback and the failure is logged once per process.
import { createBargeInDetector, type BargeInDetectorHandle, type BargeInOptions } from './detector';
import { loadSilero, type SileroModel } from './silero';
import type { DetectorEvent } from './types';

export interface DetectorFactoryOptions extends Omit<BargeInOptions, 'onEvent' | 'model' | 'onError'> {
  /** Where the one load / run failure goes (pino-style). */
  log?: { warn(obj: object, msg: string): void };
  /** The model to use (default: the shared Silero session); null = energy detector only. */
  model?: SileroModel | Promise<SileroModel> | null;
  /** Run the shared model on the media thread (default) or in a worker thread (docs/PIPELINE.md, CPU). */
  thread?: 'main' | 'worker';
}

/** Makes one detector per stream; close() ends the model's worker thread, if it has one (the host's stop). */
export interface DetectorFactory {
  (onEvent: (e: DetectorEvent) => void): BargeInDetectorHandle;
  close(): Promise<void>;
  /** Settles once the model has loaded or failed (streams before it run on the energy fallback). */
  ready(): Promise<void>;
}

export function bargeInDetectorFactory(o: DetectorFactoryOptions): DetectorFactory {
  const { log, model: given, thread, ...options } = o;
  const model = given === undefined ? loadSilero(thread === 'worker' ? { thread } : {}) : given;
  let reported = false;
  const onError = (err: Error) => {
    if (reported) return;
    reported = true;
    log?.warn({ err: err.message }, 'barge-in: the Silero model is unavailable; streams use the energy detector');
  };
  if (model instanceof Promise) model.catch((err: unknown) => onError(err instanceof Error ? err : new Error(String(err))));
  const make = (onEvent: (e: DetectorEvent) => void) => createBargeInDetector({ ...options, onEvent, model, onError });
  return Object.assign(make, {
    ready: () => Promise.resolve(model).then(
      () => undefined,
      () => undefined,
    ),
    async close() {
      // a model given by the caller is the caller's to close; the process's shared main-thread session stays
      if (given !== undefined || thread !== 'worker') return;
      const m = await Promise.resolve(model).catch(() => null);
      await m?.close?.();
    },
  });
}

/** The detector the settings ask for: Silero behind the energy gate and the echo guard, or (undefined) the session's
 *  default energy detector alone. */
export function detectorFor(
  s: { BARGE_IN_MODEL: 'silero' | 'energy'; BARGE_IN_MIN_SPEECH_MS: number; BARGE_IN_THREAD: 'main' | 'worker' },
  log: { warn(obj: object, msg: string): void },
): DetectorFactory | undefined {
  if (s.BARGE_IN_MODEL !== 'silero') return undefined;
  return bargeInDetectorFactory({ minSpeechMs: s.BARGE_IN_MIN_SPEECH_MS, log, ...(s.BARGE_IN_THREAD === 'worker' ? { thread: 'worker' as const } : {}) });
}
