// Turns a reply's parts into the outbound queue: 20 ms frames with markers placed exactly where each part's
// audio begins and ends, even though frames straddle part boundaries (the framer carries leftovers). Pure.
// Markers keep their registration order (a part's start never overtakes the previous part's mark, so a
// straddling frame is followed by "mark n, start n+1"), each released as soon as its frame slot is reached.
import { Framer, FRAME_BYTES } from '../tts/framer';

/** A queue entry that is not audio: where a part's first byte is ('part-start') or where a mark goes ('mark'). */
export class Marker {
  constructor(
    readonly kind: 'part-start' | 'mark',
    /** The mark name (for 'mark'); for 'part-start' the mark name of that part, for reference. */
    readonly name: string,
    /** The part index; -1 for the end of the reply. */
    readonly part: number,
  ) {}
}

export type QueueEntry = Buffer | Marker;

interface Pinned {
  /** Emit once this many frames have been output. */
  slot: number;
  marker: Marker;
}

export class ReplyFrames {
  private readonly framer = new Framer(FRAME_BYTES);
  private bytes = 0;
  private framesOut = 0;
  private pinned: Pinned[] = [];
  private ended = false;
  /** Bytes of 0xFF padding added to the last frame by end(). */
  padBytes = 0;

  /** Audio of part `part` (mu-law data only); returns the entries to queue now, in order. */
  part(part: number, audio: Buffer, markName: string): QueueEntry[] {
    if (this.ended) throw new Error('reply already ended');
    const a = this.bytes;
    const b = a + audio.length;
    this.bytes = b;
    const out: QueueEntry[] = [];
    if (audio.length === 0) {
      // an empty part sits right after the previous part's last byte
      const slot = Math.ceil(a / FRAME_BYTES);
      this.pin(slot, new Marker('part-start', markName, part));
      this.pin(slot, new Marker('mark', markName, part));
    } else {
      this.pin(Math.floor(a / FRAME_BYTES), new Marker('part-start', markName, part));
      this.pin(Math.ceil(b / FRAME_BYTES), new Marker('mark', markName, part));
    }
    this.output(this.framer.push(audio), out);
    return out;
  }

  /** The last frame (padded with mu-law silence), every marker still pending, then the end mark. */
  end(endMarkName: string): QueueEntry[] {
    if (this.ended) return [];
    this.ended = true;
    const out: QueueEntry[] = [];
    const pending = this.framer.pending;
    const last = this.framer.flush(true);
    if (last) {
      this.padBytes = last.length - pending;
      this.output([last], out);
    }
    for (const p of this.pinned) out.push(p.marker);
    this.pinned = [];
    out.push(new Marker('mark', endMarkName, -1));
    return out;
  }

  /** Frames output so far. */
  get frames(): number {
    return this.framesOut;
  }

  private pin(slot: number, marker: Marker): void {
    this.pinned.push({ slot, marker });
  }

  private output(frames: Buffer[], out: QueueEntry[]): void {
    this.release(out);
    for (const frame of frames) {
      out.push(frame);
      this.framesOut++;
      this.release(out);
    }
  }

  /** Emit, in registration order, the markers whose slot has been reached. */
  private release(out: QueueEntry[]): void {
    while (this.pinned.length > 0 && this.pinned[0]!.slot <= this.framesOut) out.push(this.pinned.shift()!.marker);
  }
}
