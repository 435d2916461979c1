// Composition root: config -> registry/history -> (demo stand-ins) -> TTS pipeline -> servers.
// Plain Node: imports nothing from electron. start()/stop(); stop() leaves nothing running.
import { createServer, type Server } from 'node:http';
import { defaultProvider } from '@aws-sdk/credential-provider-node';
import { join } from 'node:path';
import type { ConsoleApi } from '../shared/api';
import type { HealthCheck, HostHealth, HostNotice, Snapshot } from '../shared/model';
import { CallRegistry } from './calls/registry';
import { resolveConfig, type Config } from './config/load';
import { publicUrls, MEDIA_PATH, type PublicUrls } from './config/urls';
import { settingsView } from './config/view';
import { createConsoleApi, type HostConsoleApi } from './console/api';
import { createNoticeHub } from './console/notices';
import type { ConversationManager } from './conversation/manager';
import { createCallRoom, type CallRoom, type RoomMedia } from './conversation/room';
import { DEMO_ACCOUNT_SID, DEMO_AUTH_TOKEN, DEMO_CONNECT_DID } from './demo/constants';
import { startDemo, type Demo } from './demo';
import { HistoryStore } from './history/store';
import { createLogger, logFormat, type Logger } from './log';
import { StreamAdmission } from './media/admission';
import { createOperator, type StreamOperator } from './console/operator';
import { createHealthMonitor, hostChecks, serviceFrom, type HealthMonitor } from './health';
import { realTimers } from './media/pacer';
import type { MediaTaps } from './media/tap';
import { ListenHub } from './monitor/listen';
import { Recorder } from './monitor/recorder';
import { listen } from './net/listen';
import { createMediaWorkers, type MediaWorkers } from './media/thread/client';
import type { LoopDelay } from './media/thread/protocol';
import { createPartStore } from './tts/store';
import { noticeRoute } from './tts/notice-route';
import { createTtsPipeline } from './tts/pipeline';
import type { PartStore, TtsPipeline } from './tts/types';
import { authTokenFor, twilioRestFor, type TwilioRest } from './twilio/rest';

export interface HostOptions {
  config: Config;
  log?: Logger;
  now?: () => number;
  /**
   * ops: the streamed conversation's operator hooks (CONTRACT.md: conversations.say(callSid, text, 'operator') /
   * setMuted), wired by the integrator. Without it, Say and Mute on a streamed call answer "not available on this call".
   */
  streamOperator?: StreamOperator;
}

export interface Host {
  start(): Promise<void>;
  stop(): Promise<void>;
  readonly api: ConsoleApi;
  readonly ports: { http: number; ws: number };
  readonly urls: PublicUrls;
  readonly registry: CallRegistry;
  readonly config: Config;
  readonly demo: Demo | null;
  /** The auth token webhooks and media upgrades are checked against (null when validation is skipped). */
  readonly authToken: string | null;
  /** The streamed conversations while running (operator hooks: say, setMuted). */
  readonly conversations: ConversationManager | null;
  /** MEDIA_WORKERS: each media worker's event-loop delay since the last call (none: streams on the host's loop). */
  mediaLoopDelay(): Promise<LoopDelay[]>;
  /** Media stream grants (issued with every <Stream>, checked on every start); null before start(). */
  readonly admission: StreamAdmission | null;
}

