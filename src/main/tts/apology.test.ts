import { describe, expect, it } from 'vitest';
import { findApologyFile, loadApologyAudio } from './apology';

describe('loadApologyAudio', () => {
  it('is the data chunk of the bundled clip: 1–8 s of mu-law, not silence', () => {
    const audio = loadApologyAudio();
    expect(audio.length / 8).toBeGreaterThan(1000);
    expect(audio.length / 8).toBeLessThan(8000);
    expect(audio.subarray(0, 4).toString('latin1')).not.toBe('RIFF');
    expect(new Set(audio).size).toBeGreaterThan(50); // speech uses most codes; silence is 0xFF/0x7F
    expect(loadApologyAudio()).toBe(audio); // cached
  });

  it('names where it looked when the clip is missing', () => {
    expect(() => findApologyFile('/nonexistent/x', '/nonexistent')).toThrow(/apology clip not found/);
  });
});
