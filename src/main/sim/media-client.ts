// The Twilio side of a bidirectional Media Stream (notes/twilio.md §1): signed upgrade, connected + start,
// real-time inbound media, and a playout queue that echoes marks only when the audio before them has played
// (or at once, for every pending mark, on clear). Used by tests, the demo's simulated caller and benchmarks.
import { randomBytes } from 'node:crypto';
import { EventEmitter } from 'node:events';
import twilio from 'twilio';
import WebSocket from 'ws';

const FRAME_BYTES = 160;
const FRAME_MS = 20;
const SILENCE = 0xff;

export interface MediaClientOptions {
  /** Where to connect, e.g. ws://127.0.0.1:port/media. */
  url: string;
  /** The public wss URL the signature covers (what <Stream url> says). */
  signedUrl: string;
  /** Signs the upgrade with X-Twilio-Signature; null sends no signature. */
  authToken: string | null;
  callSid: string;
  accountSid: string;
  streamSid?: string;
  customParameters?: Record<string, string>;
  /** Mu-law sent as 20 ms inbound media frames in real time; silence (0xFF) after it ends, until stopped. */
  inboundAudio?: Buffer;
  now?: () => number;
  /** rel (fault tests): false = a stuck Twilio that never echoes marks (default true). */
  echoMarks?: boolean;
}

export interface ReceivedMark {
  name: string;
  outcome: 'played' | 'cleared';
  at: number;
}

interface PendingMark {
  name: string;
  timer: NodeJS.Timeout | null;
}

export class TwilioMediaClient extends EventEmitter {
  readonly streamSid: string;
  readonly received: { media: Buffer[]; marks: ReceivedMark[]; clears: number; messages: unknown[] } = { media: [], marks: [], clears: 0, messages: [] };
  private readonly now: () => number;
  private sequence = 0;
  private chunk = 0;
  private inbound: Buffer = Buffer.alloc(0);
  private inboundT0 = 0;
  private inboundTimer: NodeJS.Timeout | null = null;
  private playoutEndsAt = 0;
  private pendingMarks: PendingMark[] = [];
  private closedCode: number | null = null;
  private readonly closedPromise: Promise<number>;

  private constructor(
    private readonly ws: WebSocket,
    readonly opts: MediaClientOptions,
  ) {
    super();
    this.now = opts.now ?? Date.now;
    this.streamSid = opts.streamSid ?? `MZ${randomBytes(16).toString('hex')}`;
    if (opts.inboundAudio) this.inbound = Buffer.from(opts.inboundAudio);
    this.closedPromise = new Promise((resolve) => {
      ws.on('close', (code) => {
        this.closedCode = code;
        this.halt();
        this.emit('closed', code);
        resolve(code);
      });
    });
    ws.on('message', (data, isBinary) => this.onMessage(data as Buffer, isBinary));
    ws.on('error', (err) => this.emit('error', err));
  }

  /** Open the signed upgrade, then send connected and start like Twilio. Rejects (with statusCode) when refused. */
  static async connect(opts: MediaClientOptions): Promise<TwilioMediaClient> {
    const headers: Record<string, string> = {};
    if (opts.authToken) headers['X-Twilio-Signature'] = twilio.getExpectedTwilioSignature(opts.authToken, opts.signedUrl, {});
    const ws = new WebSocket(opts.url, { headers, perMessageDeflate: false });
    await new Promise<void>((resolve, reject) => {
      ws.once('open', () => resolve());
      ws.once('unexpected-response', (req, res) => {
        req.destroy();
        reject(Object.assign(new Error(`media upgrade refused: HTTP ${res.statusCode}`), { statusCode: res.statusCode }));
      });
      ws.once('error', reject);
    });
    const client = new TwilioMediaClient(ws, opts);
    client.begin();
    return client;
  }

  /** The close code once the server (or stop()) closed the socket. */
  get closeCode(): number | null {
    return this.closedCode;
  }

  /** Resolves with the close code when the socket closes. */
  closed(): Promise<number> {
    return this.closedPromise;
  }

  /** Caller audio queued and not sent yet, in ms. */
  get queuedMs(): number {
    return this.inbound.length / 8;
  }

  /** Queue caller audio (mu-law), sent as 20 ms media frames in real time after what is already queued. */
  sendAudio(mulaw: Buffer): void {
    this.inbound = this.inbound.length ? Buffer.concat([this.inbound, mulaw]) : Buffer.from(mulaw);
  }

  sendDtmf(digit: string): void {
    this.send({ event: 'dtmf', streamSid: this.streamSid, sequenceNumber: this.nextSequence(), dtmf: { track: 'inbound_track', digit } });
  }

  /** Send anything (tests of malformed input). */
  sendRaw(data: string | Buffer, binary = false): void {
    if (this.ws.readyState === WebSocket.OPEN) this.ws.send(data, { binary });
  }

  /** Like a hang-up or a REST redirect: send stop, then close. */
  async stop(): Promise<void> {
    if (this.ws.readyState === WebSocket.OPEN) {
      this.send({ event: 'stop', sequenceNumber: this.nextSequence(), streamSid: this.streamSid, stop: { accountSid: this.opts.accountSid, callSid: this.opts.callSid } });
      this.ws.close(1000);
    } else if (this.ws.readyState !== WebSocket.CLOSED) {
      this.ws.terminate();
    }
    this.halt();
    if (this.ws.readyState !== WebSocket.CLOSED) await this.closedPromise;
  }

