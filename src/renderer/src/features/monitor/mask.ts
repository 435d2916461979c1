// Presentation mode in exports: the JSON export of a call carries the masked numbers only. Every object that has
// a number and its masked form (the call, its call.started event) gets the masked form in both places. Pure.

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

function mask(value: Json): Json {
  if (Array.isArray(value)) return value.map(mask);
  if (value === null || typeof value !== 'object') return value;
  const out: { [key: string]: Json } = {};
  for (const [k, v] of Object.entries(value)) out[k] = mask(v);
  for (const [plain, masked] of [['from', 'fromMasked'], ['to', 'toMasked']] as const) {
    if (typeof out[plain] === 'string' && typeof out[masked] === 'string') out[plain] = out[masked];
  }
  return out;
}

/** The export text with every caller/called number replaced by its masked form. */
export function maskExport(text: string): string {
  return JSON.stringify(mask(JSON.parse(text) as Json), null, 2);
}
