import { describe, expect, it } from 'vitest';
import { QUIET_MS, ReplyWatch, type ReplyEvent } from './reply-watch';

type Input =
  | ['audio', number, number]
  | ['mark', string, 'played' | 'cleared', number]
  | ['clear', number]
  | ['pause', number]
  | ['tick', number];

function feed(inputs: Input[]): Array<ReplyEvent | null> {
  const w = new ReplyWatch();
  return inputs.map((i) => {
    switch (i[0]) {
      case 'audio':
        return w.audio(i[1], i[2]);
      case 'mark':
        return w.mark(i[1], i[2], i[3]);
      case 'clear':
        return w.clear(i[1]);
      case 'pause':
        return w.clear(i[1], true);
      case 'tick':
        return w.tick(i[1]);
    }
  });
}

describe('ReplyWatch', () => {
  it.each<[string, Input[], Array<ReplyEvent | null>]>([
    [
      'a reply starts with audio after silence and ends with its end mark',
      [['audio', 1600, 0], ['audio', 1600, 150], ['mark', 'r1:0', 'played', 200], ['mark', 'r1:end', 'played', 400]],
      [{ type: 'start', at: 0 }, null, null, { type: 'end', at: 400, outcome: 'played' }],
    ],
    [
      'a clear ends it as cleared; the cleared end mark echoed after changes nothing',
      [['audio', 8000, 0], ['clear', 300], ['mark', 'r1:end', 'cleared', 301]],
      [{ type: 'start', at: 0 }, { type: 'end', at: 300, outcome: 'cleared' }, null],
    ],
    [
      'audio after the end starts the next reply',
      [['audio', 800, 0], ['mark', 'a:end', 'played', 100], ['audio', 800, 5000]],
      [{ type: 'start', at: 0 }, { type: 'end', at: 100, outcome: 'played' }, { type: 'start', at: 5000 }],
    ],
    [
      'without end marks: the end is where the audio ran out, once nothing came for QUIET_MS',
      [['audio', 800, 0], ['tick', 100 + QUIET_MS - 1], ['tick', 100 + QUIET_MS]],
      [{ type: 'start', at: 0 }, null, { type: 'end', at: 100, outcome: 'played' }],
    ],
    [
      'a late part inside a reply (a shorter gap) does not end it',
      [['audio', 800, 0], ['audio', 800, 900], ['tick', 1000 + QUIET_MS - 1]],
      [{ type: 'start', at: 0 }, null, null],
    ],
    [
      'a clear the caller did not cause, then audio again: a pause, the same reply goes on',
      [['audio', 8000, 0], ['pause', 500], ['audio', 4000, 1000], ['mark', 'r:end', 'played', 1500]],
      [{ type: 'start', at: 0 }, null, null, { type: 'end', at: 1500, outcome: 'played' }],
    ],
    [
      'a clear the caller did not cause and no audio after it: cleared, at the clear',
      [['audio', 8000, 0], ['pause', 500], ['tick', 500 + QUIET_MS - 1], ['pause', 600], ['tick', 600 + QUIET_MS]],
      [{ type: 'start', at: 0 }, null, null, null, { type: 'end', at: 500, outcome: 'cleared' }],
    ],
    [
      'a part mark is not the end, nor is anything while silent',
      [['mark', 'x:end', 'played', 0], ['clear', 0], ['audio', 160, 10], ['mark', 'r:0', 'played', 30]],
      [null, null, { type: 'start', at: 10 }, null],
    ],
  ])('%s', (_name, inputs, expected) => {
    expect(feed(inputs)).toEqual(expected);
  });

  it('says when to tick: the end of the queued audio plus QUIET_MS, none while silent', () => {
    const w = new ReplyWatch();
    expect(w.due()).toBeNull();
    w.audio(800, 1000);
    w.audio(800, 1050);
    expect(w.due()).toBe(1200 + QUIET_MS);
    w.clear(1100);
    expect(w.due()).toBeNull();
  });
});
