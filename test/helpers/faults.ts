// Shared by the fault tests (test/faults-*.test.ts): one s3rver per file, a fault proxy in front of it, the media rig
// (TTS stand-in → s3rver ← proxy ← pipeline → media server ⇄ TwilioMediaClient), and the checks every fault shares:
// what the caller heard (byte-exact, no garbage), what the operator saw (on the right call), and that nothing is left
// running (no stream in the pacer, no socket, no S3 GET after the call ended, no stalled request held).
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, expect } from 'vitest';
import type { CallEvent } from '../../src/shared/model';
import type { MediaClientOptions, TwilioMediaClient } from '../../src/main/sim/media-client';
import type { TtsStandInOptions } from '../../src/main/sim/tts-standin';
import { loadApologyAudio } from '../../src/main/tts/apology';
import { parseWav } from '../../src/main/tts/wav';
import { startMediaRig, until, type MediaRig } from '../media-rig';
import { startFaultProxy, type Fault, type FaultProxy } from './fault-proxy';
import { useS3rver } from './s3rver';

const RES = join(__dirname, '../../resources/audio');
const manifest = JSON.parse(readFileSync(join(RES, 'greeting-parts/manifest.json'), 'utf8')) as { parts: Array<{ part: number }> };
const greeting = Buffer.concat(manifest.parts.map((p) => Buffer.from(parseWav(readFileSync(join(RES, `greeting-parts/part${p.part}.wav`))).data)));
/** 3.6 s: three 1.2 s parts from the stand-in. */
export const REPLY = greeting.subarray(0, 28_800);
export const APOLOGY = loadApologyAudio();

export const newCallSid = () => `CA${randomBytes(16).toString('hex')}`;

/** Fast budgets so each fault ends within a few seconds. */
export const FAULT_SETTINGS = {
  JOB_IDLE_TIMEOUT_MS: '1500',
  S3_REQUEST_TIMEOUT_MS: '300',
  TTS_TIMEOUT_MS: '500',
  END_MARK_SLACK_MS: '600',
};

export interface Caller {
  client: TwilioMediaClient;
  callSid: string;
  /** Every media frame as it arrived (epoch ms). */
  frames: Array<{ at: number; bytes: Buffer }>;
  out(): Buffer;
  events(): CallEvent[];
  /** The call as the operator's console shows it (alerts included). */
  alerts(): Array<{ kind: string; message: string }>;
  ofType<T extends CallEvent['type']>(type: T): Array<Extract<CallEvent, { type: T }>>;
}

export interface FaultRig {
  rig: MediaRig;
  proxy: FaultProxy;
  /** The proxy's decision for a GET of `path`, given the callSid of the job the key belongs to. */
  call(options?: Partial<MediaClientOptions>): Promise<Caller>;
  /** The call whose job owns this S3 path (by the stand-in's job ids). */
  callOfPath(path: string): string | undefined;
}

/** One s3rver per file; one proxy + rig per test, stopped after it. Call at the top level of a test file. */
export function useFaultRig(): (o: { fault?: (path: string, callSid: string | undefined) => Fault; settings?: Record<string, string>; standIn?: Partial<TtsStandInOptions> }) => Promise<FaultRig> {
  const suite = useS3rver();
  let current: { rig: MediaRig; proxy: FaultProxy } | null = null;
  afterEach(async () => {
    if (!current) return;
    await current.rig.stop();
    await current.proxy.stop();
    current = null;
  });
  return async (o) => {
    let rigRef: MediaRig | null = null;
    const callOfPath = (path: string) => {
      for (const job of rigRef?.standIn.jobs.values() ?? []) if (path.includes(`/${job.jobId}/`)) return job.callSid;
      return undefined;
    };
    const { s3, client: s3Client } = suite;
    const proxy = await startFaultProxy(s3.endpoint, ({ path }) => (o.fault ? o.fault(path, callOfPath(path)) : 'pass'));
    const rig = await startMediaRig({ s3, s3Client, audio: REPLY, settings: { ...FAULT_SETTINGS, S3_ENDPOINT: proxy.url, ...o.settings }, standIn: { firstPartDelayMs: 150, partIntervalMs: 400, ...o.standIn } });
    rigRef = rig;
    current = { rig, proxy };
    return {
      rig,
      proxy,
      callOfPath,
      async call(options = {}) {
        const callSid = options.callSid ?? newCallSid();
        const client = await rig.connect({ ...options, callSid });
        const frames: Caller['frames'] = [];
        client.on('media', (bytes: Buffer, at: number) => frames.push({ at, bytes }));
        const events = () => rig.registry.eventsOf(callSid);
        return {
          client,
          callSid,
          frames,
          out: () => Buffer.concat(frames.map((f) => f.bytes)),
          events,
          alerts: () => (rig.registry.get(callSid)?.alerts ?? []).map((a) => ({ kind: a.kind, message: a.message })),
          ofType: <T extends CallEvent['type']>(type: T) => events().filter((e): e is Extract<CallEvent, { type: T }> => e.type === type),
        };
      },
    };
  };
}

