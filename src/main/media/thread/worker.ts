// The media worker's entry (bundled as out/main/media-worker.js): a worker thread (MEDIA_WORKERS=thread: the
// settings arrive as workerData) or a child process (MEDIA_WORKERS=N: an `init` message, then accepted sockets as
// `socket` messages carrying the handle). Everything else is run.ts.
import type { Socket } from 'node:net';
import { parentPort, workerData } from 'node:worker_threads';
import type { FromMedia, MediaWorkerData, ToMedia } from './protocol';
import { runMediaWorker, type Channel } from './run';

type Incoming = ToMedia | { type: 'init'; data: MediaWorkerData } | { type: 'socket' };

if (parentPort) {
  const port = parentPort;
  runMediaWorker(
    { post: (m) => port.postMessage(m), onMessage: (fn) => port.on('message', fn), close: () => port.close() },
    workerData as MediaWorkerData,
  );
} else if (process.send) {
  // a child process: never outlive the host (its IPC channel closing means the host is gone)
  process.on('disconnect', () => process.exit(0));
  let onMessage: ((m: ToMedia) => void) | null = null;
  let onSocket: ((s: Socket) => void) | null = null;
  const channel: Channel = {
    post: (m: FromMedia) => {
      if (process.connected) process.send!(m);
    },
    onMessage: (fn) => (onMessage = fn),
    onSocket: (fn) => (onSocket = fn),
    close: () => process.disconnect(),
  };
  process.on('message', (m: Incoming, handle?: Socket) => {
    if (m.type === 'init') return runMediaWorker(channel, m.data);
    if (m.type === 'socket') return handle ? onSocket?.(handle) : undefined;
    onMessage?.(m);
  });
} else {
  throw new Error('media/thread/worker.ts runs as a worker thread or a forked child process');
}
