// The S3 poller's worker thread (S3_OFF_THREAD=true): every poll GET's work (signing, HTTP, TLS where used, error
// XML, GC) runs here, off the media thread. It was the default while GETs went through the SDK (~55% of the busy
// time at 100 streams); with the lean GET of s3-get.ts in-process reads had the better first audio in the bench.
import { parentPort, workerData } from 'node:worker_threads';
import type { Config } from '../config/load';
import type { StoreReply, StoreRequest } from './store-protocol';
import { createPartStore } from './store';
import { TransientStoreError, TtsError } from './types';

const port = parentPort;
if (!port) throw new Error('s3-worker.ts must run in a worker thread');

const store = createPartStore(workerData.config as Config);
const inFlight = new Map<number, AbortController>();

function replyError(id: number, err: unknown): StoreReply {
  const tts = err instanceof TtsError ? err : new TransientStoreError(err instanceof Error ? err.message : String(err), 'store', err);
  return { id, ok: false, error: { message: tts.message, kind: tts.kind, transient: tts instanceof TransientStoreError } };
}

port.on('message', async (req: StoreRequest) => {
  if (req.type === 'abort') {
    inFlight.get(req.id)?.abort();
    inFlight.delete(req.id);
    return;
  }
  const controller = new AbortController();
  inFlight.set(req.id, controller);
  try {
    const got = await store.get(req.key, controller.signal);
    if (controller.signal.aborted) return; // the media thread has given up on it already
    const bytes = got ? new Uint8Array(got.bytes.buffer, got.bytes.byteOffset, got.bytes.byteLength) : null;
    const reply: StoreReply = { id: req.id, ok: true, bytes, lastModified: got?.lastModified };
    // transfer the part's memory instead of copying it when the buffer is ours alone
    port.postMessage(reply, bytes && bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength ? [bytes.buffer as ArrayBuffer] : []);
  } catch (err) {
    if (!controller.signal.aborted) port.postMessage(replyError(req.id, err));
  } finally {
    inFlight.delete(req.id);
  }
});

port.on('close', () => store.close?.());
