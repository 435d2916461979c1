// Barge-in detectors on the fixture set (src/main/media/fixtures/bargein/), offline: each detector replayed on each
// fixture with time driven by sample positions (test/bargein-replay.ts), and the cascade's CPU per stream when N
// streams are fed in real time. Used by bench/suites/bargein.ts and for the table in docs/PIPELINE.md.
import { monitorEventLoopDelay } from 'node:perf_hooks';
import VADBuilder, { VADMode } from '@ozymandiasthegreat/vad';
import { BargeInDecider } from '../../src/main/media/bargein/decision';
import { createBargeInDetector, type BargeInDetectorHandle } from '../../src/main/media/bargein/detector';
import type { SileroModel } from '../../src/main/media/bargein/silero';
import type { DetectorEvent } from '../../src/main/media/bargein/types';
import { Vad } from '../../src/main/media/vad';
import { decodeMulaw } from '../../src/main/tts/mulaw';
import { HOST_BASE, judge, replay, type Fixture, type Outcome } from '../../test/bargein-replay';

export const MIN_SPEECH_MS = 450;

export interface Column {
  key: string;
  label: string;
  /** true: the detector's first speech-start cuts the reply (today's behaviour); false: yield, then commit. */
  interruptsAtStart: boolean;
}

export const COLUMNS: Column[] = [
  { key: 'vad', label: 'energy Vad (today: interrupts at onset)', interruptsAtStart: true },
  { key: 'fvad', label: 'WebRTC VAD mode 3 (80 ms onset, interrupts)', interruptsAtStart: true },
  { key: 'fvad-rules', label: 'WebRTC VAD mode 3 + yield/commit', interruptsAtStart: false },
  { key: 'silero', label: 'Silero alone + yield/commit', interruptsAtStart: false },
  { key: 'cascade-noecho', label: 'cascade, no echo guard', interruptsAtStart: false },
  { key: 'cascade', label: 'cascade + echo guard (new)', interruptsAtStart: false },
];

/** Today's detector: its speech-start is the barge-in (the session clears and cancels at once). */
function runVad(f: Fixture): DetectorEvent[] {
  const vad = new Vad();
  const events: DetectorEvent[] = [];
  for (let at = 0; at < f.inbound.length; at += 160) {
    for (const e of vad.push(f.inbound.subarray(at, at + 160), at / 8)) {
      if (e.type === 'speech-start') events.push({ type: 'speech-start', onsetAt: HOST_BASE + e.onsetAt, detectedAt: HOST_BASE + e.detectedAt });
    }
  }
  return events;
}

type Fvad = Awaited<ReturnType<typeof VADBuilder>>;

/** libfvad per 20 ms frame; `rules`: its frames through the same yield/commit decisions as the cascade, else the
 *  80 ms onset rule of the earlier evaluation (4 voiced frames in a row = barge-in). */
function runFvad(VAD: Fvad, f: Fixture, rules: boolean): DetectorEvent[] {
  const vad = new VAD(VADMode.VERY_AGGRESSIVE, 8000);
  const pcm = decodeMulaw(f.inbound);
  const decider = new BargeInDecider({ minSpeechMs: MIN_SPEECH_MS, startMs: 80, endHangMs: 60 });
  const events: DetectorEvent[] = [];
  let run = 0;
  try {
    for (let at = 0; at + 160 <= pcm.length; at += 160) {
      const voice = vad.processFrame(pcm.slice(at, at + 160)) === 1; // its wrapper copies frame.buffer whole
      const t = at / 8;
      if (!rules) {
        run = voice ? run + 1 : 0;
        if (run === 4) events.push({ type: 'speech-start', onsetAt: HOST_BASE + t - 60, detectedAt: HOST_BASE + t + 20 });
        continue;
      }
      const d = decider.step({ startMs: t, endMs: t + 20, p: voice ? 1 : 0, caller: true });
      if (d?.type === 'start') events.push({ type: 'speech-start', onsetAt: HOST_BASE + d.onsetMs, detectedAt: HOST_BASE + d.decidedMs });
      if (d?.type === 'confirmed') events.push({ type: 'speech-confirmed', onsetAt: HOST_BASE + d.onsetMs, speechMs: d.speechMs, detectedAt: HOST_BASE + d.decidedMs });
      if (d?.type === 'end') events.push({ type: 'speech-end', onsetAt: HOST_BASE + d.onsetMs, durationMs: d.durationMs, verdict: d.verdict, detectedAt: HOST_BASE + d.decidedMs });
    }
  } finally {
    vad.destroy();
  }
  return events;
}

