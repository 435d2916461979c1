import { describe, expect, it } from 'vitest';
import { detectLocale, STRINGS, translate } from '../i18n/strings';
import { loadPrefs, PREFS_KEY, savePrefs } from './prefs';

function storage(raw?: string) {
  const map = new Map<string, string>(raw === undefined ? [] : [[PREFS_KEY, raw]]);
  return { getItem: (k: string) => map.get(k) ?? null, setItem: (k: string, v: string) => void map.set(k, v), map };
}

describe('prefs', () => {
  it('defaults from the environment: Korean browser, light scheme', () => {
    expect(loadPrefs({ storage: storage(), languages: ['ko-KR', 'en'], prefersDark: false })).toEqual({ locale: 'ko', theme: 'light', presentation: false, notifications: false });
  });
  it('stored values win; malformed ones fall back', () => {
    const s = storage(JSON.stringify({ locale: 'en', theme: 'purple', presentation: true }));
    expect(loadPrefs({ storage: s, languages: ['ko'] })).toEqual({ locale: 'en', theme: 'dark', presentation: true, notifications: false });
    expect(loadPrefs({ storage: storage('{not json'), languages: [] }).locale).toBe('en');
  });
  it('round-trips through storage, and survives a storage that throws', () => {
    const s = storage();
    savePrefs(s, { locale: 'ko', theme: 'light', presentation: true, notifications: true });
    expect(loadPrefs({ storage: s })).toEqual({ locale: 'ko', theme: 'light', presentation: true, notifications: true });
    expect(() => savePrefs({ getItem: () => null, setItem: () => { throw new Error('full'); } }, loadPrefs({}))).not.toThrow();
  });
});

describe('i18n', () => {
  it.each([
    [['ko-KR'], 'ko'],
    [['en-US', 'ko'], 'en'],
    [['fr-FR', 'ko-KR'], 'ko'],
    [['fr'], 'en'],
    [undefined, 'en'],
  ] as const)('%j → %s', (langs, locale) => expect(detectLocale(langs)).toBe(locale));
  it('fills placeholders and names the handoff button as agreed', () => {
    expect(translate('en', 'conv.heard', { heard: '1.4 s', reply: '3.2 s' })).toBe('Interrupted — heard 1.4 s of 3.2 s');
    expect(translate('en', 'call.handoff')).toBe('Hand off');
    expect(translate('ko', 'call.handoff')).toBe('상담원 연결');
  });
  it('every Korean string is translated (not left in English) except names and units', () => {
    const same = Object.keys(STRINGS.en).filter((k) => STRINGS.en[k as keyof typeof STRINGS.en] === STRINGS.ko[k as keyof typeof STRINGS.ko]);
    expect(same.every((k) => /^(app\.title|svc\.(twiml|tts|s3|twilio)|callmode\.|time\.ms)/.test(k))).toBe(true);
  });
});
