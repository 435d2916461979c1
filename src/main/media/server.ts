// The Media Streams WebSocket server: signed upgrade on /media (403 before accepting otherwise), at most
// MAX_STREAMS sockets (503 before accepting), one MediaSession per socket, one shared pacer (PACING_BATCH_FRAMES
// frames per socket write), one 250 ms timer for the pacing windows of all streams. A socket must send a start
// that admission accepts (admission.ts: a one-time grant the host issued with the call's <Stream>) within
// STREAM_START_TIMEOUT_MS, or it is closed (4408); a refused start closes it (4403) before anything is started.
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import twilio from 'twilio';
import { WebSocketServer, type WebSocket } from 'ws';
import type { Config } from '../config/load';
import { MEDIA_PATH, type PublicUrls } from '../config/urls';
import type { Logger } from '../log';
import { loadApologyAudio } from '../tts/apology';
import type { TtsPipeline } from '../tts/types';
import type { DetectorEvent, BargeInDetector } from './bargein/energy';
import { createPacer, realTimers, type Pacer, type TimerApi } from './pacer';
import type { NoticeHub } from '../console/notices';
import { CLOSE, type Admission, type StartClaim } from './admission';
import { MediaSession, type StreamControl, type StreamListener, type StreamRegistry } from './session';
import type { MediaTaps } from './tap';
import type { VadOptions } from './vad';

/** Admission as the media server sees it: StreamAdmission in process, a round trip to the main thread in the media
 *  thread (thread/worker.ts). `ticket` identifies the socket. */
export interface StreamGate {
  admit(start: StartClaim, ticket: object): Admission | Promise<Admission>;
  release(ticket: object): void;
}

export interface MediaDeps {
  config: Config;
  registry: StreamRegistry;
  log: Logger;
  urls: PublicUrls;
  tts: TtsPipeline;
  /** null = validation skipped. */
  authToken: string | null;
  pacer?: Pacer;
  now?: () => number;
  /** The conversation of a call, when it has one (the host's conversation manager). */
  attach?(control: StreamControl, start: { customParameters: Record<string, string> }): StreamListener | null;
  /** The barge-in detector of a stream (default: the energy Vad adapter, media/bargein/energy.ts). */
  createDetector?(onEvent: (e: DetectorEvent) => void): BargeInDetector;
  taps?: MediaTaps;
  /** Optional: the timers of the pacer, the pacing windows and the deferred registry events (tests). */
  timers?: TimerApi;
  vad?: Partial<VadOptions>;
  /** Decides every start (grants issued by the routes that answer calls with a <Stream>). */
  admission: StreamGate;
  /** The number of open sockets changed (media workers report it to the host, which caps streams across them). */
  onStreams?(open: number): void;
  /** Refusals the operator should see (over the cap, no start). */
  notices?: Pick<NoticeHub, 'post'>;
}

export interface MediaServer {
  /** The host calls this for upgrades on both WS_PORT and HTTP_PORT. */
  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void;
  activeStreams(): number;
  /** Closes every socket, stops the pacer, cancels every reply. */
  stop(): Promise<void>;
}

const WINDOW_MS = 250;

/** The header check: the signature covers the public wss URL with no params (also accepted with a trailing /). */
export function validUpgradeSignature(authToken: string, signature: string | undefined, mediaUrl: string): boolean {
  if (!signature) return false;
  return twilio.validateRequest(authToken, signature, mediaUrl, {}) || twilio.validateRequest(authToken, signature, `${mediaUrl}/`, {});
}

function refuse(socket: Duplex, status: number, text: string): void {
  socket.end(`HTTP/1.1 ${status} ${text}\r\nConnection: close\r\nContent-Type: text/plain\r\nContent-Length: ${text.length}\r\n\r\n${text}`);
}

