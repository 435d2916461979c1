// A PartStore whose S3 GETs run in a worker thread (s3-worker.ts), so the SDK's CPU cost stays off the
// media thread's event loop. Same contract as S3PartStore: null = not there yet, TtsError otherwise.
import type { Worker } from 'node:worker_threads';
import { spawnWorkerScript } from '../workers/spawn';
import type { Config } from '../config/load';
import type { StoreReply, StoreRequest } from './store-protocol';
import { TransientStoreError, TtsError, type PartStore } from './types';

type Got = { bytes: Buffer; lastModified?: number } | null;

interface Pending {
  resolve(got: Got): void;
  reject(err: unknown): void;
  cleanup(): void;
}

/** The worker script: bundled next to the entry (out/main/s3-worker.js), or the TypeScript source under tsx/vitest. */
function spawnWorker(config: Config): Worker {
  try {
    return spawnWorkerScript({ bundled: 's3-worker.js', source: new URL('./s3-worker.ts', import.meta.url) }, { workerData: { config }, name: 'front-door-s3' });
  } catch (err) {
    throw new TtsError(err instanceof Error ? err.message : String(err), 'store');
  }
}

export class WorkerPartStore implements PartStore {
  private worker: Worker | null = null;
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;
  private closed = false;

  constructor(
    private readonly config: Config,
    private readonly where: string,
  ) {}

  get(key: string, signal?: AbortSignal): Promise<Got> {
    if (this.closed) return Promise.reject(new TtsError('the part store is closed', 'store'));
    if (signal?.aborted) return Promise.reject(signal.reason);
    const worker = this.ensureWorker();
    const id = this.nextId++;
    return new Promise<Got>((resolve, reject) => {
      const onAbort = () => {
        this.pending.delete(id);
        worker.postMessage({ type: 'abort', id } satisfies StoreRequest);
        reject(signal!.reason);
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      this.pending.set(id, { resolve, reject, cleanup: () => signal?.removeEventListener('abort', onAbort) });
      worker.postMessage({ type: 'get', id, key } satisfies StoreRequest);
    });
  }

  describe(): string {
    return `s3://${this.config.settings.TTS_BUCKET} at ${this.where} (worker thread)`;
  }

  async close(): Promise<void> {
    this.closed = true;
    const worker = this.worker;
    this.worker = null;
    this.failAll(new TtsError('the part store closed', 'store'));
    await worker?.terminate();
  }

  private ensureWorker(): Worker {
    if (this.worker) return this.worker;
    const worker = spawnWorker(this.config);
    worker.on('message', (reply: StoreReply) => this.settle(reply));
    worker.on('error', (err) => this.failAll(new TransientStoreError(`the S3 worker failed: ${err.message}`, 'store', err)));
    worker.on('exit', (code) => {
      if (this.worker === worker) this.worker = null; // the next get() starts a fresh one
      if (!this.closed) this.failAll(new TransientStoreError(`the S3 worker exited (${code})`, 'store'));
    });
    this.worker = worker;
    return worker;
  }

  private settle(reply: StoreReply): void {
    const p = this.pending.get(reply.id);
    if (!p) return; // aborted meanwhile
    this.pending.delete(reply.id);
    p.cleanup();
    if (reply.ok) {
      const b = reply.bytes;
      p.resolve(b ? { bytes: Buffer.from(b.buffer, b.byteOffset, b.byteLength), lastModified: reply.lastModified } : null);
    } else {
      const { message, kind, transient } = reply.error;
      p.reject(transient ? new TransientStoreError(message, kind) : new TtsError(message, kind));
    }
  }

  private failAll(err: Error): void {
    for (const p of this.pending.values()) {
      p.cleanup();
      p.reject(err);
    }
    this.pending.clear();
  }
}