/** The whole reply, byte for byte, then only the 0xFF padding of the last frame. */
export function expectWholeReply(c: Caller, audio = REPLY): void {
  const out = c.out();
  expect(out.length - audio.length).toBeGreaterThanOrEqual(0);
  expect(out.length - audio.length).toBeLessThan(160);
  expect(Buffer.compare(out.subarray(0, audio.length), audio)).toBe(0);
  expect([...out.subarray(audio.length)].every((b) => b === 0xff)).toBe(true);
  expect(c.ofType('tts.job').map((e) => e.status)).toEqual(['started', 'done']);
  // nothing about TTS or the stream. An underrun (a gap in time, never in bytes: those are checked above) is the shared
  // 2-core machine's load — the event loop or the poller's timers held up — not the fault under test
  expect(c.alerts().filter((a) => a.kind !== 'underrun')).toEqual([]);
}

/**
 * No garbage: the parts that came (exactly), then the apology clip (exactly), then only padding. Returns the byte
 * offset where the apology starts.
 */
export function expectPartsThenApology(c: Caller, audio = REPLY): number {
  const heard = c.ofType('tts.part').filter((e) => !e.part.flags.some((f) => f.startsWith('not-sent')));
  const k = heard.reduce((n, e) => n + e.part.bytes, 0);
  const out = c.out();
  expect(Buffer.compare(out.subarray(0, k), audio.subarray(0, k))).toBe(0);
  expect(Buffer.compare(out.subarray(k, k + APOLOGY.length), APOLOGY)).toBe(0);
  expect(out.length - k - APOLOGY.length).toBeLessThan(160);
  expect([...out.subarray(k + APOLOGY.length)].every((b) => b === 0xff)).toBe(true);
  return k;
}

/** When the frame holding byte `offset` of the call's audio arrived at the caller. */
export function arrivalOf(c: Caller, offset: number): number {
  let n = 0;
  for (const f of c.frames) {
    n += f.bytes.length;
    if (n > offset) return f.at;
  }
  throw new Error(`byte ${offset} never arrived (${n} bytes heard)`);
}

/** The failure the operator sees on this call: tts.job failed in words, a tts_error alert with the same words. */
export function failureOf(c: Caller): { at: number; error: string } {
  const failed = c.ofType('tts.job').filter((e) => e.status === 'failed');
  expect(failed).toHaveLength(1);
  expect(c.alerts().filter((a) => a.kind === 'tts_error')).toEqual([{ kind: 'tts_error', message: failed[0]!.error }]);
  // a reply that broke off mid-way also left a gap the caller heard before the apology: that underrun is true too
  expect(c.alerts().every((a) => a.kind === 'tts_error' || a.kind === 'underrun')).toBe(true);
  return { at: failed[0]!.at, error: failed[0]!.error! };
}

/** Both calls over, and nothing left running: no paced stream, no socket, no held request, no S3 GET afterwards. */
export async function expectNothingLeft(f: FaultRig): Promise<void> {
  await until(() => f.rig.pacer.size === 0 && f.rig.media.activeStreams() === 0, 'every stream to end');
  await until(() => f.proxy.held === 0, 'stalled S3 requests to be released');
  const gets = f.rig.s3Gets.length;
  await new Promise((r) => setTimeout(r, 400));
  expect(f.rig.s3Gets.length).toBe(gets);
}
