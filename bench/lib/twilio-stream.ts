// One Media Stream as Twilio's side of it, light enough for 1,000 in one process: the same JSON as
// src/main/sim/media-client.ts (connected, start, 20 ms inbound media with string counters, mark echo when
// played or cleared, stop), but driven by the load generator's shared clock instead of a timer per stream,
// and measuring every outbound byte's arrival (playout.ts) and the payload's exactness.
import type WebSocket from 'ws';
import { ExactCheck, FRAME_BYTES, FRAME_MS, StreamPlayout, type PlayoutResult } from './playout';

const SILENCE_B64 = Buffer.alloc(FRAME_BYTES, 0xff).toString('base64');
const ALLOWED_KEYS: Record<string, string[]> = {
  media: ['event', 'streamSid', 'media'],
  mark: ['event', 'streamSid', 'mark'],
  clear: ['event', 'streamSid'],
};

/** Caller audio injected into the inbound track some time after the bot's first frame (barge-in runs). */
export interface SpeechPlan {
  /** Fixture name, reported back with the stream's result. */
  name: string;
  audio: Buffer;
  /** Start sending it this long after the first outbound media frame arrived. */
  afterFirstMediaMs: number;
  /** Offset of the speech onset in `audio` (samples = bytes), from the offline analysis. */
  onsetSample: number | null;
}

export interface StreamIds {
  callSid: string;
  streamSid: string;
  accountSid: string;
}

export interface StreamResult {
  streamSid: string;
  callSid: string;
  openedAt: number;
  firstMediaAt: number | null;
  playout: PlayoutResult;
  exact: boolean | null;
  exactNote: string;
  marksReceived: number;
  marksPlayed: number;
  marksCleared: number;
  clearAt: number[];
  /** Barge-in: when the onset sample was captured (Twilio-side wall clock), if speech was sent. */
  speechOnsetAt: number | null;
  speechSentFrom: number | null;
  speechName: string | null;
  /** Messages that were not exactly one of Twilio's accepted outbound shapes (would be warning 31951). */
  protocolErrors: string[];
  closeCode: number | null;
}

interface PendingMark {
  name: string;
  dueAt: number;
}

export class TwilioStream {
  private seq = 0;
  private chunk = 0;
  private inboundT0 = Number.NaN;
  private readonly playout: StreamPlayout;
  private readonly exactCheck: ExactCheck | null;
  private firstMediaAt: number | null = null;
  private marks: PendingMark[] = [];
  private marksReceived = 0;
  private marksPlayed = 0;
  private marksCleared = 0;
  private readonly clearAt: number[] = [];
  private readonly protocolErrors: string[] = [];
  private speechAt = -1; // index into plan.audio of the next inbound byte, -1 = not started
  private speechSentFrom: number | null = null;
  private speechOnsetAt: number | null = null;
  closeCode: number | null = null;
  readonly openedAt: number;
  /** Called with every outbound media message's audio bytes and arrival time (the turns suite times answers). */
  onMedia: ((bytes: number, at: number) => void) | null = null;

  constructor(
    private readonly ws: WebSocket,
    readonly ids: StreamIds,
    opts: { leadMs: number; expected: Buffer | null; speech?: SpeechPlan; now: number; customParameters?: Record<string, string> },
    private readonly speech = opts.speech,
  ) {
    this.playout = new StreamPlayout(opts.leadMs);
    this.exactCheck = opts.expected ? new ExactCheck(opts.expected) : null;
    this.openedAt = opts.now;
    this.customParameters = opts.customParameters ?? {};
  }

  private readonly customParameters: Record<string, string>;

  /** connected + start, like Twilio right after the upgrade; inbound media starts on the next tick. */
  begin(now: number): void {
    this.send('{"event":"connected","protocol":"Call","version":"1.0.0"}');
    const { accountSid, streamSid, callSid } = this.ids;
    const start = {
      event: 'start',
      sequenceNumber: String(++this.seq),
      start: { accountSid, streamSid, callSid, tracks: ['inbound'], customParameters: this.customParameters, mediaFormat: { encoding: 'audio/x-mulaw', sampleRate: 8000, channels: 1 } },
      streamSid,
    };
    this.send(JSON.stringify(start));
    this.inboundT0 = now;
  }

  /** Send the inbound frames due by `now` (absolute 20 ms grid from the start) and echo marks that have played. */
  tick(now: number): void {
    if (Number.isNaN(this.inboundT0) || this.closeCode !== null) return;
    const due = Math.floor((now - this.inboundT0) / FRAME_MS) + 1;
    while (this.chunk < due) this.sendInbound(now);
    while (this.marks.length && this.marks[0].dueAt <= now) this.echo(this.marks.shift()!.name, 'played');
  }