export function createHost(options: HostOptions): Host {
  const log = options.log ?? createLogger(options.config.settings.LOG_LEVEL, undefined, { format: logFormat(options.config.settings.LOG_FORMAT, process.stdout.isTTY) });
  const now = options.now ?? Date.now;
  // -- history (hist): caps, stale calls, retention
  const hs = options.config.settings;
  const registry = new CallRegistry({ now, maxEventsPerCall: hs.MAX_CALL_EVENTS, staleMs: hs.STALE_CALL_MIN * 60_000 });
  const history = new HistoryStore({ dir: join(options.config.dataDir, 'history'), log, retentionDays: hs.HISTORY_RETENTION_DAYS });
  // -- end history
  // -- listen and recordings (monitor/): a listen-in tap and a recording tap on every stream
  const listenHub = new ListenHub({ now, timers: realTimers, onListening: (sid, on) => workers?.listen(sid, on) });
  const recorder = new Recorder({ dir: join(options.config.dataDir, 'history'), log: log.child({ part: 'recording' }), now, callStartedAt: (sid) => registry.get(sid)?.startedAt });
  const record = hs.RECORDINGS;
  const monitorTaps: MediaTaps = (callSid, streamSid) => [listenHub.tap(callSid), record ? recorder.tap(callSid, streamSid) : null].filter((t) => t !== null);
  let offMonitor: (() => void) | null = null;
  // -- end listen and recordings
  let config = options.config;
  let demo: Demo | null = null;
  let httpServer: Server | null = null;
  let wsServer: Server | null = null;
  /** MEDIA_WORKERS: the media thread or processes (they own WS_PORT's streams). */
  let workers: MediaWorkers | null = null;
  /** Handoff, conversations, webhook app and media server, once the HTTP port is known. */
  let room: CallRoom | null = null;
  let pipeline: TtsPipeline | null = null;
  let store: PartStore | null = null;
  let urls: PublicUrls = publicUrls(config, config.settings.HTTP_PORT);
  let api: HostConsoleApi | null = null;
  let sweepTimer: NodeJS.Timeout | null = null;
  let offHistory: (() => void) | null = null;
  const ports = { http: 0, ws: 0 };
  let started = false;
  // security: host notices for the operator, and the grants that bind media streams to calls (media/admission.ts)
  const notices = createNoticeHub({ now });
  let admission: StreamAdmission | null = null;
  // --- ops: health checks, host notices, operator powers ---
  let rest: TwilioRest | null = null;
  let monitor: HealthMonitor | null = null;
  // on a streamed call the operator speaks (and holds the bot) through the call's conversation
  const streamOperator: StreamOperator = options.streamOperator ?? {
    say: async (sid, text) => room?.conversations.say(sid, text) ?? { ok: false, message: 'The host is not running' },
    setMuted: (sid, muted) => room?.conversations.setMuted(sid, muted) ?? { ok: false, message: 'The host is not running' },
  };
  const operator = createOperator({ registry, config: () => config, urls: () => urls, rest: () => rest, stream: streamOperator, log: log.child({ part: 'operator' }) });
  const raiseNotice = (level: HostNotice['level'], source: HostNotice['source'], message: string) => notices.post({ level, source, message });
  const onHealthRun = (checks: HealthCheck[], turnedRed: HealthCheck[]) => {
    for (const c of turnedRed) {
      log.warn({ check: c.id, reason: c.reason }, 'health check red');
      raiseNotice('error', 'health', `${c.reason}${c.fix ? ` — ${c.fix}` : ''}`);
    }
    api?.broadcast({ kind: 'health', health: health() });
  };
  // --- end ops ---

  const authToken = (): string | null => (config.settings.SKIP_SIGNATURE_VALIDATION ? null : authTokenFor(config));

  // ops: TTS, S3 and Twilio come from the health checks (src/main/health), not from a setting being present
  const health = (): HostHealth => {
    const checks = monitor?.latest();
    const pending: HostHealth['tts'] = { state: 'unknown', detail: 'Checking…' };
    const listening = httpServer?.listening === true;
    const twiml = listening ? serviceFrom(checks, ['publicUrl'], { state: 'up' }) : { state: 'down' as const };
    return {
      mode: config.mode,
      twiml: { ...twiml, port: ports.http },
      media: { state: wsServer?.listening || workers?.running() ? 'up' : 'down', port: ports.ws, detail: room ? `${room.media.activeStreams()} streams` : undefined },
      tts: serviceFrom(checks, ['tts'], pending),
      s3: serviceFrom(checks, ['s3'], pending),
      twilio: serviceFrom(checks, ['twilio', 'connectDid'], pending),
      signatureValidation: !config.settings.SKIP_SIGNATURE_VALIDATION,
      ...(checks ? { checks } : {}),
    };
  };

  const snapshot = (): Omit<Snapshot, 'calls'> => ({
    health: health(),
    settings: { ...settingsView(options.config, urls, effectiveOverrides(config, options.config)), operatorPhrases: config.settings.OPERATOR_PHRASES },
    demo: { enabled: demo !== null, autoDemo: demo?.autoDemo ?? false },
    notices: notices.recent(),
  });

  const lazyApi: ConsoleApi & Pick<HostConsoleApi, 'listenFor'> = {
    listenFor: (sub, s, on) => ensureApi().listenFor(sub, s, on),
    subscribe: (l) => ensureApi().subscribe(l),
    getCall: (s) => ensureApi().getCall(s),
    listHistory: (q) => ensureApi().listHistory(q),
    exportCall: (s) => ensureApi().exportCall(s),
    listen: (s, on) => ensureApi().listen(s, on),
    getRecording: (s) => ensureApi().getRecording(s),
    exportRecording: (s, e) => ensureApi().exportRecording(s, e),
    handoff: (s) => ensureApi().handoff(s),
    hangup: (s) => ensureApi().hangup(s),
    simulate: (s) => ensureApi().simulate(s),
    setAutoDemo: async (on) => {
      const r = await ensureApi().setAutoDemo(on);
      ensureApi().broadcast({ kind: 'snapshot', snapshot: { ...snapshot(), calls: registry.list() } });
      return r;
    },
    say: (s, text) => ensureApi().say(s, text),
    setBotMuted: (s, muted) => ensureApi().setBotMuted(s, muted),
    runHealthChecks: () => ensureApi().runHealthChecks(),
  };

  function ensureApi(): HostConsoleApi {
    if (!api) {
      api = createConsoleApi({
        registry,
        history,
        listen: listenHub,
        recorder,
        snapshot,
        handoff: (sid) => room?.handoff.request(sid, 'operator') ?? Promise.resolve({ ok: false, message: 'The host is not running' }),
        hangup: (sid) => room?.handoff.hangup(sid) ?? Promise.resolve({ ok: false, message: 'The host is not running' }),
        demo: {
          simulate: (s) => (demo ? demo.simulate(s) : Promise.resolve({ ok: false, message: 'Simulated calls are available in demo mode only' })),
          setAutoDemo: (on) => demo?.setAutoDemo(on),
        },
        notices,
        say: (sid, text) => operator.say(sid, text),
        setBotMuted: (sid, muted) => operator.setMuted(sid, muted),
        runHealthChecks: async () => {
          if (monitor) await monitor.run();
          return health();
        },
      });
    }
    return api;
  }

  async function start(): Promise<void> {
    if (started) throw new Error('host already started');
    started = true;
    try {
      const recovered = await history.open();
      if (recovered.interrupted) log.warn({ interrupted: recovered.interrupted }, 'history: calls interrupted by the last shutdown were closed');
      offHistory = registry.onEvent((event, call) => {
        history.append(event);
        if (event.type === 'call.ended' || (event.type === 'call.status' && call.state === 'ended' && call.endedAt === event.at)) {
          void history.finish(call).catch((err) => log.error({ err }, 'history: could not index a call'));
        }
      });

      offMonitor = registry.onEvent((event, call) => {
        if (event.type !== 'call.ended' && !(event.type === 'call.status' && call.state === 'ended' && call.endedAt === event.at)) return;
        listenHub.callEnded(call.callSid);
        void recorder.callEnded(call.callSid);
      });

      if (config.mode === 'demo') {
        demo = await startDemo({ config, log: log.child({ part: 'demo' }), dataDir: config.dataDir });
        config = withDemoSettings(config, demo);
      }

      const s = config.settings;
      rest = twilioRestFor(config, s.TWILIO_API_BASE_URL);
      // part notices (TTS_NOTIFY_URL): the base the TTS service reaches us at; the route below takes them
      const noticeBase = () => {
        const v = s.TTS_NOTIFY_URL ?? (config.mode === 'demo' ? 'local' : 'off');
        if (v === 'local') return `http://${loopbackHost(s.BIND_ADDRESS)}:${ports.http}`;
        return v === 'off' ? null : v === 'public' ? urls.base : v;
      };
      const ttsLog = log.child({ part: 'tts' });
      // MEDIA_WORKERS: the part store and the TTS pipeline live in the media workers with the streams
      const inProcess = s.MEDIA_WORKERS === 'off';
      if (inProcess) store = createPartStore(config, { folder: demo?.partFolder ?? undefined, offThread: s.S3_OFF_THREAD });
      const tts = (pipeline = store ? createTtsPipeline({ config, log: ttsLog, store, ttsUrl: s.TTS_URL ?? '', noticeBase }) : null);
      const partNotices = noticeRoute({ deliver: (token, n) => (tts ? (tts.notice?.(token, n) ?? false) : (workers?.partNotice(token, n) ?? false)), log: ttsLog });

      // HTTP first (its port may be 0 in tests), then the URLs that depend on it, then the app.
      let app: ((req: import('node:http').IncomingMessage, res: import('node:http').ServerResponse) => void) | null = null;
      httpServer = createServer((req, res) => partNotices(req, res) || (app ? app(req, res) : res.writeHead(503).end()));
      ports.http = await listen(httpServer, s.HTTP_PORT, s.BIND_ADDRESS, 'HTTP_PORT');
      urls = publicUrls(config, ports.http);
      const callEnded = (sid: string) => registry.get(sid)?.state === 'ended';
      admission = new StreamAdmission({ accountSid: s.TWILIO_ACCOUNT_SID, now, log: log.child({ part: 'admission' }), notices, callEnded });
      workers = inProcess
        ? null
        : createMediaWorkers({
            config,
            registry,
            admission,
            listenHub,
            notices,
            log: log.child({ part: 'media' }),
            urls,
            authToken: authToken(),
            partFolder: demo?.partFolder ?? null,
            noticeBase: noticeBase(),
            recordingsDir: join(config.dataDir, 'history'),
            attach: (control) => room?.conversations.attach(control) ?? null,
            loopback: loopbackHost(s.BIND_ADDRESS),
          }, s.MEDIA_WORKERS === 'thread' ? { kind: 'thread' } : { kind: 'processes', count: Number(s.MEDIA_WORKERS) });
      const media: RoomMedia = workers ? { media: workers } : { tts: tts!, taps: monitorTaps }; // in process: tts was built above
      const r = (room = createCallRoom({ config, registry, log, urls, rest, authToken: authToken(), now, admission, notices, ...media }));
      app = r.app;
      const upgrade = r.upgrade;
      httpServer.on('upgrade', upgrade);
      if (workers) ports.ws = await workers.start();
      else {
        wsServer = createServer((_req, res) => res.writeHead(426, { 'content-type': 'text/plain' }).end('Media Streams WebSocket: connect with an upgrade to /media'));
        wsServer.on('upgrade', upgrade);
        ports.ws = await listen(wsServer, s.WS_PORT, s.BIND_ADDRESS, 'WS_PORT');
      }

      const loopback = loopbackHost(s.BIND_ADDRESS);
      demo?.connect({ httpBase: `http://${loopback}:${ports.http}`, mediaUrl: `ws://${loopback}:${ports.ws}${MEDIA_PATH}`, urls });

      const s3Credentials = defaultProvider(); // one chain for every run: it caches and refreshes like the part store's
      monitor = createHealthMonitor({
        checks: () => hostChecks({ config, urls, rest, partFolder: demo?.partFolder ?? null, credentials: s3Credentials }),
        now,
        intervalMs: s.HEALTH_INTERVAL_S * 1000,
        onRun: onHealthRun,
      });
      monitor.start();

      sweepTimer = setInterval(() => registry.sweep(), 5000);
      sweepTimer.unref();
      log.info({ mode: config.mode, http: ports.http, ws: ports.ws, publicUrl: urls.base }, 'host started');
    } catch (err) {
      await stop();
      throw err;
    }
  }

  async function stop(): Promise<void> {
    if (sweepTimer) clearInterval(sweepTimer);
    sweepTimer = null;
    monitor?.stop();
    monitor = null;
    rest = null;
    await demo?.stop().catch((err: unknown) => log.error({ err }, 'demo stop failed'));
    await room?.stop().catch((err: unknown) => log.error({ err }, 'media stop failed'));
    await pipeline?.stop().catch((err: unknown) => log.error({ err }, 'tts stop failed'));
    await Promise.resolve(store?.close?.()).catch((err: unknown) => log.error({ err }, 'part store close failed'));
    for (const server of [httpServer, wsServer]) {
      if (!server) continue;
      server.closeAllConnections();
      if (server.listening) await new Promise<void>((r) => server.close(() => r()));
    }
    offHistory?.();
    offMonitor?.();
    offMonitor = null;
    listenHub.stop();
    await recorder.stop();
    api?.close();
    await history.close();
    demo = null;
    room = null;
    pipeline = null;
    store = null;
    workers = null;
    httpServer = null;
    wsServer = null;
    offHistory = null;
    api = null;
  }

  return {
    start,
    stop,
    api: lazyApi,
    ports,
    get urls() {
      return urls;
    },
    registry,
    get config() {
      return config;
    },
    get demo() {
      return demo;
    },
    get authToken() {
      return authToken();
    },
    get conversations() {
      return room?.conversations ?? null;
    },
    get admission() {
      return admission;
    },
    mediaLoopDelay: () => workers?.loopDelay() ?? Promise.resolve([]),
  };
}

