// Credentials inside URLs (`https://user:pass@host/…`, allowed in TTS_URL and any URL setting) never leave the host:
// every string that may carry a setting's value on its way to a console, a log, an event or an error goes
// through stripUrlCredentials first. Pure; the pattern matches any scheme's userinfo, with or without a password.
const USERINFO = /\b([a-z][a-z0-9+.-]*:\/\/)[^\s/?#@"'<>]+@/gi;

/** `scheme://user:pass@host` → `scheme://host`, anywhere in the text. */
export function stripUrlCredentials(text: string): string {
  return text.includes('@') ? text.replace(USERINFO, '$1') : text;
}

/** The same, through objects and arrays (a copy; only strings change). Depth-limited, cycle-safe. */
export function scrubCredentials<T>(value: T, depth = 0, seen = new WeakSet<object>()): T {
  if (typeof value === 'string') return stripUrlCredentials(value) as T;
  if (typeof value !== 'object' || value === null || depth > 8 || seen.has(value)) return value;
  seen.add(value);
  if (Array.isArray(value)) return value.map((v) => scrubCredentials(v, depth + 1, seen)) as T;
  if (value instanceof Error) {
    const e = Object.assign(Object.create(Object.getPrototypeOf(value) as object) as Error, value);
    e.message = stripUrlCredentials(value.message);
    if (value.stack) e.stack = stripUrlCredentials(value.stack);
    return e as T;
  }
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) out[k] = scrubCredentials(v, depth + 1, seen);
  return out as T;
}
