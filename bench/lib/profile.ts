// Reads a V8 .cpuprofile (node --cpu-prof) and lists where the time went: self time by function and by
// package/folder, so a missed goal can be explained with the profile rather than guessed at.
import { readFileSync } from 'node:fs';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  hitCount?: number;
  children?: number[];
}

interface CpuProfile {
  nodes: ProfileNode[];
  startTime: number;
  endTime: number;
  samples: number[];
  timeDeltas: number[];
}

export interface Hotspot {
  what: string;
  selfMs: number;
  pct: number;
}

/** Where a file belongs: an npm package, a src/ folder, node internals. */
export function bucketOf(url: string): string {
  if (!url) return '(native/idle/gc)';
  const nm = url.lastIndexOf('node_modules/');
  if (nm >= 0) {
    const rest = url.slice(nm + 'node_modules/'.length).split('/');
    return rest[0].startsWith('@') ? `${rest[0]}/${rest[1]}` : rest[0];
  }
  if (url.startsWith('node:')) return url;
  const src = url.indexOf('/src/');
  if (src >= 0) return url.slice(src + 1).split('/').slice(0, 3).join('/');
  const bench = url.indexOf('/bench/');
  if (bench >= 0) return url.slice(bench + 1);
  return url;
}

export function hotspots(profile: CpuProfile, top = 15): { byFunction: Hotspot[]; byBucket: Hotspot[]; totalMs: number; idleMs: number } {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const self = new Map<number, number>();
  for (let i = 0; i < profile.samples.length; i++) self.set(profile.samples[i], (self.get(profile.samples[i]) ?? 0) + (profile.timeDeltas[i] ?? 0) / 1000);
  const fn = new Map<string, number>();
  const bucket = new Map<string, number>();
  let idleMs = 0;
  let totalMs = 0;
  for (const [id, ms] of self) {
    const n = byId.get(id)!;
    totalMs += ms;
    const name = n.callFrame.functionName;
    if (name === '(idle)' || name === '(program)') {
      if (name === '(idle)') idleMs += ms;
      continue;
    }
    const file = n.callFrame.url.split('/').slice(-2).join('/');
    const key = `${name || '(anonymous)'} ${file}:${n.callFrame.lineNumber + 1}`;
    fn.set(key, (fn.get(key) ?? 0) + ms);
    const b = name === '(garbage collector)' ? '(garbage collector)' : bucketOf(n.callFrame.url);
    bucket.set(b, (bucket.get(b) ?? 0) + ms);
  }
  const busy = totalMs - idleMs;
  const list = (m: Map<string, number>) =>
    [...m.entries()]
      .sort((a, b) => b[1] - a[1])
      .slice(0, top)
      .map(([what, selfMs]) => ({ what, selfMs: Math.round(selfMs), pct: Math.round((selfMs / busy) * 1000) / 10 }));
  return { byFunction: list(fn), byBucket: list(bucket), totalMs, idleMs };
}

export function readProfile(file: string): CpuProfile {
  return JSON.parse(readFileSync(file, 'utf8')) as CpuProfile;
}

export interface Stretch {
  atMs: number;
  durMs: number;
  /** Self time inside the stretch, by bucket (package/folder). */
  top: Hotspot[];
}

/** The longest runs of consecutive busy samples: what held the event loop when it stalled. */
export function longestStretches(profile: CpuProfile, count = 5, top = 5): Stretch[] {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const stretches: Array<{ at: number; dur: number; ids: Map<number, number> }> = [];
  let t = 0;
  let cur: { at: number; dur: number; ids: Map<number, number> } | null = null;
  for (let i = 0; i < profile.samples.length; i++) {
    const dt = (profile.timeDeltas[i] ?? 0) / 1000;
    t += dt;
    const name = byId.get(profile.samples[i])?.callFrame.functionName;
    if (name === '(idle)') {
      if (cur) stretches.push(cur);
      cur = null;
      continue;
    }
    if (!cur) cur = { at: t, dur: 0, ids: new Map() };
    cur.dur += dt;
    cur.ids.set(profile.samples[i], (cur.ids.get(profile.samples[i]) ?? 0) + dt);
  }
  if (cur) stretches.push(cur);
  return stretches
    .sort((a, b) => b.dur - a.dur)
    .slice(0, count)
    .map((s) => {
      const buckets = new Map<string, number>();
      for (const [id, ms] of s.ids) {
        const n = byId.get(id)!;
        const b = n.callFrame.functionName === '(garbage collector)' ? '(garbage collector)' : `${bucketOf(n.callFrame.url)} ${n.callFrame.functionName}`;
        buckets.set(b, (buckets.get(b) ?? 0) + ms);
      }
      const list = [...buckets.entries()].sort((a, b) => b[1] - a[1]).slice(0, top);
      return { atMs: Math.round(s.at), durMs: Math.round(s.dur), top: list.map(([what, ms]) => ({ what, selfMs: Math.round(ms * 10) / 10, pct: Math.round((ms / s.dur) * 100) })) };
    });
}
