// Parent side of the bench's process split: fork a TypeScript child (through tsx) with an IPC channel and
// call it like a function. Every call has a timeout; stop() asks politely, then kills that one pid.
import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export interface ChildOptions {
  /** Shown in errors. */
  name: string;
  env?: Record<string, string>;
  /** Write a V8 CPU profile of the child into this folder when it exits (node --cpu-prof). */
  cpuProfDir?: string;
  /** Default timeout of one call. */
  timeoutMs?: number;
}

export interface ChildHandle {
  readonly name: string;
  readonly pid: number;
  call<T = unknown>(method: string, params?: unknown, timeoutMs?: number): Promise<T>;
  /** Messages the child pushes on its own ({event, ...}). */
  onEvent(listener: (event: string, data: unknown) => void): void;
  stop(): Promise<void>;
}

type Reply = { id: number; ok: true; result: unknown } | { id: number; ok: false; error: string };

export async function startChild(file: string | URL, options: ChildOptions): Promise<ChildHandle> {
  const path = typeof file === 'string' ? file : fileURLToPath(file);
  const execArgv = ['--import', 'tsx', ...(process.env.BENCH_EXEC_ARGV && options.name.startsWith('host') ? process.env.BENCH_EXEC_ARGV.split(' ') : [])];
  if (options.cpuProfDir) execArgv.push('--cpu-prof', `--cpu-prof-dir=${options.cpuProfDir}`);
  const child: ChildProcess = fork(path, [], {
    execArgv,
    // NODE_NO_WARNINGS: the AWS SDK's Node-version notice on every child drowns the bench's output
    env: { ...process.env, NODE_NO_WARNINGS: '1', ...options.env },
    serialization: 'advanced',
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void; timer: NodeJS.Timeout }>();
  const listeners: Array<(event: string, data: unknown) => void> = [];
  let nextId = 1;
  let exited = false;
  const exitedPromise = new Promise<void>((resolve) => child.once('exit', () => resolve()));

  const failAll = (why: string) => {
    for (const [id, p] of pending) {
      clearTimeout(p.timer);
      p.reject(new Error(`${options.name}: ${why}`));
      pending.delete(id);
    }
  };
  child.on('exit', (code, signal) => {
    exited = true;
    failAll(`exited (code ${code}, signal ${signal})`);
  });

  const ready = new Promise<void>((resolve, reject) => {
    const onExit = () => reject(new Error(`${options.name} exited before it was ready`));
    child.once('exit', onExit);
    child.on('message', (msg: unknown) => {
      const m = msg as { ready?: boolean; event?: string; data?: unknown } & Partial<Reply>;
      if (m.ready) {
        child.off('exit', onExit);
        resolve();
      } else if (typeof m.event === 'string') {
        for (const l of listeners) l(m.event, m.data);
      } else if (typeof m.id === 'number') {
        const p = pending.get(m.id);
        if (!p) return;
        pending.delete(m.id);
        clearTimeout(p.timer);
        if (m.ok) p.resolve(m.result);
        else p.reject(new Error(`${options.name}: ${(m as { error: string }).error}`));
      }
    });
  });
  const readyTimer = setTimeout(() => child.kill('SIGKILL'), 60_000);
  try {
    await ready;
  } finally {
    clearTimeout(readyTimer);
  }

  const handle: ChildHandle = {
    name: options.name,
    pid: child.pid!,
    call<T>(method: string, params?: unknown, timeoutMs = options.timeoutMs ?? 180_000): Promise<T> {
      if (exited) return Promise.reject(new Error(`${options.name} is not running`));
      const id = nextId++;
      return new Promise<T>((resolve, reject) => {
        const timer = setTimeout(() => {
          pending.delete(id);
          reject(new Error(`${options.name}: ${method} did not answer within ${timeoutMs} ms`));
        }, timeoutMs);
        pending.set(id, { resolve: resolve as (v: unknown) => void, reject, timer });
        child.send({ id, method, params });
      });
    },
    onEvent(listener) {
      listeners.push(listener);
    },
    async stop() {
      if (exited) return;
      try {
        await handle.call('shutdown', undefined, 20_000);
      } catch {
        // fall through to the kill below
      }
      const killTimer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exitedPromise;
      clearTimeout(killTimer);
    },
  };
  return handle;
}
