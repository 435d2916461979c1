// Starts a worker thread (or forks a child process) from its script: the bundled entry next to the build's chunks (out/main/<name>.js), or the
// TypeScript source through tsx under vitest and `tsx` runs (no build step in development).
import { fork, type ChildProcess, type StdioOptions } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Worker, type WorkerOptions } from 'node:worker_threads';

/** `bundled`: the entry's file name in the build (electron.vite.config.ts); `source`: the .ts file's URL. */
export function spawnWorkerScript(script: { bundled: string; source: URL }, options: WorkerOptions): Worker {
  for (const rel of [`./${script.bundled}`, `../${script.bundled}`]) {
    const url = new URL(rel, import.meta.url);
    if (existsSync(fileURLToPath(url))) return new Worker(url, options);
  }
  if (existsSync(fileURLToPath(script.source))) {
    const href = JSON.stringify(script.source.href);
    return new Worker(`import('tsx/esm/api').then(({ tsImport }) => tsImport(${href}, ${href}))`, { ...options, eval: true });
  }
  throw new Error(`the worker script ${script.bundled} is missing from the build`);
}

/** Forks a child process from its script, the same way: the bundled entry under the running executable (Electron
 *  runs it as plain Node: ELECTRON_RUN_AS_NODE), or the TypeScript source through tsx. IPC with structured clone. */
export function forkWorkerScript(script: { bundled: string; source: URL }): ChildProcess {
  const options = { serialization: 'advanced' as const, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] as StdioOptions };
  const env = process.versions.electron ? { ...process.env, ELECTRON_RUN_AS_NODE: '1' } : process.env;
  for (const rel of [`./${script.bundled}`, `../${script.bundled}`]) {
    const url = new URL(rel, import.meta.url);
    if (existsSync(fileURLToPath(url))) return fork(fileURLToPath(url), [], { ...options, env, execArgv: [] });
  }
  if (existsSync(fileURLToPath(script.source))) return fork(fileURLToPath(script.source), [], { ...options, env, execArgv: ['--import', 'tsx'] });
  throw new Error(`the worker script ${script.bundled} is missing from the build`);
}
