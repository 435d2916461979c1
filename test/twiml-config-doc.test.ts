// docs/CONFIGURATION.md must match the settings schema: regenerate with `npx tsx scripts/gen-config-doc.ts`.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { DOC_PATH, renderConfigDoc } from '../scripts/gen-config-doc';
import { SETTING_DESCRIPTIONS, settingsSchema } from '../src/main/config/schema';

describe('docs/CONFIGURATION.md', () => {
  it('is up to date with the schema (run npx tsx scripts/gen-config-doc.ts)', () => {
    expect(readFileSync(DOC_PATH, 'utf8')).toBe(renderConfigDoc());
  });

  it('lists every setting once, with a default and a meaning', () => {
    const doc = renderConfigDoc();
    for (const name of Object.keys(settingsSchema.shape)) {
      const rows = doc.split('\n').filter((l) => l.startsWith(`| \`${name}\` |`));
      expect(rows, name).toHaveLength(1);
      const [, shown, meaning] = rows[0].split(' | ');
      expect(shown.trim(), name).not.toBe('');
      expect(meaning.length, name).toBeGreaterThan(3);
      expect(SETTING_DESCRIPTIONS[name as keyof typeof SETTING_DESCRIPTIONS]).toBeTruthy();
    }
  });

  it('shows real defaults and never a secret value', () => {
    const doc = renderConfigDoc();
    expect(doc).toContain('| `HTTP_PORT` | `5000` |');
    expect(doc).toContain('| `SPEECH_LANGUAGE` | `ko-KR` |');
    expect(doc).toContain('| `HANDOFF_KEYWORDS` | `상담원,상담사,사람,agent` |');
    expect(doc).toContain('| `TWILIO_AUTH_TOKEN` | unset (secret) |');
    expect(doc).toContain('`<Gather language>`');
  });
});