/** A detector that interrupts at its first speech-start: that start is its "confirm". */
function asInterrupting(events: DetectorEvent[]): DetectorEvent[] {
  return events.flatMap((e): DetectorEvent[] => (e.type === 'speech-start' ? [e, { type: 'speech-confirmed', onsetAt: e.onsetAt, speechMs: 0, detectedAt: e.detectedAt }] : [e]));
}

export interface Comparison {
  columns: Column[];
  /** outcomes[fixture][column key] */
  outcomes: Record<string, Record<string, Outcome>>;
  fixtures: Fixture[];
}

export async function compareDetectors(fixtures: Fixture[], model: SileroModel): Promise<Comparison> {
  const VAD = await VADBuilder();
  const outcomes: Comparison['outcomes'] = {};
  const endOf = (f: Fixture) => HOST_BASE + f.inbound.length / 8;
  for (const f of fixtures) {
    const row: Record<string, Outcome> = {};
    row.vad = judge(f, asInterrupting(runVad(f)), endOf(f));
    row.fvad = judge(f, asInterrupting(runFvad(VAD, f, false)), endOf(f));
    row['fvad-rules'] = judge(f, runFvad(VAD, f, true), endOf(f));
    row.silero = await replay(f, { minSpeechMs: MIN_SPEECH_MS, model, echoGuard: false, gate: { absFloorDb: -1000, marginDb: -1000 } });
    row['cascade-noecho'] = await replay(f, { minSpeechMs: MIN_SPEECH_MS, model, echoGuard: false });
    row.cascade = await replay(f, { minSpeechMs: MIN_SPEECH_MS, model });
    outcomes[f.name] = row;
  }
  return { columns: COLUMNS, outcomes, fixtures };
}

function cell(f: Fixture, o: Outcome, c: Column): string {
  if (!f.interruption) {
    if (o.falseStop) return '**false stop**';
    return c.interruptsAtStart || o.pauses === 0 ? 'ok' : `ok (pause ${o.longestPauseMs})`;
  }
  if (o.falseStop && !o.detected) return '**false stop**, missed';
  if (!o.detected) return '**missed**';
  const lat = c.interruptsAtStart ? o.confirmLatencyMs : o.startLatencyMs;
  return `${o.falseStop ? 'early stop, ' : ''}+${lat}${c.interruptsAtStart ? '' : ` / +${o.confirmLatencyMs}`}`;
}

/** Markdown: fixture × detector (false stop / detected with onset latency), plus a totals row. */
export function comparisonTable(cmp: Comparison): string {
  const head = `| fixture (truth) | ${cmp.columns.map((c) => c.label).join(' | ')} |`;
  const sep = `|---|${cmp.columns.map(() => '---').join('|')}|`;
  const rows = cmp.fixtures.map((f) => {
    const truth = f.interruption ? `interruption @${f.onsetMs}` : f.kind;
    return `| ${f.name} (${truth}) | ${cmp.columns.map((c) => cell(f, cmp.outcomes[f.name]![c.key]!, c)).join(' | ')} |`;
  });
  const totals = cmp.columns.map((c) => {
    const all = cmp.fixtures.map((f) => ({ f, o: cmp.outcomes[f.name]![c.key]! }));
    const falseStops = all.filter(({ o }) => o.falseStop).length;
    const yes = all.filter(({ f }) => f.interruption);
    const detected = yes.filter(({ o }) => o.detected).length;
    return `${falseStops} false stops, ${detected}/${yes.length} detected`;
  });
  return [head, sep, ...rows, `| **total** | ${totals.join(' | ')} |`].join('\n');
}