  private sendInbound(now: number): void {
    let payload = SILENCE_B64;
    const sp = this.speech;
    if (sp && this.speechAt < 0 && this.firstMediaAt !== null && now >= this.firstMediaAt + sp.afterFirstMediaMs) this.speechAt = 0;
    if (sp && this.speechAt >= 0 && this.speechAt < sp.audio.length) {
      const frame = Buffer.alloc(FRAME_BYTES, 0xff);
      sp.audio.copy(frame, 0, this.speechAt, this.speechAt + FRAME_BYTES);
      // Twilio sends a frame once its 20 ms were captured: the frame's audio started 20 ms before `now`
      const capturedFrom = now - FRAME_MS;
      if (this.speechAt === 0) this.speechSentFrom = capturedFrom;
      if (sp.onsetSample !== null && sp.onsetSample >= this.speechAt && sp.onsetSample < this.speechAt + FRAME_BYTES) {
        this.speechOnsetAt = capturedFrom + (sp.onsetSample - this.speechAt) / 8;
      }
      this.speechAt += FRAME_BYTES;
      payload = frame.toString('base64');
    }
    const timestamp = this.chunk * FRAME_MS;
    this.chunk++;
    this.send(
      `{"event":"media","sequenceNumber":"${++this.seq}","media":{"track":"inbound","chunk":"${this.chunk}","timestamp":"${timestamp}","payload":"${payload}"},"streamSid":"${this.ids.streamSid}"}`,
    );
  }

  onMessage(data: Buffer, isBinary: boolean, at: number): void {
    if (isBinary) {
      this.protocolError('binary frame');
      return;
    }
    let msg: { event?: string; streamSid?: string; media?: { payload?: string }; mark?: { name?: string } };
    try {
      msg = JSON.parse(data.toString('utf8'));
    } catch {
      this.protocolError('not JSON');
      return;
    }
    const allowed = ALLOWED_KEYS[msg.event ?? ''];
    if (!allowed) return this.protocolError(`unknown event ${String(msg.event).slice(0, 20)}`);
    if (msg.streamSid !== this.ids.streamSid) this.protocolError(`wrong streamSid on ${msg.event}`);
    const keys = Object.keys(msg);
    if (keys.length !== allowed.length || keys.some((k) => !allowed.includes(k))) this.protocolError(`fields of ${msg.event}: ${keys.join(',')}`);
    if (msg.event === 'media') {
      const b64 = msg.media?.payload;
      if (typeof b64 !== 'string' || Object.keys(msg.media ?? {}).length !== 1) return this.protocolError('media must be {payload}');
      const payload = Buffer.from(b64, 'base64');
      if (this.firstMediaAt === null) this.firstMediaAt = at;
      this.onMedia?.(payload.length, at);
      this.playout.received(payload.length, at);
      this.exactCheck?.push(payload);
    } else if (msg.event === 'mark') {
      const name = msg.mark?.name;
      if (typeof name !== 'string') return this.protocolError('mark without a name');
      this.marksReceived++;
      const end = this.playout.playoutEnd;
      if (!(end > at)) this.echo(name, 'played');
      else this.marks.push({ name, dueAt: end });
    } else {
      this.clearAt.push(at);
      const pending = this.marks;
      this.marks = [];
      for (const m of pending) this.echo(m.name, 'cleared');
    }
  }

  private echo(name: string, outcome: 'played' | 'cleared'): void {
    if (outcome === 'played') this.marksPlayed++;
    else this.marksCleared++;
    this.send(JSON.stringify({ event: 'mark', sequenceNumber: String(++this.seq), streamSid: this.ids.streamSid, mark: { name } }));
  }

  /** Hang up like Twilio: stop, then close. */
  hangUp(): void {
    const { accountSid, callSid, streamSid } = this.ids;
    this.send(JSON.stringify({ event: 'stop', sequenceNumber: String(++this.seq), streamSid, stop: { accountSid, callSid } }));
    if (this.ws.readyState === this.ws.OPEN) this.ws.close(1000);
  }

  get mediaStarted(): boolean {
    return this.firstMediaAt !== null;
  }

  /** Audio bytes received so far. */
  get receivedBytes(): number {
    return this.playout.receivedBytes;
  }

  get playoutEnd(): number {
    return this.playout.playoutEnd;
  }

  get pendingMarks(): number {
    return this.marks.length;
  }

  result(): StreamResult {
    return {
      ...this.ids,
      openedAt: this.openedAt,
      firstMediaAt: this.firstMediaAt,
      playout: this.playout.result(),
      exact: this.exactCheck ? this.exactCheck.exact : null,
      exactNote: this.exactCheck ? this.exactCheck.describe() : 'not checked',
      marksReceived: this.marksReceived,
      marksPlayed: this.marksPlayed,
      marksCleared: this.marksCleared,
      clearAt: this.clearAt,
      speechOnsetAt: this.speechOnsetAt,
      speechSentFrom: this.speechSentFrom,
      speechName: this.speech?.name ?? null,
      protocolErrors: this.protocolErrors.slice(0, 5),
      closeCode: this.closeCode,
    };
  }

  private protocolError(what: string): void {
    if (this.protocolErrors.length < 20) this.protocolErrors.push(what);
  }

  private send(text: string): void {
    if (this.ws.readyState === this.ws.OPEN) this.ws.send(text);
  }
}
