// One media worker (MEDIA_WORKERS, thread or process alike): the media server with its sessions, pacer, TTS pipeline
// and part store, the barge-in detector and the recordings, wired to the host through MediaSide (media-side.ts) over
// a Channel. A thread listens on WS_PORT itself (data.listen); a process is handed accepted sockets by the host.
// Posts `ready` with the bound port (0: sockets are handed over), or `failed`.
import { createServer } from 'node:http';
import type { Socket } from 'node:net';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { createLogger } from '../../log';
import { Recorder } from '../../monitor/recorder';
import { listen, PortError } from '../../net/listen';
import { createTtsPipeline } from '../../tts/pipeline';
import { createPartStore } from '../../tts/store';
import { detectorFor } from '../bargein/factory';
import { realTimers } from '../pacer';
import { createMediaServer } from '../server';
import { MediaSide } from './media-side';
import type { FromMedia, MediaWorkerData, ToMedia } from './protocol';

/** How a media worker talks to the host: a worker thread's port or a child process's IPC channel. */
export interface Channel {
  post(m: FromMedia): void;
  onMessage(fn: (m: ToMedia) => void): void;
  /** Process workers: an accepted connection the host handed over (paused). */
  onSocket?(fn: (socket: Socket) => void): void;
  close(): void;
}

export function runMediaWorker(channel: Channel, data: MediaWorkerData): void {
  const s = data.config.settings;
  const post = (m: FromMedia) => channel.post(m);
  const log = createLogger(s.LOG_LEVEL, { write: (line: string) => post({ type: 'log', line }) }).child({ thread: 'media' });

  const store = createPartStore(data.config, { folder: data.partFolder ?? undefined, offThread: s.S3_OFF_THREAD });
  const tts = createTtsPipeline({ config: data.config, log: log.child({ part: 'tts' }), store, ttsUrl: s.TTS_URL ?? '', noticeBase: () => data.noticeBase, noticeTokens: (token, open) => side.post({ type: 'token', token, open }) });
  const recorder = s.RECORDINGS ? new Recorder({ dir: data.recordingsDir, log: log.child({ part: 'recording' }), now: Date.now, callStartedAt: (sid) => side.startedAt(sid) }) : null;
  const side: MediaSide = new MediaSide({
    post,
    timers: realTimers,
    streams: () => media.activeStreams(),
    partNotice: (token, notice) => tts.notice?.(token, notice) ?? false,
    callEnded: (sid) => void recorder?.callEnded(sid),
  });
  const createDetector = detectorFor(s, log.child({ part: 'bargein' }));
  const { base, media: mediaUrl } = data.urls;
  const media = createMediaServer({
    config: data.config,
    registry: side.registry,
    log: log.child({ part: 'media' }),
    urls: { base, media: mediaUrl, abs: (p) => base + (p.startsWith('/') ? p : `/${p}`) },
    tts,
    authToken: data.authToken,
    attach: side.attach,
    createDetector,
    taps: (callSid, streamSid) => [side.tap(callSid, streamSid), recorder?.tap(callSid, streamSid) ?? null].filter((t) => t !== null),
    admission: side.gate,
    onStreams: () => side.streamsChanged(),
    notices: { post: (notice, key) => (side.post({ type: 'notice', notice, ...(key ? { key } : {}) }), null) },
  });
  const server = createServer((_req, res) => res.writeHead(426, { 'content-type': 'text/plain' }).end('Media Streams WebSocket: connect with an upgrade to /media'));
  server.on('upgrade', (req, socket, head) => media.handleUpgrade(req, socket, head));

  async function stop(): Promise<void> {
    side.abandon();
    await media.stop().catch((err: unknown) => log.error({ err }, 'media stop failed'));
    await createDetector?.close().catch(() => undefined);
    await tts.stop().catch((err: unknown) => log.error({ err }, 'tts stop failed'));
    store.close?.();
    await recorder?.stop();
    server.closeAllConnections();
    if (server.listening) await new Promise<void>((r) => server.close(() => r()));
    loop.disable();
    side.flush();
    post({ type: 'stopped' });
    channel.close();
  }

  const loop = monitorEventLoopDelay({ resolution: 10 });
  loop.enable();

  channel.onMessage((m: ToMedia) => {
    if (m.type === 'stop') return void stop();
    if (m.type === 'loopDelay') {
      const ms = (ns: number) => Math.round(ns / 1e4) / 100;
      post({ type: 'loopDelay', delay: { p50: ms(loop.percentile(50)), p99: ms(loop.percentile(99)), max: ms(loop.max) } });
      return loop.reset();
    }
    try {
      side.receive(m);
    } catch (err) {
      log.error({ err, type: m.type }, 'media thread: a message from the host failed');
    }
  });

  channel.onSocket?.((socket) => {
    socket.setNoDelay(true);
    server.emit('connection', socket);
    socket.resume();
  });
  // ready once the barge-in model has loaded: a worker's first streams get the same detector as every later one
  const modelLoaded = createDetector?.ready() ?? Promise.resolve();
  if (!data.listen) return void modelLoaded.then(() => post({ type: 'ready', port: 0 }));
  modelLoaded.then(() => listen(server, s.WS_PORT, s.BIND_ADDRESS, 'WS_PORT')).then(
    (bound) => post({ type: 'ready', port: bound }),
    (err: unknown) =>
      post(err instanceof PortError ? { type: 'failed', message: err.message, setting: err.setting, port: err.port } : { type: 'failed', message: String(err) }),
  );
}
