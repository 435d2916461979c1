// What every benchmark suite gets and gives.
import type { Row } from '../lib/report';

export interface SuiteContext {
  smoke: boolean;
  /** bench/out (or the smoke test's temp folder). */
  outDir: string;
  /** Where CPU profiles go (undefined: no profiles). */
  profileDir?: string;
  /** `--streams=N,…`: the pacing suite runs only ours at these stream counts (development runs; no doc). */
  streams?: number[];
  log(line: string): void;
  /** Facts for the report's run notes. */
  note(line: string): void;
  /** Structured details for latest.json (per suite). */
  detail(key: string, value: unknown): void;
}

export interface Suite {
  name: string;
  run(ctx: SuiteContext): Promise<Row[]>;
}
