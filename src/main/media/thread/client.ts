// MEDIA_THREAD=worker: the media server runs in a worker thread (worker.ts) with its own event loop and heap, so the
// 20 ms pacing, the sockets, the TTS pollers and the barge-in cascade do not queue behind webhooks, the console,
// history or the conversations (docs/BENCHMARKS.md, issue 16). This is the main thread's side: it spawns the thread,
// answers its admissions (grants and the registry live here), applies its registry events, connects each admitted
// stream of a conversation through a StreamProxy, relays listen-in audio and notices, and mirrors what the thread
// needs (handoff status, listened calls, ended calls). HTTP_PORT upgrades on /media are piped to the thread's port
// (a socket cannot move between threads); Twilio reaching WS_PORT directly (PUBLIC_WS_URL) skips that hop.
import type { IncomingMessage } from 'node:http';
import { connect } from 'node:net';
import type { Duplex } from 'node:stream';
import type { Worker } from 'node:worker_threads';
import type { CallRegistry } from '../../calls/registry';
import type { Config } from '../../config/load';
import type { PublicUrls } from '../../config/urls';
import type { NoticeHub } from '../../console/notices';
import type { Logger } from '../../log';
import type { ListenHub } from '../../monitor/listen';
import type { Notice } from '../../tts/notices';
import { PortError } from '../../net/listen';
import { spawnWorkerScript } from '../../workers/spawn';
import type { StreamAdmission } from '../admission';
import type { MediaServer } from '../server';
import type { StreamControl, StreamListener } from '../session';
import type { MediaTap } from '../tap';
import type { FromMedia, LoopDelay, MediaThreadData, ToMedia } from './protocol';
import { StreamProxy } from './stream-proxy';

export interface MediaThreadDeps {
  config: Config;
  registry: CallRegistry;
  admission: StreamAdmission;
  listenHub: ListenHub;
  notices: NoticeHub;
  log: Logger;
  urls: PublicUrls;
  authToken: string | null;
  partFolder: string | null;
  noticeBase: string | null;
  recordingsDir: string;
  /** The conversation of a call, when it has one (the host's conversation manager). */
  attach(control: StreamControl): StreamListener | null;
  /** Where the host reaches the thread's port (loopback for the bind address). */
  loopback: string;
}

export interface MediaThread extends MediaServer {
  /** Spawns the thread; resolves with the bound WS_PORT (rejects with the thread's reason, e.g. the port in use). */
  start(): Promise<number>;
  /** A part notice for the thread's TTS pipeline (the token is checked there). */
  partNotice(token: string, notice: Notice): boolean;
  /** An operator started / stopped listening to a call (ListenHub's onListening). */
  listen(callSid: string, on: boolean): void;
  /** The thread's event-loop delay since the last call (null: no thread). */
  loopDelay(): Promise<LoopDelay | null>;
  /** Whether the thread is up and listening. */
  running(): boolean;
}

const STOP_WAIT_MS = 5000;
const LEVELS: Record<number, 'trace' | 'debug' | 'info' | 'warn' | 'error' | 'fatal'> = { 10: 'trace', 20: 'debug', 30: 'info', 40: 'warn', 50: 'error', 60: 'fatal' };

interface Stream {
  callSid: string;
  proxy: StreamProxy;
  listener: StreamListener | null;
  listen: MediaTap;
  /** The thread closed the stream's taps (it has ended; a reply's outcome may still be on its way). */
  closed: boolean;
}

