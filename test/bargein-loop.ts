// Closed-loop barge-in simulation, sample-driven: a session that yields / commits / resumes on the detector's events,
// a modelled Twilio buffer that plays what was sent (and drops what a clear discards), and a caller's phone whose
// microphone picks up what it played (the echo: delay, gain) on top of the caller's own sound. Unlike the fixture
// replay, the echo here stops when the bot pauses and comes back when it resumes, as on a speakerphone.
import { createBargeInDetector, type BargeInOptions } from '../src/main/media/bargein/detector';
import type { DetectorEvent } from '../src/main/media/bargein/types';
import { decodeMulaw, encodeMulaw } from '../src/main/tts/mulaw';

export interface LoopOptions {
  /** The bot's reply (mu-law). */
  reply: Buffer;
  /** The caller's own sound (mu-law, inbound from t = 0; no echo in it). */
  caller: Buffer;
  echo: { delayMs: number; gainDb: number } | null;
  detector: Omit<BargeInOptions, 'onEvent' | 'now'>;
  /** Frames queued at Twilio ahead of playback. */
  leadMs?: number;
}

export interface LoopResult {
  events: DetectorEvent[];
  /** The reply's bytes in the order the caller heard them (nothing lost or repeated when equal to the reply). */
  heard: Buffer;
  pauses: Array<{ at: number; ms: number }>;
  interruptedAt: number | null;
}

const FRAME = 160;

export async function runLoop(o: LoopOptions): Promise<LoopResult> {
  const lead = o.leadMs ?? 100;
  const events: DetectorEvent[] = [];
  const pending: DetectorEvent[] = [];
  let now = 0;
  let paused = false;
  let pausedAt = 0;
  let interruptedAt: number | null = null;
  const pauses: LoopResult['pauses'] = [];
  const det = createBargeInDetector({ ...o.detector, now: () => now, onEvent: (e) => {
    events.push(e);
    pending.push(e);
  } });
  /** Frames sent and not yet played: [reply frame index, playAt]. */
  let queue: Array<[number, number]> = [];
  let next = 0; // next reply frame to send
  let clockAt = 0; // when the next sent frame will play
  const played: number[] = []; // reply frame index per 20 ms of caller time, -1 = silence
  const frames = Math.ceil(o.reply.length / FRAME);
  const replyPcm = decodeMulaw(o.reply);
  const callerPcm = decodeMulaw(o.caller);
  const gain = o.echo ? 10 ** (o.echo.gainDb / 20) : 0;
  const delayFrames = o.echo ? Math.round(o.echo.delayMs / 20) : 0;
  const total = Math.ceil(o.caller.length / FRAME);

  for (let k = 0; k < total; k++) {
    now = k * 20;
    // the session: yield / commit / resume on what the detector said since the last frame
    for (const e of pending.splice(0)) {
      if (e.type === 'speech-start' && !paused && interruptedAt === null && next < frames) {
        paused = true;
        pausedAt = now;
        det.cleared(now);
        next = queue.length ? queue[0]![0] : next; // what was queued is put back
        queue = [];
      } else if (e.type === 'speech-confirmed' && interruptedAt === null) {
        interruptedAt = now;
        queue = [];
        det.cleared(now);
      } else if (e.type === 'speech-end' && paused && interruptedAt === null) {
        paused = false;
        pauses.push({ at: pausedAt, ms: now - pausedAt });
      }
    }
    // the pacer: keep `lead` queued at Twilio
    if (!paused && interruptedAt === null) {
      if (!queue.length) clockAt = now;
      while (next < frames && clockAt - now < lead) {
        queue.push([next, clockAt]);
        det.outbound(o.reply.subarray(next * FRAME, (next + 1) * FRAME), clockAt);
        next++;
        clockAt += 20;
      }
    }
    // Twilio plays one frame per 20 ms
    const head = queue[0];
    if (head && head[1] <= now) {
      played.push(head[0]);
      queue.shift();
    } else played.push(-1);
    // the caller's phone: its own sound + the echo of what it played delayFrames ago
    const pcm = new Int16Array(FRAME);
    const echoFrame = k - delayFrames >= 0 ? played[k - delayFrames]! : -1;
    for (let i = 0; i < FRAME; i++) {
      const c = callerPcm[k * FRAME + i] ?? 0;
      const e = echoFrame >= 0 ? (replyPcm[echoFrame * FRAME + i] ?? 0) * gain : 0;
      pcm[i] = Math.max(-32768, Math.min(32767, Math.round(c + e)));
    }
    now = k * 20 + 20; // the frame reaches the host at its end
    det.inbound(encodeMulaw(pcm), k * 20, now);
    await det.idle();
  }
  det.close();
  const heard = Buffer.concat(played.filter((i) => i >= 0).map((i) => o.reply.subarray(i * FRAME, (i + 1) * FRAME)));
  return { events, heard, pauses, interruptedAt };
}
