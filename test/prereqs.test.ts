// ops: what `npm test` does about missing system tools, as a pure function of what is present and whether we are root.
import { describe, expect, it } from 'vitest';
// @ts-expect-error -- plain .mjs script without types
import { planPrereqs } from '../scripts/prereqs.mjs';

type Plan = { action: 'none' } | { action: 'install'; packages: string[]; command: string } | { action: 'stop'; missing: string[]; command: string; message: string };
const plan = planPrereqs as (m: { present: Record<string, boolean>; root: boolean; apt: boolean }) => Plan;
const all = { chromium: true, 'espeak-ng': true, sox: true, 'fonts-noto-cjk': true };

describe('planPrereqs', () => {
  it('nothing to do when the tools are there (fonts alone never stop the tests)', () => {
    expect(plan({ present: all, root: false, apt: true })).toEqual({ action: 'none' });
    expect(plan({ present: { ...all, 'fonts-noto-cjk': false }, root: false, apt: false })).toEqual({ action: 'none' });
  });

  it('root with apt: installs what is missing (and the CJK fonts when they are missing too)', () => {
    expect(plan({ present: { ...all, chromium: false, 'fonts-noto-cjk': false }, root: true, apt: true })).toEqual({
      action: 'install',
      packages: ['chromium', 'fonts-noto-cjk'],
      command: 'apt-get update && apt-get install -y chromium fonts-noto-cjk',
    });
  });

  it('not root: stops at once with the one command to run', () => {
    const p = plan({ present: { ...all, chromium: false, sox: false }, root: false, apt: true });
    expect(p).toMatchObject({ action: 'stop', missing: ['chromium', 'sox'], command: "sudo sh -c 'apt-get update && apt-get install -y chromium sox'" });
    expect(p.action === 'stop' && p.message).toMatch(/^npm test needs chromium, sox, which are not installed\. Run:\n\n {2}sudo sh -c/);
  });

  it('no apt (not Debian): says what to install, by name', () => {
    const p = plan({ present: { ...all, 'espeak-ng': false }, root: true, apt: false });
    expect(p).toMatchObject({ action: 'stop', missing: ['espeak-ng'] });
    expect(p.action === 'stop' && p.command).toMatch(/^install espeak-ng with your system's package manager/);
  });
});
