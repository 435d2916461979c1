// UI preferences (locale, theme, presentation mode, desktop alerts), persisted in localStorage.
import { detectLocale, type Locale } from '../i18n/strings';

export type Theme = 'light' | 'dark';

export interface Prefs {
  locale: Locale;
  theme: Theme;
  presentation: boolean;
  notifications: boolean;
}

export const PREFS_KEY = 'frontdoor.prefs.v1';

export interface PrefsEnv {
  storage?: Pick<Storage, 'getItem' | 'setItem'> | null;
  languages?: readonly string[];
  prefersDark?: boolean;
}

/** Stored prefs over detected defaults; anything malformed falls back to the default. */
export function loadPrefs(env: PrefsEnv): Prefs {
  const defaults: Prefs = {
    locale: detectLocale(env.languages),
    theme: env.prefersDark === false ? 'light' : 'dark',
    presentation: false,
    notifications: false,
  };
  let stored: Partial<Record<keyof Prefs, unknown>> = {};
  try {
    const raw = env.storage?.getItem(PREFS_KEY);
    if (raw) stored = JSON.parse(raw) as typeof stored;
  } catch {
    stored = {};
  }
  return {
    locale: stored.locale === 'ko' || stored.locale === 'en' ? stored.locale : defaults.locale,
    theme: stored.theme === 'light' || stored.theme === 'dark' ? stored.theme : defaults.theme,
    presentation: typeof stored.presentation === 'boolean' ? stored.presentation : defaults.presentation,
    notifications: typeof stored.notifications === 'boolean' ? stored.notifications : defaults.notifications,
  };
}

export function savePrefs(storage: PrefsEnv['storage'], prefs: Prefs): void {
  try {
    storage?.setItem(PREFS_KEY, JSON.stringify(prefs));
  } catch {
    // storage full or disabled: prefs simply do not persist
  }
}

/** The browser's environment, read once at start-up. */
export function browserPrefsEnv(): PrefsEnv {
  const w = typeof window === 'undefined' ? undefined : window;
  let storage: Storage | null = null;
  try {
    storage = w?.localStorage ?? null;
  } catch {
    storage = null;
  }
  return {
    storage,
    languages: w?.navigator?.languages?.length ? w.navigator.languages : w?.navigator?.language ? [w.navigator.language] : [],
    prefersDark: w?.matchMedia ? w.matchMedia('(prefers-color-scheme: dark)').matches : undefined,
  };
}