  private begin(): void {
    this.send({ event: 'connected', protocol: 'Call', version: '1.0.0' });
    this.send({
      event: 'start',
      sequenceNumber: this.nextSequence(),
      start: {
        accountSid: this.opts.accountSid,
        streamSid: this.streamSid,
        callSid: this.opts.callSid,
        tracks: ['inbound'],
        customParameters: this.opts.customParameters ?? {},
        mediaFormat: { encoding: 'audio/x-mulaw', sampleRate: 8000, channels: 1 },
      },
      streamSid: this.streamSid,
    });
    this.inboundT0 = this.now();
    this.sendInbound();
  }

  /** Send every inbound frame due by now (absolute deadlines t0 + n·20 ms), then sleep until the next. */
  private sendInbound(): void {
    this.inboundTimer = null;
    if (this.ws.readyState !== WebSocket.OPEN) return;
    const due = Math.floor((this.now() - this.inboundT0) / FRAME_MS) + 1;
    while (this.chunk < due) {
      const frame = Buffer.alloc(FRAME_BYTES, SILENCE);
      const take = Math.min(FRAME_BYTES, this.inbound.length);
      if (take > 0) {
        this.inbound.copy(frame, 0, 0, take);
        this.inbound = this.inbound.subarray(take);
      }
      const timestamp = this.chunk * FRAME_MS;
      this.chunk++;
      this.send({
        event: 'media',
        sequenceNumber: this.nextSequence(),
        media: { track: 'inbound', chunk: String(this.chunk), timestamp: String(timestamp), payload: frame.toString('base64') },
        streamSid: this.streamSid,
      });
    }
    const next = this.inboundT0 + this.chunk * FRAME_MS;
    this.inboundTimer = setTimeout(() => this.sendInbound(), Math.max(0, next - this.now()));
  }

  private onMessage(data: Buffer, isBinary: boolean): void {
    const at = this.now();
    if (isBinary) {
      this.received.messages.push(data);
      this.emit('error', new Error('server sent a binary frame (Twilio warning 31950)'));
      return;
    }
    let message: { event?: unknown; media?: { payload?: unknown }; mark?: { name?: unknown } };
    try {
      message = JSON.parse(data.toString('utf8'));
    } catch {
      this.received.messages.push(data.toString('utf8'));
      this.emit('error', new Error('server sent non-JSON text (Twilio warning 31951)'));
      return;
    }
    this.received.messages.push(message);
    if (message.event === 'media' && typeof message.media?.payload === 'string') {
      const payload = Buffer.from(message.media.payload, 'base64');
      this.received.media.push(payload);
      this.playoutEndsAt = Math.max(at, this.playoutEndsAt) + payload.length / 8;
      this.emit('media', payload, at);
    } else if (message.event === 'mark' && typeof message.mark?.name === 'string') {
      this.queueMark(message.mark.name, at);
    } else if (message.event === 'clear') {
      this.received.clears++;
      this.playoutEndsAt = at;
      const pending = this.pendingMarks;
      this.pendingMarks = [];
      for (const m of pending) {
        if (m.timer) clearTimeout(m.timer);
        this.echoMark(m.name, 'cleared');
      }
      this.emit('clear');
    } else {
      this.emit('error', new Error(`unexpected message from the server: ${data.toString('utf8').slice(0, 80)}`));
    }
  }

  /** Echo when all audio queued before the mark has played; like Twilio, marks are echoed in the order they were sent. */
  private queueMark(name: string, at: number): void {
    const pending: PendingMark = { name, timer: null };
    this.pendingMarks.push(pending);
    const fire = () => {
      // timers of marks at the same playout position can fire out of order (ms rounding): echo earlier ones first
      const upTo = this.pendingMarks.indexOf(pending);
      if (upTo < 0) return;
      const due = this.pendingMarks.slice(0, upTo + 1);
      this.pendingMarks = this.pendingMarks.slice(upTo + 1);
      for (const m of due) {
        if (m.timer) clearTimeout(m.timer);
        this.echoMark(m.name, 'played');
      }
    };
    const wait = this.playoutEndsAt - at;
    if (wait <= 0) fire();
    else pending.timer = setTimeout(fire, wait);
  }

  /** rel (fault tests): the socket dies without a stop (network loss): no close handshake. */
  drop(): void {
    this.halt();
    this.ws.terminate();
  }

  private echoMark(name: string, outcome: 'played' | 'cleared'): void {
    if (this.opts.echoMarks === false) return;
    this.received.marks.push({ name, outcome, at: this.now() });
    this.send({ event: 'mark', sequenceNumber: this.nextSequence(), streamSid: this.streamSid, mark: { name } });
    this.emit('mark', name, outcome);
  }

  private nextSequence(): string {
    return String(++this.sequence);
  }

  private send(message: object): void {
    if (this.ws.readyState === WebSocket.OPEN) this.ws.send(JSON.stringify(message));
  }

  private halt(): void {
    if (this.inboundTimer) clearTimeout(this.inboundTimer);
    this.inboundTimer = null;
    for (const m of this.pendingMarks) if (m.timer) clearTimeout(m.timer);
    this.pendingMarks = [];
  }
}