/** Where this machine reaches the servers bound to `bind` (an any-address bind is reached on loopback; IPv6 in []). */
export function loopbackHost(bind: string): string {
  const host = bind === '0.0.0.0' || bind === '::' ? '127.0.0.1' : bind;
  return host.includes(':') ? `[${host}]` : host;
}

/** Demo mode: point the Twilio and TTS settings at the embedded stand-ins. */
function withDemoSettings(config: Config, demo: Demo): Config {
  const s = config.settings;
  const resolved = resolveConfig(
    {
      ...s,
      TTS_URL: demo.ttsUrl,
      TWILIO_API_BASE_URL: demo.restUrl,
      TWILIO_ACCOUNT_SID: DEMO_ACCOUNT_SID,
      TWILIO_AUTH_TOKEN: DEMO_AUTH_TOKEN,
      CONNECT_DID: s.CONNECT_DID ?? DEMO_CONNECT_DID,
      CONSOLE_TOKEN: config.consoleToken,
      DEMO: 'on',
    },
    config.sources,
  );
  return { ...resolved, consoleToken: config.consoleToken, consoleTokenGenerated: config.consoleTokenGenerated, dataDir: config.dataDir };
}

/** The settings the host changed at start (demo stand-ins), shown in Setup as set — never secret values. */
function effectiveOverrides(current: Config, original: Config): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const key of ['TTS_URL', 'TWILIO_API_BASE_URL', 'TWILIO_ACCOUNT_SID', 'CONNECT_DID'] as const) {
    if (current.settings[key] !== original.settings[key]) out[key] = current.settings[key];
  }
  return out;
}
