// The e2e fixture: a real headless host (`out/main/serve.js`, demo mode) per test, on ephemeral ports,
// with a fresh DATA_DIR and a known console token. `restart()` keeps DATA_DIR (history must survive).
import { test as base, expect } from '@playwright/test';
import { fork, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const CONSOLE_TOKEN = 'e2e-console-token-0123456789';

export interface RunningHost {
  consoleUrl: string;
  dataDir: string;
  restart(): Promise<void>;
  /** Extra environment for the next (re)start, e.g. { AUTO_DEMO: 'true' }. */
  env: Record<string, string>;
  /** ops: the host's listening ports (to post signed webhooks at it). */
  ports: { http: number; ws: number };
}

async function startServe(dataDir: string, env: Record<string, string>): Promise<{ child: ChildProcess; consoleUrl: string; ports: { http: number; ws: number } }> {
  const child = fork('out/main/serve.js', [], {
    env: { ...process.env, DEMO: 'on', HTTP_PORT: '0', WS_PORT: '0', CONSOLE_PORT: '0', CONSOLE_TOKEN, DATA_DIR: dataDir, LOG_LEVEL: 'warn', ...env },
    stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
  });
  let output = '';
  child.stdout?.on('data', (d) => (output += d));
  child.stderr?.on('data', (d) => (output += d));
  let ports = { http: 0, ws: 0 };
  const consoleUrl = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`serve did not start in time:\n${output}`)), 30_000);
    child.on('message', (m: { ready?: boolean; consoleUrl?: string; ports?: { http: number; ws: number } }) => {
      if (m?.ready && m.consoleUrl) {
        clearTimeout(timer);
        if (m.ports) ports = m.ports;
        resolve(m.consoleUrl);
      }
    });
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`serve exited with ${code}:\n${output}`));
    });
  });
  return { child, consoleUrl, ports };
}

async function stopServe(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return;
  await new Promise<void>((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    child.kill('SIGTERM');
  });
}

export const test = base.extend<{ host: RunningHost; hostEnv: Record<string, string> }>({
  // ops: environment for the host's first start; a spec overrides it (e.g. live mode against stand-ins it starts)
  hostEnv: [{}, { option: true }],
  host: async ({ hostEnv }, use) => {
    const dataDir = mkdtempSync(join(tmpdir(), 'front-door-e2e-'));
    const env: Record<string, string> = { ...hostEnv };
    let running = await startServe(dataDir, env);
    const host: RunningHost = {
      get consoleUrl() {
        return running.consoleUrl;
      },
      dataDir,
      env,
      get ports() {
        return running.ports;
      },
      async restart() {
        await stopServe(running.child);
        running = await startServe(dataDir, env);
      },
    };
    await use(host);
    await stopServe(running.child);
    rmSync(dataDir, { recursive: true, force: true });
  },
});

export { expect };
