// What the soak reads of its host from /proc (Linux; elsewhere the figures are -1).
import { readFileSync } from 'node:fs';

/**
 * RssAnon and RssFile from a /proc/<pid>/status text, in MB: anonymous pages (malloc, V8's heaps) against
 * file-backed ones (the node binary and shared libraries, paged in as code first runs). Only the first can leak.
 */
export function rssSplit(status: string): { rssAnonMb: number; rssFileMb: number } {
  const kb = (name: string) => Number(new RegExp(`^${name}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? Number.NaN);
  const toMb = (k: number) => (Number.isFinite(k) ? Math.round((k / 1024) * 10) / 10 : -1);
  return { rssAnonMb: toMb(kb('RssAnon')), rssFileMb: toMb(kb('RssFile')) };
}

export const readStatus = (): string => {
  try {
    return readFileSync('/proc/self/status', 'utf8');
  } catch {
    return '';
  }
};
