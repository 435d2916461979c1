// `npm run bench`: runs every benchmark, prints the table, writes bench/out/latest.json and refreshes the
// generated part of docs/BENCHMARKS.md. `--smoke`: tiny n, checks the machinery (CI keeps it working);
// it writes bench/out/smoke.json and leaves latest.json and the doc alone; so does --only=a,b (only-a-b.json).
// Options: --only=pacing,ttfa,bargein,console,turns,modelcost  --out=DIR  --doc=PATH|none  --no-profile
// --streams=N[,floor:N…]: the pacing suite runs only ours (or the wire floor) at those counts (a development run:
// the doc is left alone).
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { machineInfo } from './lib/machine';
import { generatedSection, refreshDoc, textTable, type BenchReport, type Row } from './lib/report';
import { docTemplate } from './lib/doc-template';
import { bargeInSuite } from './suites/bargein';
import { consoleSuite } from './suites/console';
import { pacingSuite } from './suites/pacing';
import { ttfaSuite } from './suites/ttfa';
import { turnsSuite } from './suites/turns';
import { modelCostSuite } from './suites/modelcost';
import type { StreamStep, Suite, SuiteContext } from './suites/types';

const SUITES: Suite[] = [ttfaSuite, bargeInSuite, pacingSuite, consoleSuite, turnsSuite, modelCostSuite];

export interface RunOptions {
  smoke: boolean;
  only: string[] | null;
  outDir: string;
  doc: string | null;
  profile: boolean;
  streams: StreamStep[] | null;
}

/** `300` (ours), `floor:300` (the wire floor) or `simple:300` (the simplest complete host); null otherwise. */
export function parseStep(x: string): StreamStep | null {
  const m = /^(?:(floor|simple):)?(\d+)$/.exec(x);
  const n = m ? Number(m[2]) : Number.NaN;
  return m && n >= 1 && n <= 5000 ? { n, kind: m[1] === 'floor' || m[1] === 'simple' ? m[1] : 'ours' } : null;
}

export function parseArgs(argv: string[], root: string): RunOptions {
  const get = (name: string) => argv.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3);
  const doc = get('doc');
  const only = get('only');
  const unknown = argv.filter((a) => !/^--(smoke|no-profile|only=.*|out=.*|doc=.*|streams=.*)$/.test(a));
  if (unknown.length) throw new Error(`unknown option(s): ${unknown.join(' ')} (use --smoke, --only=a,b, --out=DIR, --doc=PATH|none, --no-profile, --streams=N,N)`);
  const streamsArg = get('streams');
  const parsed = streamsArg === undefined ? null : streamsArg.split(',').map((x) => parseStep(x.trim()));
  const streams = parsed && parsed.every((x) => x !== null) ? (parsed as StreamStep[]) : null;
  if (parsed && (parsed.length === 0 || !streams)) throw new Error(`--streams takes stream counts from 1 to 5000, each optionally floor:N (the wire floor) or simple:N (the simplest complete host), comma-separated (got "${streamsArg}")`);
  const names = only ? only.split(',').map((s) => s.trim()).filter(Boolean) : null;
  const bad = names?.filter((n) => !SUITES.some((s) => s.name === n)) ?? [];
  if (bad.length) throw new Error(`unknown suite(s): ${bad.join(', ')}; known: ${SUITES.map((s) => s.name).join(', ')}`);
  const smoke = argv.includes('--smoke');
  return {
    smoke,
    only: names,
    outDir: resolve(get('out') ?? join(root, 'bench/out')),
    // a smoke, --streams or --only run never rewrites the real results' page unless asked to (it would replace
    // every suite's rows with its own)
    doc: doc === 'none' || ((smoke || streams || names) && doc === undefined) ? null : resolve(doc ?? join(root, 'docs/BENCHMARKS.md')),
    profile: !argv.includes('--no-profile'),
    streams,
  };
}

/** latest.json only for a full run: a smoke, a --streams or an --only run writes its own file. */
export function reportName(o: Pick<RunOptions, 'smoke' | 'streams'> & { only?: string[] | null }): string {
  return o.smoke ? 'smoke.json' : o.streams ? 'streams.json' : o.only ? `only-${o.only.join('-')}.json` : 'latest.json';
}

export async function runBench(o: RunOptions): Promise<BenchReport> {
  const started = performance.now();
  const machine = machineInfo();
  mkdirSync(o.outDir, { recursive: true });
  const profileDir = o.profile && !o.smoke ? join(o.outDir, 'profiles') : undefined;
  if (profileDir) mkdirSync(profileDir, { recursive: true });
  const rows: Row[] = [];
  const notes: string[] = [];
  const details: Record<string, unknown> = {};
  for (const suite of SUITES) {
    if (o.only && !o.only.includes(suite.name)) continue;
    const ctx: SuiteContext = {
      smoke: o.smoke,
      outDir: o.outDir,
      profileDir,
      streams: o.streams ?? undefined,
      log: (line) => console.log(line),
      note: (line) => notes.push(line),
      detail: (key, value) => (details[`${suite.name}: ${key}`] = value),
    };
    const t0 = performance.now();
    console.log(`\n▶ ${suite.name}${o.smoke ? ' (smoke)' : ''}`);
    try {
      rows.push(...(await suite.run(ctx)));
    } catch (err) {
      const message = err instanceof Error ? err.message.split('\n')[0] : String(err);
      notes.push(`${suite.name}: FAILED to run — ${message}`);
      console.error(`  ${suite.name} failed: ${err instanceof Error ? err.stack : String(err)}`);
    }
    console.log(`  (${((performance.now() - t0) / 1000).toFixed(0)} s)`);
  }
  const report: BenchReport = { generatedAt: new Date().toISOString(), smoke: o.smoke, durationS: (performance.now() - started) / 1000, machine, rows, notes };
  writeFileSync(join(o.outDir, reportName(o)), JSON.stringify({ ...report, details }, null, 2) + '\n');
  if (o.doc) {
    const existing = existsSync(o.doc) ? readFileSync(o.doc, 'utf8') : null;
    writeFileSync(o.doc, refreshDoc(existing, generatedSection(report), docTemplate));
  }
  return report;
}

const isMain = process.argv[1] && resolve(process.argv[1]) === new URL(import.meta.url).pathname;
if (isMain) {
  const root = new URL('..', import.meta.url).pathname;
  let options: RunOptions;
  try {
    options = parseArgs(process.argv.slice(2), root);
  } catch (err) {
    console.error(`bench: ${(err as Error).message}`);
    process.exit(2);
  }
  const report = await runBench(options);
  console.log(`\n${textTable(report.rows)}\n`);
  for (const n of report.notes) console.log(`- ${n}`);
  const failedSuites = report.notes.filter((n) => n.includes('FAILED to run')).length;
  console.log(`\nwrote ${join(options.outDir, reportName(options))}${options.doc ? ` and ${options.doc}` : ''} in ${report.durationS.toFixed(0)} s`);
  process.exit(failedSuites ? 1 : 0);
}
