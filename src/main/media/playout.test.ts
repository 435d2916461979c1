import { describe, expect, it } from 'vitest';
import { Outbound } from './messages';
import { Playout } from './playout';
import { Marker, type QueueEntry } from './reply-frames';
import { decodeTextFrames } from './wire';

const SID = 'MZ0123456789abcdef0123456789abcdef';

function setup() {
  const log: Array<string> = [];
  const writes: Buffer[] = [];
  const markers: string[] = [];
  const playout = new Playout(new Outbound(SID), {
    write: (b) => {
      writes.push(b);
      log.push(`write ${decodeTextFrames(b).length}`);
    },
    cork: () => log.push('cork'),
    uncork: () => log.push('uncork'),
    marker: (m) => markers.push(`${m.kind}:${m.name}`),
    underrun: () => undefined,
  });
  return { playout, log, writes, markers };
}

const frame = (byte: number) => Buffer.alloc(160, byte);
const events = (writes: Buffer[]) => writes.flatMap((w) => decodeTextFrames(w).map((m) => JSON.parse(m) as { event: string; media?: { payload: string }; mark?: { name: string } }));

describe('Playout (pre-encoded WebSocket frames)', () => {
  it('a batch from one part is one write of exact Twilio messages; markers fire in order', () => {
    const { playout, log, writes, markers } = setup();
    const entries: QueueEntry[] = [new Marker('part-start', 'r:0', 0), frame(1), frame(2), frame(3), new Marker('mark', 'r:0', 0)];
    playout.enqueue(entries);
    expect(playout.available()).toBe(3);
    playout.sendFrames(3, 1000, 100);
    expect(log).toEqual(['write 4']);
    expect(events(writes)).toEqual([
      { event: 'media', streamSid: SID, media: { payload: frame(1).toString('base64') } },
      { event: 'media', streamSid: SID, media: { payload: frame(2).toString('base64') } },
      { event: 'media', streamSid: SID, media: { payload: frame(3).toString('base64') } },
      { event: 'mark', streamSid: SID, mark: { name: 'r:0' } },
    ]);
    expect(markers).toEqual(['part-start:r:0', 'mark:r:0']);
    expect(playout.framesSent).toBe(3);
  });

  it('sends only `count` frames; the rest stays queued', () => {
    const { playout, writes } = setup();
    playout.enqueue([frame(1), frame(2), frame(3), frame(4)]);
    playout.sendFrames(2, 1000, 100);
    expect(events(writes).map((e) => e.media!.payload)).toEqual([frame(1), frame(2)].map((f) => f.toString('base64')));
    playout.sendFrames(5, 1040, 100);
    expect(events(writes)).toHaveLength(4);
    expect(playout.available()).toBe(0);
  });

  it('a batch that spans two enqueues is written corked, in order', () => {
    const { playout, log, writes } = setup();
    playout.enqueue([frame(1), frame(2)]);
    Buffer.allocUnsafe(16); // the slabs come from Node's buffer pool: keep the second from landing right after the first
    playout.enqueue([frame(3), new Marker('mark', 'end', -1)]);
    playout.sendFrames(3, 1000, 100);
    expect(log).toEqual(['cork', 'write 2', 'write 2', 'uncork']);
    expect(events(writes).map((e) => e.event)).toEqual(['media', 'media', 'media', 'mark']);
    expect(events(writes)[2]!.media!.payload).toBe(frame(3).toString('base64'));
  });

  it('clear() drops what was not sent; drainMarkers() sends marks waiting at the head', () => {
    const { playout, writes, markers } = setup();
    playout.enqueue([frame(1), frame(2)]);
    expect(playout.clear()).toBe(2);
    expect(playout.available()).toBe(0);
    playout.enqueue([new Marker('mark', 'end', -1)]);
    playout.drainMarkers(2000);
    expect(events(writes)).toEqual([{ event: 'mark', streamSid: SID, mark: { name: 'end' } }]);
    expect(markers).toEqual(['mark:end']);
  });

  it('records each frame’s lateness against its deadline', () => {
    const { playout } = setup();
    playout.enqueue([frame(1), frame(2), frame(3), frame(4), frame(5), frame(6), frame(7)]);
    playout.pace.t0 = 1000;
    playout.sendFrames(6, 1000, 100);
    playout.sendFrames(1, 1023, 100); // frame 6 was due at 1000 + 6*20 - 100 = 1020
    expect(playout.lateness.frames).toBe(7);
    expect(playout.lateness.max).toBe(3);
  });
});
