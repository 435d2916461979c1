// Outbound audio pre-encoded as WebSocket bytes: when a part arrives, its frames and marks become one buffer of
// ready server→client text frames (RFC 6455 §5.2: FIN + opcode 1, unmasked), so a pacer batch is one socket
// write of a slice of it. Hand-written framing (a 2–10 byte header) because ws.send() per 20 ms frame (string to
// Buffer, header, cork, write) was the pacer's main cost after the syscalls themselves (docs/BENCHMARKS.md).

/** Size of a text frame carrying `payloadBytes` bytes. */
export function frameSize(payloadBytes: number): number {
  return payloadBytes + (payloadBytes < 126 ? 2 : payloadBytes < 65_536 ? 4 : 10);
}

/** Writes one unmasked text frame of `text` at `offset`; returns the offset after it. */
export function writeTextFrame(target: Buffer, offset: number, text: string, bytes = Buffer.byteLength(text)): number {
  target[offset] = 0x81; // FIN, opcode 1 (text)
  if (bytes < 126) {
    target[offset + 1] = bytes;
    offset += 2;
  } else if (bytes < 65_536) {
    target[offset + 1] = 126;
    target.writeUInt16BE(bytes, offset + 2);
    offset += 4;
  } else {
    target[offset + 1] = 127;
    target.writeBigUInt64BE(BigInt(bytes), offset + 2);
    offset += 10;
  }
  return offset + target.write(text, offset, bytes, 'utf8');
}

/** Text frames for `messages`, back to back in one buffer, and where each ends. */
export function encodeTextFrames(messages: string[]): { bytes: Buffer; ends: number[] } {
  const lengths = messages.map((m) => Buffer.byteLength(m));
  const bytes = Buffer.allocUnsafe(lengths.reduce((n, l) => n + frameSize(l), 0));
  const ends: number[] = [];
  let at = 0;
  messages.forEach((m, i) => {
    at = writeTextFrame(bytes, at, m, lengths[i]);
    ends.push(at);
  });
  return { bytes, ends };
}

/** Reads back unmasked text frames (tests): the messages, in order. Throws on anything else. */
export function decodeTextFrames(bytes: Buffer): string[] {
  const out: string[] = [];
  let at = 0;
  while (at < bytes.length) {
    if (bytes.length - at < 2) throw new Error(`truncated frame header at byte ${at}`);
    if (bytes[at] !== 0x81) throw new Error(`not a final unmasked text frame at byte ${at} (0x${bytes[at]!.toString(16)})`);
    let len = bytes[at + 1]!;
    if (len & 0x80) throw new Error(`masked frame at byte ${at}: servers never mask`);
    at += 2;
    if (len === 126) {
      len = bytes.readUInt16BE(at);
      at += 2;
    } else if (len === 127) {
      len = Number(bytes.readBigUInt64BE(at));
      at += 8;
    }
    if (at + len > bytes.length) throw new Error(`frame of ${len} bytes runs past the end`);
    out.push(bytes.toString('utf8', at, at + len));
    at += len;
  }
  return out;
}
