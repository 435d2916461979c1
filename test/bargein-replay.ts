// Offline replay of the barge-in fixtures (src/main/media/fixtures/bargein/) through a detector, driven by sample
// positions (no wall clock): inbound 20 ms frames arrive at the host at the end of their 20 ms; the bot's reply
// (the outbound reference) is handed over 100 ms before it plays, in 100 ms batches, as the pacer does. Each
// inbound frame is awaited (inference included) before the next, so results are deterministic. The fixture is
// replayed as recorded: the bot's echo in it does not stop when the detector would pause the bot (the media-server
// integration does that); pause lengths come from the detector's own start/end times.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createBargeInDetector, type BargeInOptions } from '../src/main/media/bargein/detector';
import type { DetectorEvent } from '../src/main/media/bargein/types';
import { parseWav } from '../src/main/tts/wav';

export const FIXTURES = fileURLToPath(new URL('../src/main/media/fixtures/bargein/', import.meta.url));
export const HOST_BASE = 1_000_000;
const LEAD_MS = 100;
const BATCH = 800;

export interface FixtureTruth {
  name: string;
  file: string;
  interruption: boolean;
  kind: string;
  onsetMs: number | null;
  soundMs: number | null;
  outboundAtMs: number;
  echo: { delayMs: number; levelDb: number } | null;
}

export interface Fixture extends FixtureTruth {
  inbound: Buffer;
  outbound: Buffer;
}

export function loadFixtures(): Fixture[] {
  const manifest = JSON.parse(readFileSync(join(FIXTURES, 'manifest.json'), 'utf8')) as { outbound: string; fixtures: FixtureTruth[] };
  const outbound = Buffer.from(parseWav(readFileSync(join(FIXTURES, manifest.outbound))).data);
  return manifest.fixtures.map((f) => ({ ...f, inbound: Buffer.from(parseWav(readFileSync(join(FIXTURES, f.file))).data), outbound }));
}

/** What one detector did on one fixture, judged against its truth. Times in fixture ms. */
export interface Outcome {
  name: string;
  interruption: boolean;
  events: DetectorEvent[];
  /** A speech-confirmed on a non-interruption (the reply would be cut), or before the onset of an interruption. */
  falseStop: boolean;
  /** Interruption confirmed (at or after its onset). */
  detected: boolean;
  /** Onset -> first speech-start at or after the onset (ms). */
  startLatencyMs: number | null;
  /** Onset -> speech-confirmed (ms). */
  confirmLatencyMs: number | null;
  /** Longest yield (speech-start -> speech-end) that was not the interruption itself (ms). */
  longestPauseMs: number;
  pauses: number;
}

/** Judge a fixture's events. `onset` is the truth onset in host ms. */
export function judge(f: FixtureTruth, events: DetectorEvent[], endAt: number): Outcome {
  const onset = f.onsetMs === null ? null : HOST_BASE + f.onsetMs;
  const real = (at: number) => f.interruption && onset !== null && at >= onset - 60;
  const confirms = events.filter((e) => e.type === 'speech-confirmed');
  // a confirm is the interruption's when it came once the caller was talking
  const realConfirm = (e: DetectorEvent) => f.interruption && onset !== null && (e.detectedAt ?? 0) >= onset;
  const falseStop = confirms.some((e) => !realConfirm(e));
  const confirm = confirms.find(realConfirm);
  const starts = events.filter((e) => e.type === 'speech-start');
  const start = f.interruption ? starts.find((e) => real(e.onsetAt) || (onset !== null && e.detectedAt >= onset)) : undefined;
  let longest = 0;
  let pauses = 0;
  let open: DetectorEvent | null = null;
  for (const e of events) {
    if (e.type === 'speech-start') open = e;
    if (e.type === 'speech-confirmed' && open && realConfirm(e)) open = null; // the interruption itself
    if (e.type === 'speech-end' && open && open.type === 'speech-start') {
      longest = Math.max(longest, (e.detectedAt ?? endAt) - open.detectedAt);
      pauses++;
      open = null;
    }
  }
  if (open && open.type === 'speech-start') {
    longest = Math.max(longest, endAt - open.detectedAt);
    pauses++;
  }
  return {
    name: f.name,
    interruption: f.interruption,
    events,
    falseStop,
    detected: !!confirm,
    startLatencyMs: start && onset !== null ? start.detectedAt - onset : null,
    confirmLatencyMs: confirm && onset !== null && confirm.detectedAt !== undefined ? confirm.detectedAt - onset : null,
    longestPauseMs: longest,
    pauses,
  };
}

export type DetectorOptions = Omit<BargeInOptions, 'onEvent' | 'now'>;

/** Replay one fixture through the cascade detector (options as given). */
export async function replay(f: Fixture, options: DetectorOptions): Promise<Outcome & { inferred: number; windows: number }> {
  const events: DetectorEvent[] = [];
  let now = HOST_BASE;
  const det = createBargeInDetector({ ...options, onEvent: (e) => events.push(e), now: () => now });
  const playStart = HOST_BASE + f.outboundAtMs;
  let sentOut = 0;
  for (let at = 0; at < f.inbound.length; at += 160) {
    now = HOST_BASE + at / 8 + 20;
    while (sentOut < f.outbound.length && playStart + sentOut / 8 - LEAD_MS <= now) {
      det.outbound(f.outbound.subarray(sentOut, sentOut + BATCH), playStart + sentOut / 8);
      sentOut += BATCH;
    }
    det.inbound(f.inbound.subarray(at, at + 160), at / 8, now);
    await det.idle();
  }
  // a second of line silence after the fixture: open episodes end
  for (let at = f.inbound.length; at < f.inbound.length + 8000; at += 160) {
    now = HOST_BASE + at / 8 + 20;
    det.inbound(Buffer.alloc(160, 0xff), at / 8, now);
    await det.idle();
  }
  det.close();
  return { ...judge(f, events, HOST_BASE + f.inbound.length / 8), inferred: det.stats.inferred + det.stats.warmup, windows: det.stats.windows };
}
