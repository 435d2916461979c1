// Recordings: every streamed call's two legs written to DATA_DIR beside its history, in the same UTC day folder
// (history/days/<YYYY-MM-DD>/recordings/), so history's retention (delete a day's folder) takes the recording with
// the call. Per call: <callSid>.caller.wav and <callSid>.bot.wav (mono mu-law 8 kHz; the bot leg is what Twilio
// played: PlayedAudio, nothing after a clear; operator speech is bot-leg audio like any reply) aligned on one
// timeline (timeline.ts), and <callSid>.json (t0, streams, complete). Written incrementally: each leg fills one
// flushBytes buffer in place (2 s by default: a kill -9 loses at most that) before an append; the WAV sizes stay
// 0xFFFFFFFF ("still writing", readers go to end of file) until the call ends or the host stops, when they are
// patched. The 20 ms path only copies bytes.
import { mkdir, open, readdir, readFile, stat, writeFile, type FileHandle } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { Recording, WavEncoding } from '../../shared/recording';
import { MULAW_SILENCE_BYTE, stereoWav, wavDataOffset, wavHeader } from '../../shared/recording';
import type { Logger } from '../log';
import type { MediaTap } from '../media/tap';
import { PlayedAudio } from './played';
import { LegTrack, RecordingTimeline } from './timeline';

export interface RecorderOptions {
  /** The history folder (DATA_DIR/history). */
  dir: string;
  log: Logger;
  now: () => number;
  /** Bytes a leg buffers before it appends to its file (default 16000: 2 s; at 1,000 calls, 1,000 writes a second). */
  flushBytes?: number;
  /** When the call started (its history's day folder is that UTC day); default: the recording's start. */
  callStartedAt?: (callSid: string) => number | undefined;
}

export interface RecordingMeta {
  callSid: string;
  startedAt: number;
  sampleRate: 8000;
  encoding: 'mulaw';
  streams: string[];
  complete: boolean;
  /** Samples per leg when closed. */
  samples?: { caller: number; bot: number };
}

type Leg = 'caller' | 'bot';
const LEGS: readonly Leg[] = ['caller', 'bot'];
const SAFE_SID = /^[A-Za-z0-9_-]{1,64}$/;
const DAY = /^\d{4}-\d{2}-\d{2}$/;

const dayOf = (at: number): string => new Date(at).toISOString().slice(0, 10);

class LegFile {
  readonly track = new LegTrack();
  /** Audio not yet written: one buffer of flushBytes filled in place (the 20 ms path copies bytes), allocated when the
   *  first byte after a flush comes (a closed leg holds none, however long its call's objects live). */
  private buf: Buffer | null = null;
  private fill = 0;
  private file: Promise<FileHandle>;
  private writes: Promise<void> = Promise.resolve();

  constructor(
    readonly path: string,
    ready: Promise<unknown>,
    private readonly flushBytes: number,
    private readonly log: Logger,
  ) {
    this.file = ready.then(() => open(path, 'w')).then(async (f) => {
      const header = wavHeader('mulaw', 1, null);
      await f.write(header, 0, header.length, null); // sequential: the appends follow it
      return f;
    });
    this.file.catch((err: unknown) => log.error({ err, path }, 'recording: could not open a leg file'));
  }

  add(position: number, audio: Uint8Array): void {
    const { pad } = this.track.place(position, audio.length);
    for (let left = pad; left > 0; ) {
      const n = Math.min(left, this.flushBytes - this.fill);
      this.buffer().fill(MULAW_SILENCE_BYTE, this.fill, this.fill + n);
      this.filled(n);
      left -= n;
    }
    for (let at = 0; at < audio.length; ) {
      const n = Math.min(audio.length - at, this.flushBytes - this.fill);
      this.buffer().set(audio.subarray(at, at + n), this.fill);
      this.filled(n);
      at += n;
    }
  }

  private buffer(): Buffer {
    return (this.buf ??= Buffer.allocUnsafe(this.flushBytes));
  }

  private filled(n: number): void {
    this.fill += n;
    if (this.fill === this.flushBytes) this.flush();
  }

  flush(): Promise<void> {
    if (!this.fill || !this.buf) return this.writes;
    const data = this.buf;
    const length = this.fill;
    this.buf = null;
    this.fill = 0;
    this.writes = this.writes.then(async () => {
      const f = await this.file;
      await f.write(data, 0, length, null);
    });
    this.writes = this.writes.catch((err: unknown) => this.log.error({ err, path: this.path }, 'recording: could not write audio'));
    return this.writes;
  }

  /** Write what is buffered, patch the header to the real size, close. */
  async close(): Promise<number> {
    await this.flush();
    const samples = this.track.length;
    try {
      const f = await this.file;
      await f.write(wavHeader('mulaw', 1, samples), 0, undefined, 0);
      await f.close();
    } catch (err) {
      this.log.error({ err, path: this.path }, 'recording: could not close a leg file');
    }
    return samples;
  }
}

class CallRecording {
  readonly timeline: RecordingTimeline;
  readonly legs: Record<Leg, LegFile>;
  readonly meta: RecordingMeta;
  private closing: Promise<void> | null = null;

  constructor(
    readonly base: string,
    callSid: string,
    t0: number,
    flushBytes: number,
    private readonly log: Logger,
  ) {
    const ready = mkdir(dirname(base), { recursive: true });
    this.timeline = new RecordingTimeline(t0);
    this.legs = { caller: new LegFile(`${base}.caller.wav`, ready, flushBytes, log), bot: new LegFile(`${base}.bot.wav`, ready, flushBytes, log) };
    this.meta = { callSid, startedAt: t0, sampleRate: 8000, encoding: 'mulaw', streams: [], complete: false };
    this.metaWritten = ready.then(() => this.writeMeta());
  }

