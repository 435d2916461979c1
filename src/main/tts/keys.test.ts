import { describe, expect, it } from 'vitest';
import { testConfig } from '../config/load';
import { doneKey, keySchemeFrom, partKey } from './keys';

describe('part keys', () => {
  it.each([
    [{ prefix: 'tts', template: '{prefix}/{jobId}/part{n}.wav' }, 'tts/j1/part3.wav', 'tts/j1/done'],
    [{ prefix: '', template: '{prefix}/{jobId}/part{n}.wav' }, 'j1/part3.wav', 'j1/done'],
    [{ prefix: 'a/b', template: '{prefix}/{jobId}-{n}.wav' }, 'a/b/j1-3.wav', 'a/b/j1/done'],
    [{ prefix: 'tts', template: 'audio/{jobId}/{n}/{jobId}.wav' }, 'audio/j1/3/j1.wav', 'tts/j1/done'],
  ])('%o', (s, part, done) => {
    expect(partKey({ ...s, firstIndex: 0 }, 'j1', 3)).toBe(part);
    expect(doneKey(s, 'j1')).toBe(done);
  });

  it('comes from the settings (KEY_PREFIX slashes trimmed by the schema)', () => {
    const scheme = keySchemeFrom(testConfig({ KEY_PREFIX: '/voice/', FIRST_PART_INDEX: '1' }).settings);
    expect(scheme).toEqual({ prefix: 'voice', template: '{prefix}/{jobId}/part{n}.wav', firstIndex: 1 });
    expect(partKey(scheme, 'x', scheme.firstIndex)).toBe('voice/x/part1.wav');
  });
});
