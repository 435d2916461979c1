#!/usr/bin/env node
// `npm test`: prerequisites (scripts/prereqs.mjs), typecheck, lint, Vitest (unit + integration), build, Playwright e2e — every suite runs,
// and the last line adds them up as `N passed, N failed` (what CI reads).
import { spawnSync } from 'node:child_process';
import { readFileSync, existsSync, rmSync } from 'node:fs';
import { ensurePrereqs } from './prereqs.mjs';

// chromium, espeak-ng, sox: installed here when we can (root with apt), else one command to run and stop now
if (process.env.FRONT_DOOR_SKIP_PREREQS !== '1' && !ensurePrereqs()) process.exit(2);

const steps = [];
let passed = 0;
let failed = 0;

function run(name, cmd, args, opts = {}) {
  const started = Date.now();
  console.log(`\n=== ${name}: ${cmd} ${args.join(' ')}`);
  const r = spawnSync(cmd, args, { stdio: 'inherit', env: { ...process.env, ...opts.env } });
  const ok = r.status === 0;
  steps.push({ name, ok, seconds: ((Date.now() - started) / 1000).toFixed(1) });
  return ok;
}

/** A check that is one pass or one fail (typecheck, lint, build). */
function check(name, cmd, args) {
  if (run(name, cmd, args)) passed++;
  else failed++;
}

check('typecheck', 'npx', ['tsc', '-p', 'tsconfig.node.json', '--noEmit']);
check('typecheck (renderer)', 'npx', ['tsc', '-p', 'tsconfig.web.json', '--noEmit']);
check('typecheck (e2e)', 'npx', ['tsc', '-p', 'tsconfig.e2e.json', '--noEmit']);
check('lint', 'npx', ['eslint', '.']);

rmSync('test-results/vitest.json', { force: true });
const vitestOk = run('vitest', 'npx', ['vitest', 'run', '--reporter=default', '--reporter=json', '--outputFile=test-results/vitest.json']);
if (existsSync('test-results/vitest.json')) {
  const r = JSON.parse(readFileSync('test-results/vitest.json', 'utf8'));
  passed += r.numPassedTests;
  failed += r.numFailedTests;
  if (!vitestOk && r.numFailedTests === 0) failed++; // a suite that failed to load
} else failed++;

const built = run('build', 'npx', ['electron-vite', 'build']);
if (built) passed++;
else failed++;

if (built) {
  rmSync('test-results/e2e.json', { force: true });
  const e2eOk = run('e2e', 'npx', ['playwright', 'test'], { env: { PLAYWRIGHT_JSON_OUTPUT_NAME: 'test-results/e2e.json' } });
  if (existsSync('test-results/e2e.json')) {
    const r = JSON.parse(readFileSync('test-results/e2e.json', 'utf8'));
    passed += r.stats.expected + (r.stats.flaky ?? 0);
    failed += r.stats.unexpected;
    if (!e2eOk && r.stats.unexpected === 0) failed++;
  } else failed++;
}

console.log('\nSummary:');
for (const s of steps) console.log(`  ${s.ok ? 'ok  ' : 'FAIL'} ${s.name} (${s.seconds}s)`);
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);