export function createMediaThread(d: MediaThreadDeps): MediaThread {
  let worker: Worker | null = null;
  let port = 0;
  let streamsOpen = 0;
  let stopping: Promise<void> | null = null;
  const tickets = new Map<number, object>();
  const streams = new Map<string, Stream>();
  const handoffSent = new Map<string, string>();
  /** Part-notice tokens of the thread's live replies. */
  const tokens = new Set<string>();
  let offRegistry: (() => void) | null = null;
  let onStopped: (() => void) | null = null;
  const delayAsks: Array<(d: LoopDelay | null) => void> = [];

  const send = (m: ToMedia) => worker?.postMessage(m);

  const relayLog = (line: string) => {
    try {
      const { level, msg, time: _t, pid: _p, hostname: _h, app: _a, ...rest } = JSON.parse(line) as Record<string, unknown>;
      d.log[LEVELS[Number(level)] ?? 'info'](rest, String(msg ?? ''));
    } catch {
      d.log.warn({ line: line.slice(0, 200) }, 'media thread: unreadable log line');
    }
  };

  const admit = (m: Extract<FromMedia, { type: 'admit' }>) => {
    const ticket = {};
    tickets.set(m.id, ticket);
    const admission = d.admission.admit(m.claim, ticket);
    if (!admission.ok) return send({ type: 'admitted', id: m.id, admission, conversation: false });
    const { callSid } = admission;
    const { streamSid } = m.claim;
    const proxy = new StreamProxy(callSid, streamSid, send);
    const listener = d.attach(proxy);
    streams.set(streamSid, { callSid, proxy, listener, listen: d.listenHub.tap(callSid), closed: false });
    send({ type: 'admitted', id: m.id, admission, conversation: listener !== null, startedAt: d.registry.get(callSid)?.startedAt });
    const status = d.registry.get(callSid)?.handoff?.status;
    if (status) sendHandoff(callSid, status);
    if (d.listenHub.listening(callSid)) send({ type: 'listen', callSid, on: true });
    proxy.ready();
  };

  const sendHandoff = (callSid: string, status: string) => {
    if (handoffSent.get(callSid) === status) return;
    handoffSent.set(callSid, status);
    send({ type: 'handoff', callSid, status });
  };

  const receive = (m: FromMedia) => {
    switch (m.type) {
      case 'events':
        streamsOpen = m.streams;
        for (const [callSid, body, at] of m.events) {
          try {
            d.registry.apply(callSid, body, at);
          } catch (err) {
            d.log.error({ err, callSid }, 'media thread: a registry event failed');
          }
        }
        return;
      case 'admit':
        return admit(m);
      case 'release': {
        const ticket = tickets.get(m.id);
        tickets.delete(m.id);
        if (ticket) d.admission.release(ticket);
        return;
      }
      case 'speech':
        return streams.get(m.streamSid)?.listener?.onSpeech(m.event);
      case 'ended': {
        const s = streams.get(m.streamSid);
        const listener = s?.listener;
        if (s) s.listener = null;
        return listener?.onEnded(m.reason);
      }
      case 'firstFrame':
        return streams.get(m.streamSid)?.proxy.firstFrame(m.replyId, m.times);
      case 'outcome':
        streams.get(m.streamSid)?.proxy.outcome(m.replyId, m.outcome);
        return settle(m.streamSid);
      case 'closed': {
        const s = streams.get(m.streamSid);
        if (!s) return;
        s.listen.close();
        s.closed = true;
        return settle(m.streamSid);
      }
      case 'tap': {
        const tap = streams.get(m.streamSid)?.listen;
        if (!tap) return;
        if (m.op === 'in') return tap.inbound(m.audio, m.mediaMs, m.at);
        if (m.op === 'out') return tap.outbound(m.audio, m.playAt);
        return tap.cleared(m.at);
      }
      case 'notice':
        d.notices.post(m.notice, m.key);
        return;
      case 'token':
        if (m.open) tokens.add(m.token);
        else tokens.delete(m.token);
        return;
      case 'log':
        return relayLog(m.line);
      case 'loopDelay':
        return delayAsks.shift()?.(m.delay);
      case 'stopped':
        return onStopped?.();
      case 'ready':
      case 'failed':
        return; // start() listens for these
    }
  };

  /** A stream is forgotten once it has closed and its last reply has settled (the session closes its taps first). */
  const settle = (streamSid: string) => {
    const s = streams.get(streamSid);
    if (s?.closed && !s.proxy.replying()) streams.delete(streamSid);
  };

  /** The call ended: whatever the thread has not settled for it never will be. */
  const forget = (callSid: string) => {
    handoffSent.delete(callSid);
    for (const [sid, s] of streams) {
      if (s.callSid !== callSid || !s.closed) continue;
      s.proxy.abandon('call ended');
      streams.delete(sid);
    }
  };

  function abandon(reason: string): void {
    for (const ask of delayAsks.splice(0)) ask(null);
    for (const s of streams.values()) {
      s.proxy.abandon(reason);
      s.listen.close();
      const listener = s.listener;
      s.listener = null;
      listener?.onEnded(reason);
    }
    streams.clear();
    for (const ticket of tickets.values()) d.admission.release(ticket);
    tickets.clear();
  }

  return {
    start() {
      const data: MediaThreadData = {
        config: d.config,
        urls: { base: d.urls.base, media: d.urls.media },
        authToken: d.authToken,
        partFolder: d.partFolder,
        noticeBase: d.noticeBase,
        recordingsDir: d.recordingsDir,
      };
      const w = (worker = spawnWorkerScript({ bundled: 'media-worker.js', source: new URL('./worker.ts', import.meta.url) }, { workerData: data, name: 'front-door-media' }));
      offRegistry = d.registry.onEvent((event, call) => {
        const status = call.handoff?.status;
        if (status && [...streams.values()].some((s) => s.callSid === call.callSid)) sendHandoff(call.callSid, status);
        const ended = event.type === 'call.ended' || (event.type === 'call.status' && call.state === 'ended' && call.endedAt === event.at);
        if (ended) {
          send({ type: 'callEnded', callSid: call.callSid });
          forget(call.callSid);
        }
      });
      return new Promise<number>((resolve, reject) => {
        const onMessage = (m: FromMedia) => {
          if (m.type === 'ready') {
            port = m.port;
            resolve(m.port);
          } else if (m.type === 'failed') reject(m.setting ? new PortError(m.setting, m.port ?? 0, m.message) : new Error(m.message));
          else receive(m);
        };
        w.on('message', onMessage);
        w.on('error', (err) => {
          d.log.error({ err }, 'media thread failed');
          d.notices.post({ level: 'error', source: 'media', message: `The media thread failed (${err.message}): streams in progress were lost` });
          reject(err);
        });
        w.on('exit', (code) => {
          worker = null;
          abandon('media thread exited');
          onStopped?.();
          if (code !== 0 && !stopping) reject(new Error(`the media thread exited with code ${code}`));
        });
      });
    },
    handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer) {
      socket.on('error', () => socket.destroy());
      if (!worker || !port) return void socket.end('HTTP/1.1 503 Service Unavailable\r\nConnection: close\r\n\r\n');
      const upstream = connect(port, d.loopback.replace(/^\[|\]$/g, ''));
      upstream.on('error', () => socket.destroy());
      socket.on('close', () => upstream.destroy());
      upstream.on('close', () => socket.destroy());
      const lines = [`${req.method} ${req.url} HTTP/1.1`];
      for (let i = 0; i < req.rawHeaders.length; i += 2) lines.push(`${req.rawHeaders[i]}: ${req.rawHeaders[i + 1]}`);
      upstream.write(`${lines.join('\r\n')}\r\n\r\n`);
      if (head.length) upstream.write(head);
      socket.pipe(upstream).pipe(socket);
    },
    activeStreams: () => streamsOpen,
    loopDelay() {
      if (!worker || stopping) return Promise.resolve(null);
      return new Promise<LoopDelay | null>((resolve) => {
        delayAsks.push(resolve);
        send({ type: 'loopDelay' });
      });
    },
    listen: (callSid, on) => send({ type: 'listen', callSid, on }),
    running: () => worker !== null && port !== 0 && !stopping,
    partNotice(token, notice) {
      if (!worker || !tokens.has(token)) return false;
      send({ type: 'partNotice', token, notice });
      return true;
    },
    stop() {
      if (stopping) return stopping;
      offRegistry?.();
      offRegistry = null;
      const w = worker;
      stopping = (async () => {
        if (!w) return abandon('host stopped');
        await new Promise<void>((resolve) => {
          const force = setTimeout(resolve, STOP_WAIT_MS);
          onStopped = () => {
            clearTimeout(force);
            resolve();
          };
          w.postMessage({ type: 'stop' } satisfies ToMedia);
        });
        await w.terminate();
        abandon('host stopped');
      })();
      return stopping;
    },
  };
}
