// Keeps `npm run bench` working: runs `bench/run.ts --smoke` (tiny n, every suite, real processes on
// loopback) and checks the machinery and the JSON, not the numbers (benchmarks are not timed tests).
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { BenchReport, Row } from '../bench/lib/report';

const out = mkdtempSync(join(tmpdir(), 'bench-smoke-'));
afterAll(() => rmSync(out, { recursive: true, force: true }));

function runSmoke(): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'bench/run.ts', '--smoke', `--out=${out}`], { cwd: join(__dirname, '..'), stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (d) => (output += d));
    child.stderr.on('data', (d) => (output += d));
    const killer = setTimeout(() => child.kill('SIGKILL'), 170_000);
    child.on('exit', (code) => {
      clearTimeout(killer);
      resolve({ code, output });
    });
  });
}

describe('npm run bench -- --smoke', () => {
  it('runs every suite and writes the report', { timeout: 180_000 }, async () => {
    const { code, output } = await runSmoke();
    expect(code, output.slice(-3000)).toBe(0);
    const file = join(out, 'smoke.json');
    expect(existsSync(file)).toBe(true);
    const report = JSON.parse(readFileSync(file, 'utf8')) as BenchReport;
    expect(report.smoke).toBe(true);
    expect(report.machine.cores).toBeGreaterThan(0);
    expect(report.machine.node).toBe(process.version);
    expect(report.notes.filter((n) => n.includes('FAILED'))).toEqual([]);

    const rows = (suite: string) => report.rows.filter((r) => r.suite === suite);
    for (const r of report.rows) {
      expect(Object.keys(r)).toEqual(expect.arrayContaining(['name', 'unit', 'p50', 'p99', 'max', 'n']));
    }
    const named = (suite: string, part: string): Row => {
      const row = rows(suite).find((r) => r.name.includes(part));
      expect(row, `${suite}: ${part}`).toBeDefined();
      return row!;
    };
    // every sender ran and was heard, byte for byte
    for (const kind of ['ours', 'timeout-chain', 'burst']) {
      expect(named('pacing', `lateness beyond lead, 2 streams, ${kind}`).n).toBeGreaterThan(0);
      expect(named('pacing', `underruns per stream, 2 streams, ${kind}`).note).toContain('byte-exact 2/2');
    }
    expect(named('pacing', 'lateness beyond lead, 2 streams, ours').ratio).not.toBeUndefined();
    expect(named('ttfa', 'one stream at a time, s3rver').n).toBe(3);
    expect(named('bargein', 'all speech fixtures').n).toBe(1);
    expect(named('bargein', 'false triggers').n).toBe(1);
    expect(rows('capacity')).toHaveLength(1);
    // streamed conversations: every turn answered and split (synthesis, poll wait, the host's share)
    expect(named('turns', "host's own share (total - synthesis - poll wait), 1 concurrent conversation").n).toBe(2);
    expect(named('turns', 'final transcript POST -> first frame of the answer on the wire, 3 concurrent').n).toBe(6);
    // the model A/B: both arms ran, and the model woke on the speaking streams
    expect(named('modelcost', 'host CPU, 6 streams, BARGE_IN_MODEL=energy').n).toBe(1);
    expect(named('modelcost', 'Silero windows per speaking stream per second').p50).toBeGreaterThan(0);
    if (existsSync('/usr/bin/chromium') && existsSync(join(__dirname, '../out/renderer/index.html'))) {
      expect(named('console', 'renderer frame rate, 3 live calls, call list').n).toBeGreaterThan(0);
    }
  });
});
