// Public URLs Twilio uses to reach us, derived from PUBLIC_URL (or the local ports in demo mode).
import type { Config } from './load';

export interface PublicUrls {
  /** Public http(s) base, no trailing slash. */
  base: string;
  /** Public ws(s) URL of the media stream (what <Stream url> says and what the upgrade signature covers). */
  media: string;
  /** Absolute public URL of a webhook path, e.g. abs('/handle_speech'). */
  abs(path: string): string;
}

export const MEDIA_PATH = '/media';

export function publicUrls(config: Config, httpPort: number): PublicUrls {
  const s = config.settings;
  const base = s.PUBLIC_URL ?? `http://127.0.0.1:${httpPort}`;
  const media = s.PUBLIC_WS_URL ?? base.replace(/^http/, 'ws') + MEDIA_PATH;
  return { base, media, abs: (path: string) => base + (path.startsWith('/') ? path : `/${path}`) };
}
