// G.711 mu-law codec. Hand-written (a dozen lines, table-tested against `alawmulaw`) so the runtime needs no
// dormant dependency; only the PCM16 → mu-law fallback and test tooling use it, never the mu-law hot path.

const BIAS = 0x84;
const CLIP = 32635;

/** One 16-bit linear sample → one mu-law byte (0xFF for 0). */
export function encodeMulawSample(sample: number): number {
  let s = sample | 0;
  const sign = s < 0 ? 0x80 : 0;
  if (s < 0) s = -s;
  if (s > CLIP) s = CLIP;
  s += BIAS;
  let exponent = 7;
  for (let mask = 0x4000; (s & mask) === 0 && exponent > 0; mask >>= 1) exponent--;
  const mantissa = (s >> (exponent + 3)) & 0x0f;
  return ~(sign | (exponent << 4) | mantissa) & 0xff;
}

/** One mu-law byte → one 16-bit linear sample (±32124). */
export function decodeMulawSample(byte: number): number {
  const u = ~byte & 0xff;
  const t = (((u & 0x0f) << 3) + BIAS) << ((u & 0x70) >> 4);
  return u & 0x80 ? BIAS - t : t - BIAS;
}

const DECODE = Int16Array.from({ length: 256 }, (_, b) => decodeMulawSample(b));

export function encodeMulaw(pcm: Int16Array): Buffer {
  const out = Buffer.allocUnsafe(pcm.length);
  for (let i = 0; i < pcm.length; i++) out[i] = encodeMulawSample(pcm[i]!);
  return out;
}

export function decodeMulaw(mulaw: Uint8Array): Int16Array {
  const out = new Int16Array(mulaw.length);
  for (let i = 0; i < mulaw.length; i++) out[i] = DECODE[mulaw[i]!]!;
  return out;
}

/** The mu-law byte for digital silence. */
export const MULAW_SILENCE = 0xff;
