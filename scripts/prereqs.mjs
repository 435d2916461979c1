// What `npm test` needs from the machine besides node_modules: Debian's chromium (the e2e browser), espeak-ng and sox
// (the demo's Korean voice, which tests exercise). planPrereqs is pure (what is present × are we root with apt) and
// tested in test/prereqs.test.ts; ensurePrereqs does the looking and the installing. Either everything is there,
// or it installs it (root with apt), or it stops at once with the one command to run — never a wall of errors.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

/** Debian packages by the tool they give; fonts only make screenshots readable (never a reason to stop). */
export const REQUIRED = [
  { tool: 'chromium', pkg: 'chromium' },
  { tool: 'espeak-ng', pkg: 'espeak-ng' },
  { tool: 'sox', pkg: 'sox' },
];
export const OPTIONAL = [{ tool: 'fonts-noto-cjk', pkg: 'fonts-noto-cjk' }];

/**
 * @param {{ present: Record<string, boolean>, root: boolean, apt: boolean }} m
 * @returns {{ action: 'none' } | { action: 'install', packages: string[], command: string } | { action: 'stop', missing: string[], command: string, message: string }}
 */
export function planPrereqs(m) {
  const missing = REQUIRED.filter((r) => !m.present[r.tool]).map((r) => r.pkg);
  if (missing.length === 0) return { action: 'none' };
  const packages = [...missing, ...OPTIONAL.filter((o) => !m.present[o.tool]).map((o) => o.pkg)];
  const install = `apt-get update && apt-get install -y ${packages.join(' ')}`;
  if (m.root && m.apt) return { action: 'install', packages, command: install };
  const command = m.apt ? `sudo sh -c '${install}'` : `install ${missing.join(', ')} with your system's package manager (Debian: apt-get install -y ${packages.join(' ')})`;
  return {
    action: 'stop',
    missing,
    command,
    message: `npm test needs ${missing.join(', ')}, which ${missing.length > 1 ? 'are' : 'is'} not installed. Run:\n\n  ${command}\n\nthen npm test again.`,
  };
}

function has(cmd) {
  return spawnSync('sh', ['-c', `command -v ${cmd}`], { stdio: 'ignore' }).status === 0;
}

/** What this machine has (CHROMIUM_PATH counts for chromium, as playwright.config.ts uses it). */
export function detect() {
  const chromium = process.env.CHROMIUM_PATH ? existsSync(process.env.CHROMIUM_PATH) : existsSync('/usr/bin/chromium') || has('chromium');
  return {
    present: {
      chromium,
      'espeak-ng': has('espeak-ng'),
      sox: has('sox'),
      'fonts-noto-cjk': existsSync('/usr/share/fonts/opentype/noto'),
    },
    root: typeof process.getuid === 'function' && process.getuid() === 0,
    apt: has('apt-get'),
  };
}

/** Returns true when the machine is ready (after installing if it had to); prints the one command and returns false otherwise. */
export function ensurePrereqs(log = console.log) {
  const plan = planPrereqs(detect());
  if (plan.action === 'none') return true;
  if (plan.action === 'install') {
    log(`\n=== prerequisites: installing ${plan.packages.join(' ')} (${plan.command})`);
    const r = spawnSync('sh', ['-c', plan.command], { stdio: 'inherit', env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } });
    if (r.status === 0 && planPrereqs(detect()).action === 'none') return true;
    log(`\nnpm test: installing ${plan.packages.join(' ')} failed. Run:\n\n  ${plan.command}\n\nthen npm test again.`);
    return false;
  }
  log(`\n${plan.message}`);
  return false;
}
