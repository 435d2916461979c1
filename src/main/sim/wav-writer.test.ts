import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseWav } from '../tts/wav';
import { buildWav, type WavLayout } from './wav-writer';

const PARTS_DIR = join(__dirname, '../../../resources/audio/greeting-parts');
const manifest = JSON.parse(readFileSync(join(PARTS_DIR, 'manifest.json'), 'utf8')) as { parts: Array<{ part: number; layout: WavLayout }> };

describe('buildWav', () => {
  it.each(manifest.parts)('rebuilds fixture part$part ($layout) byte for byte', ({ part, layout }) => {
    const fixture = readFileSync(join(PARTS_DIR, `part${part}.wav`));
    const rebuilt = buildWav(Buffer.from(parseWav(fixture).data), layout);
    expect(rebuilt.toString('hex')).toBe(fixture.toString('hex'));
  });
});