export interface CpuResult {
  streams: number;
  audioS: number;
  /** Process CPU (user + system) per second of audio per stream, ms. */
  cpuMsPerAudioS: number;
  /** ONNX run time per second of audio per stream, ms. */
  modelMsPerAudioS: number;
  usPerWindow: number;
  runsPerStreamS: number;
  windowsPerStreamS: number;
  eventLoopP99Ms: number;
  eventLoopMaxMs: number;
  /** Longest single ONNX run (setImmediate hop included): how long inference holds the media loop at once. */
  maxRunMs: number;
}

/**
 * N detectors (one per stream), each fed a fixture (cycling through the set, looped) one 20 ms frame per stream
 * every 20 ms of wall time, with the bot's reference as it plays, for `seconds`. CPU is the whole process's.
 */
/** CPU µs per window of back-to-back runs at batch sizes 1 and 32 (what one run costs, without the media load).
 *  Process CPU time, not wall time: on a shared machine wall time mostly measures the other processes. */
export async function modelMicro(model: SileroModel, runs = 100): Promise<{ batch1Us: number; batch32Us: number }> {
  const { SileroState } = await import('../../src/main/media/bargein/silero');
  const input = new Float32Array(288).map((_, i) => Math.sin(i / 5) * 0.1);
  const states = Array.from({ length: 32 }, () => new SileroState());
  const time = async (batch: number) => {
    for (let i = 0; i < 5; i++) await Promise.all(states.slice(0, batch).map((s) => model.infer(s, input)));
    const cpu0 = process.cpuUsage();
    for (let i = 0; i < runs; i++) await Promise.all(states.slice(0, batch).map((s) => model.infer(s, input)));
    const cpu = process.cpuUsage(cpu0);
    return (cpu.user + cpu.system) / runs / batch;
  };
  return { batch1Us: await time(1), batch32Us: await time(32) };
}

export async function cpuPerStream(fixtures: Fixture[], model: SileroModel | null, streams: number, seconds: number): Promise<CpuResult> {
  const dets: BargeInDetectorHandle[] = [];
  for (let i = 0; i < streams; i++) dets.push(createBargeInDetector({ minSpeechMs: MIN_SPEECH_MS, model, onEvent: () => undefined }));
  const frames = Math.round((seconds * 1000) / 20);
  const zero = { windows: 0, runs: 0, runMs: 0, maxRunMs: 0 };
  const stats0 = { ...(model?.stats ?? zero) };
  const loop = monitorEventLoopDelay({ resolution: 5 });
  const t0 = performance.now();
  const cpu0 = process.cpuUsage();
  loop.enable();
  for (let k = 0; k < frames; k++) {
    const deadline = t0 + (k + 1) * 20;
    const now = Date.now();
    for (let i = 0; i < streams; i++) {
      // streams start at different points of their fixture (the gates do not all open at once)
      const f = fixtures[i % fixtures.length]!;
      const pos = ((k + i * 7) * 160) % f.inbound.length;
      if (pos % 800 === 0) dets[i]!.outbound(f.outbound.subarray(pos, pos + 800), now - 20);
      dets[i]!.inbound(f.inbound.subarray(pos, pos + 160), k * 20, now);
    }
    const wait = deadline - performance.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
  }
  await Promise.all(dets.map((d) => d.idle()));
  loop.disable();
  const cpu = process.cpuUsage(cpu0);
  for (const d of dets) d.close();
  const audioS = (frames * 20) / 1000;
  const stats1 = model?.stats ?? zero;
  const windows = stats1.windows - stats0.windows;
  const runs = stats1.runs - stats0.runs;
  const runMs = stats1.runMs - stats0.runMs;
  return {
    streams,
    audioS,
    cpuMsPerAudioS: (cpu.user + cpu.system) / 1000 / audioS / streams,
    modelMsPerAudioS: runMs / audioS / streams,
    usPerWindow: windows ? (runMs * 1000) / windows : 0,
    runsPerStreamS: runs / audioS / streams,
    windowsPerStreamS: windows / audioS / streams,
    eventLoopP99Ms: loop.percentile(99) / 1e6,
    eventLoopMaxMs: loop.max / 1e6,
    maxRunMs: stats1.maxRunMs,
  };
}