export function createMediaServer(deps: MediaDeps): MediaServer {
  const s = deps.config.settings;
  const now = deps.now ?? Date.now;
  const timers = deps.timers ?? realTimers;
  // rel: the pacer keeps its own monotonic clock (not `now`): an NTP step must not silence or burst the streams
  const pacer = deps.pacer ?? createPacer({ leadMs: s.PACING_LEAD_MS, batchFrames: s.PACING_BATCH_FRAMES, timers, onError: (err) => deps.log.error({ err }, 'media: a stream failed in the pacer tick') });
  const wss = new WebSocketServer({ noServer: true, maxPayload: s.MAX_MEDIA_MESSAGE_BYTES, perMessageDeflate: false, clientTracking: false });
  const sockets = new Map<WebSocket, MediaSession>();
  let windowTimer: unknown = null;
  let stopped = false;

  /** One timer for the pacing windows of every stream, armed while streams exist. */
  const armWindows = () => {
    if (windowTimer !== null || stopped || sockets.size === 0) return;
    windowTimer = timers.set(() => {
      windowTimer = null;
      windows();
      armWindows();
    }, WINDOW_MS);
  };

  const windows = () => {
    const t = now();
    for (const session of sockets.values()) {
      try {
        session.windowTick(t);
      } catch (err) {
        deps.log.error({ err }, 'media: pacing window failed');
      }
    }
  };

  /** socket: the upgraded TCP socket under ws (the playout writes its pre-framed batches to it directly). */
  function accept(ws: WebSocket, socket: Duplex, remote: string | undefined): void {
    const ticket = {};
    let startTimer: unknown = timers.set(() => {
      startTimer = null;
      if (session.phase !== 'awaiting-start' && session.phase !== 'admitting') return;
      const reason = `no valid start within ${s.STREAM_START_TIMEOUT_MS} ms`;
      deps.log.warn({ remote }, `media stream closed: ${reason}`);
      deps.notices?.post({ level: 'warn', source: 'media', message: `Closed a media socket: ${reason}` }, 'media:no-start');
      session.end('no-start');
      ws.close(CLOSE.noStart, reason);
    }, s.STREAM_START_TIMEOUT_MS);
    const stopStartTimer = () => {
      if (startTimer !== null) timers.clear(startTimer);
      startTimer = null;
    };
    const session = new MediaSession({
      admit: (start) => {
        const admitted = deps.admission.admit(start.start, ticket);
        if (!(admitted instanceof Promise)) {
          if (admitted.ok) stopStartTimer();
          return admitted;
        }
        return admitted.then((a) => {
          if (a.ok) stopStartTimer();
          return a;
        });
      },
      registry: deps.registry,
      log: deps.log,
      tts: deps.tts,
      pacer,
      now,
      timers,
      bargeIn: s.BARGE_IN,
      endMarkSlackMs: s.END_MARK_SLACK_MS, // rel
      loadApology: () => loadApologyAudio(),
      minSpeechMs: s.BARGE_IN_MIN_SPEECH_MS,
      attach: deps.attach,
      createDetector: deps.createDetector,
      taps: deps.taps,
      vad: deps.vad,
      send: (data) => {
        if (ws.readyState === ws.OPEN) ws.send(data);
      },
      // pre-framed bytes go under ws, in order with its own sends (no compression: ws writes each send at once)
      write: (bytes) => {
        if (ws.readyState === ws.OPEN) socket.write(bytes);
      },
      cork: () => socket.cork(),
      uncork: () => socket.uncork(),
      close: (code, reason) => {
        deps.admission.release(ticket);
        ws.close(code, reason.slice(0, 120));
      },
    });
    sockets.set(ws, session);
    deps.onStreams?.(sockets.size);
    armWindows();
    ws.on('message', (data, isBinary) => session.handleRaw(data as Buffer, isBinary));
    ws.on('error', (err) => deps.log.warn({ err: err.message, streamSid: session.streamSid }, 'media socket error'));
    ws.on('close', (code) => {
      stopStartTimer();
      session.end(code === 1000 || code === 1005 ? 'socket-closed' : `socket-closed-${code}`);
      deps.admission.release(ticket);
      sockets.delete(ws);
      deps.onStreams?.(sockets.size);
      if (sockets.size === 0 && windowTimer !== null) {
        timers.clear(windowTimer);
        windowTimer = null;
      }
    });
  }

  return {
    handleUpgrade(req, socket, head) {
      socket.on('error', () => socket.destroy());
      if (stopped) return refuse(socket, 503, 'Service Unavailable');
      const url = req.url ?? '';
      if (url !== MEDIA_PATH && url !== `${MEDIA_PATH}/`) {
        deps.log.warn({ url: url.slice(0, 100) }, 'media upgrade refused: path must be exactly /media with no query string');
        return url.includes('?') ? refuse(socket, 400, 'Bad Request') : refuse(socket, 404, 'Not Found');
      }
      if (deps.authToken) {
        const header = req.headers['x-twilio-signature'];
        const signature = Array.isArray(header) ? header[0] : header;
        if (!validUpgradeSignature(deps.authToken, signature, deps.urls.media)) {
          deps.log.warn({ remote: req.socket.remoteAddress, signed: Boolean(signature) }, 'media upgrade refused: bad or missing X-Twilio-Signature');
          return refuse(socket, 403, 'Forbidden');
        }
      }
      // ws completes an upgrade synchronously (no verifyClient), so `sockets` counts every accepted one
      if (sockets.size >= s.MAX_STREAMS) {
        deps.log.warn({ remote: req.socket.remoteAddress, max: s.MAX_STREAMS }, 'media upgrade refused: MAX_STREAMS streams are open');
        deps.notices?.post({ level: 'warn', source: 'media', message: `Refused a media stream: ${s.MAX_STREAMS} streams are open (MAX_STREAMS)` }, 'media:cap');
        return refuse(socket, 503, 'Too many media streams');
      }
      wss.handleUpgrade(req, socket, head, (ws) => accept(ws, socket, req.socket.remoteAddress));
    },
    activeStreams() {
      return sockets.size;
    },
    async stop() {
      stopped = true;
      if (windowTimer !== null) timers.clear(windowTimer);
      windowTimer = null;
      const closing: Array<Promise<void>> = [];
      for (const [ws, session] of sockets) {
        session.end('server-stopped');
        closing.push(
          new Promise<void>((resolve) => {
            if (ws.readyState === ws.CLOSED) return resolve();
            const force = setTimeout(() => ws.terminate(), 1000);
            ws.once('close', () => {
              clearTimeout(force);
              resolve();
            });
            ws.close(1001, 'server stopping');
          }),
        );
      }
      await Promise.all(closing);
      sockets.clear();
      pacer.stop();
      await new Promise<void>((resolve) => wss.close(() => resolve()));
    },
  };
}