  /** The first metadata write (the folder exists once it settles). */
  readonly metaWritten: Promise<void>;

  get closed(): boolean {
    return this.closing !== null;
  }

  writeMeta(): Promise<void> {
    return writeFile(`${this.base}.json`, JSON.stringify(this.meta)).catch((err: unknown) => this.log.error({ err }, 'recording: could not write its metadata'));
  }

  async flush(): Promise<void> {
    await this.metaWritten;
    await Promise.all(LEGS.map((l) => this.legs[l].flush()));
  }

  close(complete: boolean): Promise<void> {
    this.closing ??= (async () => {
      await this.metaWritten;
      const [caller, bot] = await Promise.all(LEGS.map((l) => this.legs[l].close()));
      this.meta.complete = complete;
      this.meta.samples = { caller: caller!, bot: bot! };
      await this.writeMeta();
    })();
    return this.closing;
  }
}

export class Recorder {
  private readonly calls = new Map<string, CallRecording>();
  /** Calls whose recording was closed this run (a late stream must not start it again over the files). */
  private readonly ended = new Set<string>();
  private readonly flushBytes: number;

  constructor(private readonly options: RecorderOptions) {
    this.flushBytes = options.flushBytes ?? 16_000;
  }

  /** The tap of one stream of `callSid` (the call's recording starts with its first stream). */
  tap(callSid: string, streamSid: string): MediaTap | null {
    if (!SAFE_SID.test(callSid) || this.ended.has(callSid)) return null;
    const now = this.options.now();
    let rec = this.calls.get(callSid);
    if (rec?.closed) return null; // a stream after the call ended: nothing to record into
    if (!rec) {
      const dir = join(this.options.dir, 'days', dayOf(this.options.callStartedAt?.(callSid) ?? now), 'recordings');
      rec = new CallRecording(join(dir, callSid), callSid, now, this.flushBytes, this.options.log);
      this.calls.set(callSid, rec);
    } else rec.timeline.newStream();
    rec.meta.streams.push(streamSid);
    const r = rec;
    const played = new PlayedAudio();
    const bot = (audio: Buffer, playAt: number) => r.legs.bot.add(r.timeline.botPosition(playAt), audio);
    return {
      inbound: (mulaw, mediaMs, at) => {
        if (r.closed) return;
        r.legs.caller.add(r.timeline.callerPosition(mediaMs, at), mulaw);
        played.release(at, bot);
      },
      outbound: (mulaw, playAt) => {
        if (r.closed) return;
        played.sent(mulaw, playAt);
        played.release(this.options.now(), bot);
      },
      cleared: (at) => played.cleared(at),
      close: () => {
        if (!r.closed) played.end(this.options.now(), bot);
        void r.flush();
      },
    };
  }

  /** The call ended: its recording is closed and marked complete. */
  async callEnded(callSid: string): Promise<void> {
    const rec = this.calls.get(callSid);
    if (!rec) return;
    this.ended.add(callSid);
    if (this.ended.size > 10_000) this.ended.delete(this.ended.values().next().value as string);
    await rec.close(true);
    this.calls.delete(callSid);
  }

  /** Close every open recording (not complete: the host stopped during the call). */
  async stop(): Promise<void> {
    const open = [...this.calls.values()];
    this.calls.clear();
    await Promise.all(open.map((r) => r.close(false)));
  }

  /** Both legs of a call's recording, or null. */
  async read(callSid: string): Promise<Recording | null> {
    const found = await this.load(callSid);
    if (!found) return null;
    return { callSid, startedAt: found.meta.startedAt, sampleRate: 8000, caller: found.caller.toString('base64'), bot: found.bot.toString('base64'), complete: found.meta.complete };
  }

  /** The stereo WAV (caller left, bot right), or null. */
  async exportWav(callSid: string, encoding: WavEncoding): Promise<Buffer | null> {
    const found = await this.load(callSid);
    return found ? Buffer.from(stereoWav(found.caller, found.bot, encoding)) : null;
  }

  /** Recordings open now (leak checks). */
  get open(): number {
    return this.calls.size;
  }

  private async load(callSid: string): Promise<{ meta: RecordingMeta; caller: Buffer; bot: Buffer } | null> {
    const base = await this.locate(callSid);
    if (!base) return null;
    await this.calls.get(callSid)?.flush();
    try {
      const meta = JSON.parse(await readFile(`${base}.json`, 'utf8')) as RecordingMeta;
      const offset = wavDataOffset('mulaw');
      const leg = async (l: Leg) => (await readFile(`${base}.${l}.wav`).catch(() => Buffer.alloc(0))).subarray(offset);
      const [caller, bot] = await Promise.all([leg('caller'), leg('bot')]);
      return { meta, caller, bot };
    } catch (err) {
      this.options.log.warn({ err, callSid }, 'recording: could not read it');
      return null;
    }
  }

  private async locate(callSid: string): Promise<string | null> {
    if (!SAFE_SID.test(callSid)) return null;
    const live = this.calls.get(callSid);
    if (live) return live.base;
    const days = (await readdir(join(this.options.dir, 'days')).catch(() => [] as string[])).filter((d) => DAY.test(d)).sort().reverse();
    for (const day of days) {
      const base = join(this.options.dir, 'days', day, 'recordings', callSid);
      if (await stat(`${base}.json`).then(() => true, () => false)) return base;
    }
    return null;
  }
}
