// Scenario results -> the numbers the bench reports. Pure: takes what the processes returned.
import type { JobRecord } from '../procs/cloud';
import { concat, summarize, type Summary } from './stats';
import type { StreamResult } from './twilio-stream';

export interface PacingNumbers {
  streams: number;
  beyondLead: Summary;
  grid: Summary;
  maxLead: Summary;
  underrunsPerStream: Summary;
  underrunsTotal: number;
  streamsWithUnderrun: number;
  exact: number;
  checked: number;
  notExact: string[];
  protocolErrors: string[];
  /** Streams that never got audio. */
  silent: number;
}

export function pacingNumbers(streams: StreamResult[]): PacingNumbers {
  const heard = streams.filter((s) => s.firstMediaAt !== null);
  const underruns = heard.map((s) => s.playout.underruns);
  const checked = streams.filter((s) => s.exact !== null);
  return {
    streams: streams.length,
    beyondLead: summarize(concat(heard.map((s) => s.playout.beyondLead))),
    grid: summarize(concat(heard.map((s) => s.playout.lateness))),
    maxLead: summarize(heard.map((s) => s.playout.maxLeadMs)),
    underrunsPerStream: summarize(underruns),
    underrunsTotal: underruns.reduce((a, b) => a + b, 0),
    streamsWithUnderrun: underruns.filter((u) => u > 0).length,
    exact: checked.filter((s) => s.exact).length,
    checked: checked.length,
    notExact: checked.filter((s) => !s.exact).slice(0, 3).map((s) => `${s.streamSid.slice(0, 10)}…: ${s.exactNote} (${s.playout.bytes} bytes, close ${s.closeCode})`),
    protocolErrors: [...new Set(streams.flatMap((s) => s.protocolErrors))].slice(0, 5),
    silent: streams.length - heard.length,
  };
}

/**
 * Parts that landed after Twilio needed them (the stream's first frame + the audio before the part): gaps
 * the TTS service caused, not the host. Counted per scenario so underruns can be attributed.
 */
export function lateParts(streams: StreamResult[], jobs: JobRecord[]): { late: number; parts: number; streams: number } {
  const bySid = new Map(jobs.map((j) => [j.streamSid, j]));
  let late = 0;
  let parts = 0;
  const lateStreams = new Set<string>();
  for (const s of streams) {
    const job = bySid.get(s.streamSid);
    if (!job || s.firstMediaAt === null) continue;
    let before = 0;
    job.partBytes.forEach((bytes, n) => {
      const landed = job.landedAt[n];
      if (landed !== undefined) {
        parts++;
        if (n > 0 && landed > s.firstMediaAt! + before / 8) {
          late++;
          lateStreams.add(s.streamSid);
        }
      }
      before += bytes;
    });
  }
  return { late, parts, streams: lateStreams.size };
}

export interface FirstAudioNumbers {
  /** Part 0 landed in the store -> first media frame at the Twilio side, ms, one per job. */
  ttfa: Summary;
  /** ttfa, first half: part 0 landed -> the poll GET that found it reached the store (the polling schedule's wait). */
  discovery: Summary;
  /** ttfa, second half: that GET reached the store -> first media frame at the Twilio side (the host's own work). */
  overhead: Summary;
  /** GETs of part 0 per second while the stream waited for it, one per job. */
  s3PerWaitingSecond: Summary;
  /** Job POST -> first media frame (what a caller hears, TTS synthesis included), ms. */
  postToAudio: Summary;
  matched: number;
  unmatched: number;
}

export function firstAudioNumbers(streams: StreamResult[], jobs: JobRecord[]): FirstAudioNumbers {
  const bySid = new Map(jobs.map((j) => [j.streamSid, j]));
  const ttfa: number[] = [];
  const s3: number[] = [];
  const post: number[] = [];
  const discovery: number[] = [];
  const overhead: number[] = [];
  let unmatched = 0;
  for (const s of streams) {
    const job = bySid.get(s.streamSid);
    const landed = job?.landedAt[0];
    if (!job || landed === undefined || s.firstMediaAt === null) {
      unmatched++;
      continue;
    }
    ttfa.push(s.firstMediaAt - landed);
    post.push(s.firstMediaAt - job.postedAt);
    if (job.part0FoundAt !== undefined) {
      discovery.push(job.part0FoundAt - landed);
      overhead.push(s.firstMediaAt - job.part0FoundAt);
    }
    const waitedS = (landed - job.postedAt) / 1000;
    if (waitedS > 0) s3.push(job.part0MissesBeforeLanding / waitedS);
  }
  return { ttfa: summarize(ttfa), discovery: summarize(discovery), overhead: summarize(overhead), s3PerWaitingSecond: summarize(s3), postToAudio: summarize(post), matched: ttfa.length, unmatched };
}

export interface BargeInNumbers {
  /** Speech onset (captured at the Twilio side) -> clear received, ms. */
  latency: Summary;
  streams: number;
  /** Streams where speech was sent and a clear came. */
  detected: number;
  /** Clears on streams whose injected audio had no speech, or before the speech was sent. */
  falseTriggers: number;
  missed: number;
}

export function bargeInNumbers(streams: StreamResult[], hasSpeech: (s: StreamResult, i: number) => boolean): BargeInNumbers {
  const latency: number[] = [];
  let detected = 0;
  let falseTriggers = 0;
  let missed = 0;
  streams.forEach((s, i) => {
    const speech = hasSpeech(s, i);
    const sentFrom = s.speechSentFrom ?? Infinity;
    const early = s.clearAt.filter((t) => t < sentFrom);
    falseTriggers += early.length;
    const after = s.clearAt.filter((t) => t >= sentFrom);
    if (!speech) {
      falseTriggers += after.length;
      return;
    }
    if (after.length && s.speechOnsetAt !== null) {
      detected++;
      latency.push(after[0] - s.speechOnsetAt);
    } else missed++;
  });
  return { latency: summarize(latency), streams: streams.length, detected, falseTriggers, missed };
}
