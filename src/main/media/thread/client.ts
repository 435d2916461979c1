// MEDIA_WORKERS: the media server runs outside the host's event loop, so the 20 ms pacing, the sockets, the TTS pollers
// and the barge-in cascade do not queue behind webhooks, the console, history or the conversations (docs/BENCHMARKS.md,
// issue 16). `thread`: one worker thread that listens on WS_PORT itself. A number N: N child processes (one event loop
// and heap each, on as many cores); the host listens on WS_PORT and hands each accepted socket to the process with the
// fewest streams (a socket can move between processes, not between threads). This is the host's side: it answers the
// workers' admissions (grants and the registry live here), applies their registry events, connects each admitted
// stream of a conversation through a StreamProxy, relays listen-in audio and notices, and tells them what they need
// (handoff status, listened calls, ended calls). HTTP_PORT upgrades on /media are piped to WS_PORT on loopback.
import type { ChildProcess } from 'node:child_process';
import type { IncomingMessage } from 'node:http';
import { connect, createServer as createNetServer, type Server as NetServer, type Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import type { Worker } from 'node:worker_threads';
import type { CallRegistry } from '../../calls/registry';
import type { Config } from '../../config/load';
import type { PublicUrls } from '../../config/urls';
import type { NoticeHub } from '../../console/notices';
import type { Logger } from '../../log';
import type { ListenHub } from '../../monitor/listen';
import { listen, PortError } from '../../net/listen';
import type { Notice } from '../../tts/notices';
import { forkWorkerScript, spawnWorkerScript } from '../../workers/spawn';
import type { StreamAdmission } from '../admission';
import type { MediaServer } from '../server';
import type { StreamControl, StreamListener } from '../session';
import type { MediaTap } from '../tap';
import type { FromMedia, LoopDelay, MediaWorkerData, ToMedia } from './protocol';
import { StreamProxy } from './stream-proxy';

export interface MediaWorkersDeps {
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
  /** Where the host reaches WS_PORT (loopback for the bind address). */
  loopback: string;
}

/** `thread`: one worker thread; `processes`: that many child processes. */
export type MediaWorkersMode = { kind: 'thread' } | { kind: 'processes'; count: number };

export interface MediaWorkers extends MediaServer {
  /** Starts the workers; resolves with the bound WS_PORT (rejects with the reason, e.g. the port in use). */
  start(): Promise<number>;
  /** A part notice for the TTS pipeline of the worker whose reply holds the token; false when none does. */
  partNotice(token: string, notice: Notice): boolean;
  /** An operator started / stopped listening to a call (ListenHub's onListening). */
  listen(callSid: string, on: boolean): void;
  /** Each worker's event-loop delay since the last call (empty: none running). */
  loopDelay(): Promise<LoopDelay[]>;
  /** Whether every worker is up and WS_PORT is taking streams. */
  running(): boolean;
}

const STOP_WAIT_MS = 5000;
const LEVELS: Record<number, 'trace' | 'debug' | 'info' | 'warn' | 'error' | 'fatal'> = { 10: 'trace', 20: 'debug', 30: 'info', 40: 'warn', 50: 'error', 60: 'fatal' };

/** One media worker as the host sees it. */
interface Member {
  readonly name: string;
  send(m: ToMedia): void;
  /** Processes: hand over an accepted (paused) socket. */
  handOver?(socket: Socket): void;
  /** Ask it to stop, wait for `stopped` (bounded), then end it. */
  end(): Promise<void>;
  alive: boolean;
  /** Open streams at its last report, and sockets handed to it since (placement by load). */
  streams: number;
  handed: number;
  readonly tickets: Map<number, object>;
  readonly tokens: Set<string>;
  readonly delayAsks: Array<(d: LoopDelay | null) => void>;
  stopped: (() => void) | null;
}

interface Stream {
  member: Member;
  callSid: string;
  proxy: StreamProxy;
  listener: StreamListener | null;
  listen: MediaTap;
  /** The worker closed the stream's taps (it has ended; a reply's outcome may still be on its way). */
  closed: boolean;
}

export function createMediaWorkers(d: MediaWorkersDeps, mode: MediaWorkersMode): MediaWorkers {
  const members: Member[] = [];
  let wsPort = 0;
  let acceptor: NetServer | null = null;
  let stopping: Promise<void> | null = null;
  const streams = new Map<string, Stream>();
  const handoffSent = new Map<string, string>();
  let offRegistry: (() => void) | null = null;

  const relayLog = (line: string) => {
    try {
      const { level, msg, time: _t, pid: _p, hostname: _h, app: _a, ...rest } = JSON.parse(line) as Record<string, unknown>;
      d.log[LEVELS[Number(level)] ?? 'info'](rest, String(msg ?? ''));
    } catch {
      d.log.warn({ line: line.slice(0, 200) }, 'media worker: unreadable log line');
    }
  };

  const sendHandoff = (s: Stream, status: string) => {
    if (handoffSent.get(s.callSid) === status) return;
    handoffSent.set(s.callSid, status);
    s.member.send({ type: 'handoff', callSid: s.callSid, status });
  };

  const admit = (member: Member, m: Extract<FromMedia, { type: 'admit' }>) => {
    const ticket = {};
    member.tickets.set(m.id, ticket);
    const admission = d.admission.admit(m.claim, ticket);
    if (!admission.ok) return member.send({ type: 'admitted', id: m.id, admission, conversation: false });
    const { callSid } = admission;
    const { streamSid } = m.claim;
    const proxy = new StreamProxy(callSid, streamSid, member.send);
    const listener = d.attach(proxy);
    const stream: Stream = { member, callSid, proxy, listener, listen: d.listenHub.tap(callSid), closed: false };
    streams.set(streamSid, stream);
    const startedAt = d.registry.get(callSid)?.startedAt;
    member.send({ type: 'admitted', id: m.id, admission, conversation: listener !== null, startedAt });
    handoffSent.delete(callSid);
    const status = d.registry.get(callSid)?.handoff?.status;
    if (status) sendHandoff(stream, status);
    if (d.listenHub.listening(callSid)) member.send({ type: 'listen', callSid, on: true });
    proxy.ready();
  };

  /** A stream is forgotten once it has closed and its last reply has settled (the session closes its taps first). */
  const settle = (streamSid: string) => {
    const s = streams.get(streamSid);
    if (s?.closed && !s.proxy.replying()) streams.delete(streamSid);
  };

  /** The call ended: whatever a worker has not settled for it never will be. */
  const forget = (callSid: string) => {
    handoffSent.delete(callSid);
    for (const [sid, s] of streams) {
      if (s.callSid !== callSid || !s.closed) continue;
      s.proxy.abandon('call ended');
      streams.delete(sid);
    }
  };

  const receive = (member: Member, m: FromMedia) => {
    switch (m.type) {
      case 'events':
        member.streams = m.streams;
        member.handed = 0;
        for (const [callSid, body, at] of m.events) {
          try {
            d.registry.apply(callSid, body, at);
          } catch (err) {
            d.log.error({ err, callSid }, 'media worker: a registry event failed');
          }
        }
        return;
      case 'admit':
        return admit(member, m);
      case 'release': {
        const ticket = member.tickets.get(m.id);
        member.tickets.delete(m.id);
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
        if (m.open) member.tokens.add(m.token);
        else member.tokens.delete(m.token);
        return;
      case 'log':
        return relayLog(m.line);
      case 'loopDelay':
        return member.delayAsks.shift()?.(m.delay);
      case 'stopped':
        return member.stopped?.();
      case 'ready':
      case 'failed':
        return; // start() listens for these
    }
  };

  /** A worker is gone: its streams and admissions with it. */
  function lost(member: Member, reason: string): void {
    member.alive = false;
    for (const ask of member.delayAsks.splice(0)) ask(null);
    for (const [sid, s] of streams) {
      if (s.member !== member) continue;
      s.proxy.abandon(reason);
      s.listen.close();
      const listener = s.listener;
      s.listener = null;
      listener?.onEnded(reason);
      streams.delete(sid);
    }
    for (const ticket of member.tickets.values()) d.admission.release(ticket);
    member.tickets.clear();
    member.tokens.clear();
    member.stopped?.();
  }

  const threadData = (listenOnPort: boolean): MediaWorkerData => ({
    config: d.config,
    urls: { base: d.urls.base, media: d.urls.media },
    authToken: d.authToken,
    partFolder: d.partFolder,
    noticeBase: d.noticeBase,
    recordingsDir: d.recordingsDir,
    listen: listenOnPort,
  });

  const newMember = (name: string, send: (m: ToMedia) => void, end: (m: Member) => Promise<void>): Member => {
    const member: Member = {
      name,
      send,
      end: () => end(member),
      alive: true,
      streams: 0,
      handed: 0,
      tickets: new Map(),
      tokens: new Set(),
      delayAsks: [],
      stopped: null,
    };
    return member;
  };

  /** Ask for `stop`, wait for `stopped` (or the bound), then make sure it is gone. */
  const askToStop = (member: Member, kill: () => Promise<unknown>): Promise<void> =>
    new Promise<void>((resolve) => {
      if (!member.alive) return resolve();
      const force = setTimeout(resolve, STOP_WAIT_MS);
      member.stopped = () => {
        clearTimeout(force);
        resolve();
      };
      member.send({ type: 'stop' });
    })
      .then(kill)
      .then(() => undefined);

  /** Resolves with the worker's port once it posts `ready`; rejects on `failed`, an error or an early exit. */
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- Worker and ChildProcess emit the same three events
  const watch = (member: Member, on: (event: 'message' | 'error' | 'exit', fn: (...a: any[]) => void) => void) =>
    new Promise<number>((resolve, reject) => {
      on('message', (m: FromMedia) => {
        if (m.type === 'ready') resolve(m.port);
        else if (m.type === 'failed') reject(m.setting ? new PortError(m.setting, m.port ?? 0, m.message) : new Error(m.message));
        else receive(member, m);
      });
      on('error', (err: Error) => {
        d.log.error({ err, worker: member.name }, 'media worker failed');
        if (!stopping) d.notices.post({ level: 'error', source: 'media', message: `A media worker failed (${err.message}): its streams in progress were lost` });
        reject(err);
      });
      on('exit', (code: number | null) => {
        const was = member.alive;
        lost(member, 'media worker exited');
        if (was && !stopping) {
          d.log.error({ worker: member.name, code }, 'media worker exited');
          d.notices.post({ level: 'error', source: 'media', message: `A media worker exited (code ${code}): its streams in progress were lost` });
        }
        reject(new Error(`the media worker exited with code ${code}`));
      });
    });

  function startThread(): Promise<number> {
    const source = new URL('./worker.ts', import.meta.url);
    const w: Worker = spawnWorkerScript({ bundled: 'media-worker.js', source }, { workerData: threadData(true), name: 'front-door-media' });
    const member = newMember('thread', (m) => member.alive && w.postMessage(m), (me) => askToStop(me, () => w.terminate()));
    members.push(member);
    return watch(member, (e, fn) => w.on(e, fn));
  }

  function startProcess(index: number): Promise<number> {
    const child: ChildProcess = forkWorkerScript({ bundled: 'media-worker.js', source: new URL('./worker.ts', import.meta.url) });
    const send = (m: ToMedia | { type: 'init'; data: MediaWorkerData }) => {
      if (member.alive && child.connected) child.send(m);
    };
    const exited = new Promise<void>((r) => child.once('exit', () => r()));
    const member: Member = newMember(`process ${index + 1}`, send, (me) =>
      askToStop(me, async () => {
        if (child.exitCode === null && child.signalCode === null) {
          const kill = setTimeout(() => child.kill('SIGKILL'), STOP_WAIT_MS);
          if (child.connected) child.disconnect();
          await exited;
          clearTimeout(kill);
        }
      }),
    );
    member.handOver = (socket) => {
      if (!member.alive || !child.connected) return void socket.destroy();
      member.handed++;
      child.send({ type: 'socket' }, socket, { keepOpen: false }, (err) => err && socket.destroy());
    };
    members.push(member);
    const ready = watch(member, (e, fn) => child.on(e, fn));
    send({ type: 'init', data: threadData(false) });
    return ready;
  }

  /** The live process with the fewest streams (reported, plus sockets handed to it since). MAX_STREAMS holds for the
   *  host as a whole on the streams the processes reported (within BATCH_MS); a faster burst meets each process's own
   *  MAX_STREAMS check. */
  const place = (socket: Socket) => {
    const max = d.config.settings.MAX_STREAMS;
    if (members.reduce((n, m) => n + (m.alive ? m.streams : 0), 0) >= max) {
      d.log.warn({ remote: socket.remoteAddress, max }, 'media upgrade refused: MAX_STREAMS streams are open');
      d.notices.post({ level: 'warn', source: 'media', message: `Refused a media stream: ${max} streams are open (MAX_STREAMS)` }, 'media:cap');
      const text = 'Too many media streams';
      socket.on('error', () => socket.destroy());
      socket.resume(); // read (and drop) the request, so the close is not a reset the client sees before the answer
      return void socket.end(`HTTP/1.1 503 Service Unavailable\r\nConnection: close\r\nContent-Type: text/plain\r\nContent-Length: ${text.length}\r\n\r\n${text}`);
    }
    let best: Member | null = null;
    for (const m of members) if (m.alive && (!best || m.streams + m.handed < best.streams + best.handed)) best = m;
    if (!best?.handOver) return void socket.destroy();
    best.handOver(socket);
  };

  return {
    async start() {
      offRegistry = d.registry.onEvent((event, call) => {
        const status = call.handoff?.status;
        if (status) for (const s of streams.values()) if (s.callSid === call.callSid) sendHandoff(s, status);
        const ended = event.type === 'call.ended' || (event.type === 'call.status' && call.state === 'ended' && call.endedAt === event.at);
        if (!ended) return;
        for (const m of members) m.send({ type: 'callEnded', callSid: call.callSid });
        forget(call.callSid);
      });
      if (mode.kind === 'thread') return (wsPort = await startThread());
      const s = d.config.settings;
      // noDelay as an HTTP server's own sockets have it: without it, Nagle holds each paced batch behind the last ACK
      acceptor = createNetServer({ pauseOnConnect: true, noDelay: true }, place);
      acceptor.on('error', (err) => d.log.error({ err }, 'media: WS_PORT acceptor error'));
      wsPort = await listen(acceptor, s.WS_PORT, s.BIND_ADDRESS, 'WS_PORT');
      await Promise.all(Array.from({ length: mode.count }, (_, i) => startProcess(i)));
      return wsPort;
    },
    handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer) {
      socket.on('error', () => socket.destroy());
      if (!wsPort || stopping) return void socket.end('HTTP/1.1 503 Service Unavailable\r\nConnection: close\r\n\r\n');
      const upstream = connect(wsPort, d.loopback.replace(/^\[|\]$/g, ''));
      upstream.on('error', () => socket.destroy());
      socket.on('close', () => upstream.destroy());
      upstream.on('close', () => socket.destroy());
      const lines = [`${req.method} ${req.url} HTTP/1.1`];
      for (let i = 0; i < req.rawHeaders.length; i += 2) lines.push(`${req.rawHeaders[i]}: ${req.rawHeaders[i + 1]}`);
      upstream.write(`${lines.join('\r\n')}\r\n\r\n`);
      if (head.length) upstream.write(head);
      socket.pipe(upstream).pipe(socket);
    },
    activeStreams: () => members.reduce((n, m) => n + (m.alive ? m.streams : 0), 0),
    async loopDelay() {
      if (stopping) return [];
      const asks = members.filter((m) => m.alive).map((m) => new Promise<LoopDelay | null>((resolve) => (m.delayAsks.push(resolve), m.send({ type: 'loopDelay' }))));
      return (await Promise.all(asks)).filter((x) => x !== null);
    },
    listen: (callSid, on) => {
      for (const m of members) m.send({ type: 'listen', callSid, on });
    },
    running: () => wsPort !== 0 && !stopping && members.length > 0 && members.every((m) => m.alive),
    partNotice(token, notice) {
      const member = members.find((m) => m.alive && m.tokens.has(token));
      member?.send({ type: 'partNotice', token, notice });
      return member !== undefined;
    },
    stop() {
      if (stopping) return stopping;
      offRegistry?.();
      offRegistry = null;
      stopping = (async () => {
        const a = acceptor;
        acceptor = null;
        const closed = a?.listening ? new Promise<void>((r) => a.close(() => r())) : Promise.resolve();
        await Promise.all(members.map((m) => m.end()));
        for (const m of members) lost(m, 'host stopped');
        await closed;
      })();
      return stopping;
    },
  };
}
