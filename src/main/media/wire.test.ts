import { describe, expect, it } from 'vitest';
import type { Writable } from 'node:stream';
import * as ws from 'ws';
import { decodeTextFrames, encodeTextFrames, frameSize, writeTextFrame } from './wire';

/** ws's own frame parser (exported at runtime, not in @types/ws). */
const { Receiver } = ws as unknown as { Receiver: new (o: { isServer: boolean }) => Writable };

describe('text frames (RFC 6455 §5.2, unmasked)', () => {
  it.each([
    [0, 2],
    [125, 127],
    [126, 130],
    [65_535, 65_539],
    [65_536, 65_546],
  ])('a %i-byte payload takes %i bytes', (n, size) => {
    expect(frameSize(n)).toBe(size);
    const b = Buffer.alloc(size);
    expect(writeTextFrame(b, 0, 'x'.repeat(n))).toBe(size);
    expect(decodeTextFrames(b)).toEqual(['x'.repeat(n)]);
  });

  it('encodes messages back to back and says where each ends (UTF-8 counted in bytes)', () => {
    const msgs = ['{"event":"mark","mark":{"name":"안녕"}}', 'a'.repeat(300), ''];
    const { bytes, ends } = encodeTextFrames(msgs);
    expect(ends).toEqual([2 + Buffer.byteLength(msgs[0]!), 2 + Buffer.byteLength(msgs[0]!) + 304, bytes.length]);
    expect(decodeTextFrames(bytes)).toEqual(msgs);
  });

  it('is what the ws library itself reads as client text messages', async () => {
    const msgs = ['{"event":"media","media":{"payload":"AAA="}}', 'b'.repeat(70_000)];
    const got: string[] = [];
    const receiver = new Receiver({ isServer: false });
    receiver.on('message', (data: Buffer, isBinary: boolean) => {
      expect(isBinary).toBe(false);
      got.push(data.toString());
    });
    await new Promise<void>((resolve, reject) => receiver.write(encodeTextFrames(msgs).bytes, (err?: Error | null) => (err ? reject(err) : resolve())));
    expect(got).toEqual(msgs);
  });

  it('decodeTextFrames refuses what a server never sends', () => {
    expect(() => decodeTextFrames(Buffer.from([0x82, 0x00]))).toThrow(/not a final unmasked text frame/);
    expect(() => decodeTextFrames(Buffer.from([0x81, 0x85, 0, 0, 0, 0, 1]))).toThrow(/masked/);
    expect(() => decodeTextFrames(Buffer.from([0x81, 0x05, 0x61]))).toThrow(/runs past the end/);
  });
});
