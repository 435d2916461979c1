// The barge-in detector of the contract (BargeInDetector) over today's energy Vad (media/vad.ts), until a model-based
// detector replaces it. Yield fast, commit slow: `speech-start` at the Vad's onset (the bot pauses), `speech-confirmed`
// once the sound has lasted minSpeechMs (the reply is interrupted), `speech-end` when it stops ('speech' when it was
// confirmed, otherwise 'backchannel': a 네 / 음, a cough — the reply resumes).
// The Vad's hangover is short here (150 ms): a sound is confirmed when the Vad still hears it minSpeechMs + hangover
// after its onset, which is only possible when loud frames went on for at least minSpeechMs.
// Times: the Vad works in media time; events are mapped to host time from the arrival of the frame that decided them.
import { Vad, type VadOptions } from '../vad';

/** The contract's detector interface (CONTRACT.md; the model-based detector implements the same). */
export interface BargeInDetector {
  inbound(mulaw: Uint8Array, mediaMs: number, at: number): void;
  outbound(mulaw: Uint8Array, playAt: number): void;
  cleared(at: number): void;
  close(): void;
}

export type DetectorEvent =
  | { type: 'speech-start'; onsetAt: number; detectedAt: number; probability?: number }
  | { type: 'speech-confirmed'; onsetAt: number; speechMs: number; probability?: number }
  | { type: 'speech-end'; onsetAt: number; durationMs: number; verdict: 'speech' | 'backchannel' | 'noise' | 'echo' };

export interface EnergyDetectorOptions {
  onEvent(e: DetectorEvent): void;
  minSpeechMs: number;
  vad?: Partial<VadOptions>;
}

const FRAME_MS = 20;
export const ENERGY_HANGOVER_MS = 150;

export function createEnergyDetector(o: EnergyDetectorOptions): BargeInDetector {
  const vad = new Vad({ hangoverMs: ENERGY_HANGOVER_MS, ...o.vad });
  const hangover = vad.options.hangoverMs;
  let onsetMedia: number | null = null;
  let onsetHost = 0;
  let confirmed = false;
  let closed = false;
  return {
    inbound(mulaw, mediaMs, at) {
      if (closed) return;
      const media = Number.isFinite(mediaMs) ? mediaMs : 0;
      // host time of media time m: the frame [media, media + 20) arrived at `at`
      const host = (m: number) => at - (media + FRAME_MS - m);
      const buf = Buffer.from(mulaw.buffer, mulaw.byteOffset, mulaw.byteLength);
      for (const e of vad.push(buf, media)) {
        if (e.type === 'speech-start') {
          onsetMedia = e.onsetAt;
          onsetHost = host(e.onsetAt);
          confirmed = false;
          o.onEvent({ type: 'speech-start', onsetAt: onsetHost, detectedAt: host(e.detectedAt) });
        } else {
          const verdict = confirmed || e.durationMs >= o.minSpeechMs ? 'speech' : 'backchannel';
          onsetMedia = null;
          o.onEvent({ type: 'speech-end', onsetAt: onsetHost, durationMs: e.durationMs, verdict });
        }
      }
      if (onsetMedia !== null && !confirmed && vad.speaking && media + FRAME_MS - onsetMedia >= o.minSpeechMs + hangover) {
        confirmed = true;
        o.onEvent({ type: 'speech-confirmed', onsetAt: onsetHost, speechMs: o.minSpeechMs });
      }
    },
    outbound() {
      // the energy detector has no echo model: the bot's own audio is not used
    },
    cleared() {},
    close() {
      closed = true;
    },
  };
}
