// What every benchmark suite gets and gives.
import type { Row } from '../lib/report';

export interface SuiteContext {
  smoke: boolean;
  /** bench/out (or the smoke test's temp folder). */
  outDir: string;
  /** Where CPU profiles go (undefined: no profiles). */
  profileDir?: string;
  /** `--streams=N,floor:N…`: the pacing suite runs only these steps (development runs; no doc). */
  streams?: StreamStep[];
  log(line: string): void;
  /** Facts for the report's run notes. */
  note(line: string): void;
  /** Structured details for latest.json (per suite). */
  detail(key: string, value: unknown): void;
}

export interface StreamStep {
  n: number;
  kind: 'ours' | 'floor' | 'simple';
}

export interface Suite {
  name: string;
  run(ctx: SuiteContext): Promise<Row[]>;
}
