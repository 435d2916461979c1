// Real-Time Transcription as the simulated Twilio runs it (`<Start><Transcription>`): for what the scripted caller
// says, signed form-encoded events to statusCallbackUrl, shaped like captured Twilio traffic.
//
// Model: one transcription per <Start>, with a GT… sid and a SequenceId that increases per event.
// `transcription-started` once; for each utterance, with partialResults, one `transcription-content` partial per
// word as it is said (growing text, Final=false, rising Stability), then the final (Final=true, a confidence) an
// end-pointing delay of 0.6-0.9 s after the caller stops; `transcription-stopped` once, on <Stop><Transcription>
// or when the call ends (pending partials and finals are dropped then). Now and then an event is posted twice
// with the same SequenceId, as Twilio does when it retries a callback it thinks failed, so the host's dedupe runs.
// The demo cannot recognise speech: the text is the scenario's script, word for word.
import { randomSid } from '../../sim/webhook-client';
import type { StartTranscriptionVerb } from './twiml';
import type { Params, Webhook } from './types';

/** How long after the caller stops the final arrives (Twilio's engines end-point on ~0.5-0.8 s of silence). */
export const FINAL_DELAY_MS: readonly [number, number] = [600, 900];
/** A partial reaches the host this long after the word was said. */
export const PARTIAL_LAG_MS = 250;

export interface Utterance {
  text: string;
  confidence: number;
  /** How long the caller talks, in call time. */
  speechMs: number;
}

export interface TranscriptionDeps {
  callSid: string;
  accountSid: string;
  verb: StartTranscriptionVerb;
  now(): number;
  /** Waits `ms` (call time); rejects when `signal` aborts. */
  sleep(ms: number, signal: AbortSignal): Promise<void>;
  /** Delivers one callback, in order after the ones before it. */
  post(hook: Webhook): void;
  /** Work the call waits for before it ends. */
  track(p: Promise<unknown>): void;
  random(): number;
  /** Share of events posted twice (a retry); 0 never. */
  duplicateRate: number;
}

export class SimTranscription {
  readonly transcriptionSid = randomSid('GT');
  private sequence = 0;
  private stopped = false;
  private readonly life = new AbortController();

  constructor(private readonly d: TranscriptionDeps) {
    this.emit('transcription-started', {});
  }

  get name(): string | undefined {
    return this.d.verb.name;
  }

  get active(): boolean {
    return !this.stopped;
  }

  /** The caller says `u` starting now. */
  hear(u: Utterance): void {
    if (this.stopped || this.d.verb.track === 'outbound_track') return;
    const words = u.text.split(/\s+/).filter(Boolean);
    if (words.length === 0) return;
    const total = words.reduce((n, w) => n + w.length, 0);
    const [lo, hi] = FINAL_DELAY_MS;
    const finalAt = u.speechMs + lo + Math.round(this.d.random() * (hi - lo));
    const steps: Array<{ at: number; params: Params }> = [];
    if (this.d.verb.partialResults) {
      let said = 0;
      words.forEach((w, i) => {
        said += w.length;
        const at = Math.min(Math.round((said / total) * u.speechMs) + PARTIAL_LAG_MS, finalAt - 1);
        const stability = Math.round((0.3 + (0.6 * (i + 1)) / words.length) * 100) / 100;
        steps.push({ at, params: this.content(words.slice(0, i + 1).join(' '), false, { Stability: String(stability) }) });
      });
    }
    steps.push({ at: finalAt, params: this.content(u.text, true, {}, u.confidence) });
    const signal = this.life.signal;
    const started = this.d.now();
    const run = async () => {
      for (const s of steps) {
        await this.d.sleep(Math.max(0, started + s.at - this.d.now()), signal);
        this.emit('transcription-content', s.params);
      }
    };
    this.d.track(run().catch(() => undefined));
  }

  /** <Stop><Transcription> or the end of the call: what was not posted yet is dropped; `stopped` goes once. */
  stop(): void {
    if (this.stopped) return;
    this.life.abort();
    this.emit('transcription-stopped', {});
    this.stopped = true;
  }

  /** Event fields without SequenceId/Timestamp (set when posted, so the order is the posting order). */
  private content(text: string, final: boolean, extra: Params, confidence?: number): Params {
    const data = confidence === undefined ? { transcript: text } : { transcript: text, confidence };
    return { LanguageCode: this.d.verb.languageCode, Final: String(final), TranscriptionData: JSON.stringify(data), ...extra };
  }

  private emit(event: string, fields: Params): void {
    if (this.stopped) return;
    const url = this.d.verb.statusCallbackUrl;
    this.sequence++;
    if (!url) return;
    const params: Params = {
      AccountSid: this.d.accountSid,
      CallSid: this.d.callSid,
      TranscriptionSid: this.transcriptionSid,
      TranscriptionEvent: event,
      SequenceId: String(this.sequence),
      Track: 'inbound_track',
      Timestamp: new Date(this.d.now()).toISOString(),
      ...fields,
    };
    const hook: Webhook = { url, method: this.d.verb.statusCallbackMethod, params };
    this.d.post(hook);
    if (event === 'transcription-content' && this.d.random() < this.d.duplicateRate) this.d.post(hook);
  }
}
