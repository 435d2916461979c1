// Small display formatters shared by the views (pure).
import type { Call } from '../../shared/model';

/** 0:07, 2:14, 1:02:03 */
export function formatDuration(ms: number): string {
  const total = Math.max(0, Math.floor(ms / 1000));
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = total % 60;
  const ss = String(s).padStart(2, '0');
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${ss}` : `${m}:${ss}`;
}

/** 312 ms, 1.4 s, 12 s */
export function formatMs(ms: number | undefined): string {
  if (ms === undefined || !Number.isFinite(ms)) return '—';
  const abs = Math.abs(ms);
  if (abs < 1000) return `${Math.round(ms)} ms`;
  if (abs < 10_000) return `${(ms / 1000).toFixed(1)} s`;
  return `${Math.round(ms / 1000)} s`;
}

/** How long the call has lasted, to now or to its end. */
export function callDuration(call: Pick<Call, 'startedAt' | 'endedAt'>, now: number): number {
  return (call.endedAt ?? now) - call.startedAt;
}

/** An E.164 number grouped for reading: +82 10-5550-1234, +82 2-555-1234, +1 415-555-0123; anything else as is. */
export function formatPhone(number: string): string {
  const kr = /^\+82(1\d|2|[3-6]\d|70|80)(\d{3,4})(\d{4})$/.exec(number);
  if (kr) return `+82 ${kr[1]}-${kr[2]}-${kr[3]}`;
  const nanp = /^\+1(\d{3})(\d{3})(\d{4})$/.exec(number);
  if (nanp) return `+1 ${nanp[1]}-${nanp[2]}-${nanp[3]}`;
  return number;
}

/** The number to show: masked in presentation mode, else the full number, grouped. */
export function displayNumber(call: Pick<Call, 'from' | 'fromMasked'>, presentation: boolean): string {
  if (presentation) return call.fromMasked || call.from.replace(/\d(?=\d{4})/g, '•');
  return call.from ? formatPhone(call.from) : call.fromMasked;
}

/** Local clock time hh:mm:ss.mmm for the events log. */
export function clockTime(at: number, withMs = false): string {
  const d = new Date(at);
  const pad = (n: number, w = 2) => String(n).padStart(w, '0');
  const base = `${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
  return withMs ? `${base}.${pad(d.getMilliseconds(), 3)}` : base;
}

/** yyyy-mm-dd hh:mm in local time for history rows. */
export function dateTime(at: number): string {
  const d = new Date(at);
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${pad(d.getHours())}:${pad(d.getMinutes())}`;
}
