// MEDIA_WORKERS=thread over real servers: the media server in a real worker thread (media/thread/), the host's main
// thread on the other side of its port. What must cross the thread and come back: listen-in audio of both legs,
// recordings of both legs, HTTP_PORT upgrades piped to the thread's port, part notices to the thread's TTS pipeline;
// and the thread's lifecycle: a WS_PORT in use is the same PortError, stop() leaves no thread and no port behind.
import { mkdtempSync } from 'node:fs';
import { connect, createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Worker } from 'node:worker_threads';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import type { ConsoleApi, ConsoleMessage } from '../src/shared/api';
import { testConfig } from '../src/main/config/load';
import type { HostConsoleApi } from '../src/main/console/api';
import { createHost } from '../src/main/host';
import { silentLogger } from '../src/main/log';
import { PortError } from '../src/main/net/listen';
import { TwilioMediaClient } from '../src/main/sim/media-client';
import { randomSid } from '../src/main/sim/webhook-client';
import {
  ACCOUNT_SID,
  AUTH_TOKEN,
  callerSpeech,
  greetingAudio,
  useConversationRig,
  type ConversationRig,
  type RigOptions,
} from './conversation-rig';
import { leftSince, resources } from './helpers/leaks';
import { until } from './media-rig';
import { find, findAll, parseTwiml } from './twiml-harness';

const startRig = useConversationRig();
const start = (o: RigOptions = {}) => startRig({ ...o, settings: { MEDIA_WORKERS: 'thread', ...o.settings } });

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
});

/** Every worker thread this process starts during a test, with its messages to the main thread and its exit. */
interface Seen {
  worker: Worker;
  messages: Array<{ type?: string }>;
  exitCode: number | null;
}
let threads: Seen[] = [];
const onWorker = (worker: Worker) => {
  const seen: Seen = { worker, messages: [], exitCode: null };
  worker.on('message', (m: { type?: string }) => seen.messages.push(m));
  worker.once('exit', (code) => (seen.exitCode = code));
  threads.push(seen);
};
beforeEach(() => {
  threads = [];
  process.on('worker', onWorker);
});
afterEach(() => void process.off('worker', onWorker));

/** The media thread: the one worker that posted `ready` or `failed` (the protocol's first answer). */
const mediaThread = (): Seen => {
  const found = threads.filter((t) => t.messages.some((m) => m.type === 'ready' || m.type === 'failed'));
  expect(found).toHaveLength(1);
  return found[0]!;
};

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
/** Non-silent bytes (mu-law 0xFF is digital silence). */
const sound = (b: Buffer) => Buffer.from([...b].filter((x) => x !== 0xff));
/** The call's greeting (its first reply) has played to its end mark. */
const greetingPlayed = (r: ConversationRig, sid: string) => {
  const greeting = r.ofType(sid, 'bot.reply')[0];
  return r.ofType(sid, 'mark').some((m) => m.outcome === 'played' && m.name === `${greeting?.replyId}:end`);
};

/** The media the client got before `mark` came back from the host: a whole reply (the greeting: the first one). */
const mediaBefore = (client: TwilioMediaClient, mark: string) => {
  type Message = { event?: string; media?: { payload: string }; mark?: { name: string } };
  const msgs = client.received.messages as Message[];
  const end = msgs.findIndex((m) => m.event === 'mark' && m.mark?.name === mark);
  expect(end).toBeGreaterThan(0);
  const media = msgs.slice(0, end).filter((m) => m.event === 'media');
  return Buffer.concat(media.map((m) => Buffer.from(m.media!.payload, 'base64')));
};
/** The greeting as the caller got it: byte-exact, then only the mu-law padding of its last 20 ms frame. */
const expectGreeting = (r: ConversationRig, sid: string, client: TwilioMediaClient) => {
  const greeting = r.ofType(sid, 'bot.reply')[0]!;
  expect(greeting.kind).toBe('greeting');
  const out = mediaBefore(client, `${greeting.replyId}:end`);
  expect(out.subarray(0, greetingAudio.length).equals(greetingAudio)).toBe(true);
  expect(out.length - greetingAudio.length).toBeLessThan(160);
  expect([...out.subarray(greetingAudio.length)].every((b) => b === 0xff)).toBe(true);
};

/** What a TCP connect to 127.0.0.1:port gets: 'connected' or the error code. */
const tcp = (port: number) =>
  new Promise<string>((resolve) => {
    const s = connect(port, '127.0.0.1');
    s.once('connect', () => (s.destroy(), resolve('connected')));
    s.once('error', (e: NodeJS.ErrnoException) => resolve(e.code ?? 'error'));
  });

type Listener = ConsoleApi & Pick<HostConsoleApi, 'listenFor'>;
type Audio = Extract<ConsoleMessage, { kind: 'audio' }>;

describe('MEDIA_WORKERS=thread', () => {
  it('listen-in crosses the thread: both legs reach the subscriber, taps are posted only while listened', async () => {
    // BARGE_IN=off: the caller talks over the greeting and the greeting keeps playing (a pause would re-send a frame)
    const r = await start({ settings: { BARGE_IN: 'off' } });
    const media = mediaThread();
    const taps = () => media.messages.filter((m) => m.type === 'tap').length;
    const call = await r.call();
    const { sid, client } = call;
    const streaming = () => r.host.registry.get(sid)?.streamSid !== undefined && client.received.media.length >= 10;
    await until(streaming, 'the greeting');
    expect(taps()).toBe(0); // nobody listens: the thread keeps the audio to itself

    const got: ConsoleMessage[] = [];
    const subscriber = (m: ConsoleMessage) => void got.push(m);
    const api = r.host.api as Listener;
    expect(await api.listenFor(subscriber, sid, true)).toMatchObject({ ok: true });
    expect(got[0]).toEqual({ kind: 'listen', callSid: sid, listening: true });
    const audio = (leg: 'caller' | 'bot') =>
      got.filter((m): m is Audio => m.kind === 'audio' && m.leg === leg);
    const legBytes = (leg: 'caller' | 'bot') => Buffer.concat(audio(leg).map((m) => Buffer.from(m.payload, 'base64')));

    // the bot leg while the greeting plays: a run of the greeting, in order
    await until(() => legBytes('bot').length >= 1600, 'the bot leg', 10_000);
    expect(greetingAudio.indexOf(legBytes('bot').subarray(0, 800))).toBeGreaterThanOrEqual(0);
    expect(audio('bot').every((m) => m.callSid === sid)).toBe(true);
    expect(audio('bot').map((m) => m.seq)).toEqual(audio('bot').map((_, i) => i));

    // the caller leg: what the caller says, byte-exact (silence aside), in real time
    client.sendAudio(callerSpeech);
    await until(() => sound(legBytes('caller')).length >= sound(callerSpeech).length, 'the caller leg', 15_000);
    expect(sound(legBytes('caller')).equals(sound(callerSpeech))).toBe(true);
    expect(audio('caller').map((m) => m.seq)).toEqual(audio('caller').map((_, i) => i));
    expect(taps()).toBeGreaterThan(0);

    // off: the subscriber is told, no more audio reaches it, and the thread stops posting the call's audio
    expect(await api.listenFor(subscriber, sid, false)).toMatchObject({ ok: true });
    expect(got.at(-1)).toEqual({ kind: 'listen', callSid: sid, listening: false, reason: 'operator' });
    await sleep(150); // taps already on their way
    const [messages, posted] = [got.length, taps()];
    await sleep(600); // the call goes on: an inbound frame every 20 ms, the greeting still playing
    expect(client.closeCode).toBeNull();
    expect(r.host.registry.get(sid)?.state).not.toBe('ended');
    expect(got.slice(messages)).toEqual([]);
    expect(taps()).toBe(posted);
  });

  it('recordings cross the thread: both legs of a finished call, the caller byte-exact, the bot as sent', async () => {
    const r = await start({ settings: { BARGE_IN: 'off' } });
    const { sid, client } = await r.call();
    await until(() => client.received.media.length >= 10, 'the greeting');
    client.sendAudio(callerSpeech);
    await until(() => greetingPlayed(r, sid) && client.queuedMs === 0, 'the greeting and the caller to finish', 20_000);
    await sleep(100); // the caller's last frames reach the thread
    await client.stop();
    expect((await r.post('/call_status', sid, { CallStatus: 'completed', CallDuration: '9' })).status).toBe(204);
    await until(() => r.host.registry.get(sid)?.state === 'ended', 'the call to end');

    // the thread closes the files after the call ended (callEnded crosses to it): poll until complete
    let rec: Awaited<ReturnType<ConsoleApi['getRecording']>> = null;
    const deadline = Date.now() + 10_000;
    while (!rec?.complete) {
      if (Date.now() > deadline) throw new Error(`no complete recording: ${JSON.stringify(rec)?.slice(0, 200)}`);
      rec = await r.host.api.getRecording(sid);
      if (!rec?.complete) await sleep(20);
    }
    expect(rec).toMatchObject({ callSid: sid, sampleRate: 8000, complete: true });
    const caller = Buffer.from(rec.caller, 'base64');
    const bot = Buffer.from(rec.bot, 'base64');
    expect(caller.length).toBeGreaterThan(0);
    expect(bot.length).toBeGreaterThan(0);
    expect(sound(caller).equals(sound(callerSpeech))).toBe(true);
    expect(sound(bot).equals(sound(greetingAudio))).toBe(true);
    expect(sound(bot).equals(sound(Buffer.concat(client.received.media)))).toBe(true);
    expect(rec.startedAt).toBeGreaterThan(0);
  });

  it('an HTTP_PORT upgrade is piped to the thread: the greeting arrives byte-exact; unsigned is refused', async () => {
    const r = await start();
    expect(r.host.ports.http).not.toBe(r.host.ports.ws);
    const sid = randomSid();
    const twiml = parseTwiml((await r.post('/voice_stream', sid)).body);
    const parameters = findAll(twiml, 'Parameter').map((p) => [p.attrs.name!, p.attrs.value!]);
    const customParameters = Object.fromEntries(parameters) as Record<string, string>;
    const options = {
      url: `ws://127.0.0.1:${r.host.ports.http}/media`,
      signedUrl: find(twiml, 'Stream').attrs.url!,
      accountSid: ACCOUNT_SID,
      callSid: sid,
      customParameters,
    };
    const refused = await TwilioMediaClient.connect({ ...options, authToken: null }).then(
      async (c) => (await c.stop(), null),
      (e: { statusCode?: number }) => e.statusCode,
    );
    expect(refused).toBe(403);

    const client = await TwilioMediaClient.connect({ ...options, authToken: AUTH_TOKEN });
    cleanups.push(() => client.stop());
    await until(() => greetingPlayed(r, sid), 'the greeting to be heard', 20_000);
    expectGreeting(r, sid, client);
    expect(r.ofType(sid, 'stream.started')).toEqual([expect.objectContaining({ streamSid: client.streamSid })]);
  });

  it("part notices reach the thread's replies: unknown token 404; notices on, the greeting plays", async () => {
    const r = await start({ settings: { TTS_NOTIFY_URL: 'local' } });
    const base = `http://127.0.0.1:${r.host.ports.http}`;
    const post = (url: string, body: unknown) =>
      fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    const unknown = await post(`${base}/tts_part/AAAAAAAAAAAAAAAAAAAAAA`, { part: 0 });
    expect(unknown.status).toBe(404);
    expect(await unknown.json()).toEqual({ error: 'no live reply has this token' });
    expect((await post(`${base}/tts_part/AAAAAAAAAAAAAAAAAAAAAA`, {})).status).toBe(400);

    const { sid, client } = await r.call();
    await until(() => greetingPlayed(r, sid), 'the greeting to be heard', 20_000);
    expectGreeting(r, sid, client);
    // the stand-in was given the host's notice URL and every notice was delivered to the thread's reply (204)
    const jobs = [...r.tts.jobs.values()].filter((j) => j.callSid === sid);
    expect(jobs).toHaveLength(1);
    const job = jobs[0]!;
    expect(job.notifyUrl).toMatch(new RegExp(`^${base}/tts_part/[A-Za-z0-9_-]{16,64}$`));
    await until(() => job.notices.every((n) => n.status !== 0), 'the notices to be answered');
    expect(job.notices.filter((n) => n.part !== undefined).length).toBe(job.parts.length);
    expect(job.notices.map((n) => n.status).filter((s) => s !== 204)).toEqual([]);
    // the reply is over: its token was released on the main thread too
    await until(() => r.ofType(sid, 'tts.job').some((j) => j.status === 'done'), 'the job to be done');
    let late = 0;
    await until(() => {
      void post(job.notifyUrl!, { done: true }).then((res) => (late = res.status));
      return late === 404;
    }, 'the token to be released');
  });
});

describe('MEDIA_WORKERS=thread lifecycle', () => {
  it('WS_PORT in use: start() rejects with a PortError naming WS_PORT; no thread, no port left behind', async () => {
    const blocker = createServer();
    await new Promise<void>((r) => blocker.listen(0, '127.0.0.1', () => r()));
    cleanups.push(() => new Promise<void>((r) => blocker.close(() => r())));
    const port = (blocker.address() as AddressInfo).port;
    const before = resources();
    const config = testConfig({
      MEDIA_WORKERS: 'thread',
      HTTP_PORT: '0',
      WS_PORT: String(port),
      DATA_DIR: mkdtempSync(join(tmpdir(), 'fd-media-thread-')),
    });
    const host = createHost({ config, log: silentLogger() }); // testConfig's default mode: demo
    const error = await host.start().then(
      () => null,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(PortError);
    expect(error).toMatchObject({ setting: 'WS_PORT', port });
    expect((error as Error).message).toBe(
      `Port ${port} (WS_PORT) is already in use: stop the other program or set WS_PORT to a free port`,
    );
    const media = mediaThread();
    expect(media.messages.find((m) => m.type === 'failed')).toMatchObject({ setting: 'WS_PORT', port });
    const http = host.ports.http;
    expect(http).toBeGreaterThan(0);
    await host.stop();
    expect(await tcp(http)).toBe('ECONNREFUSED');
    expect(await tcp(port)).toBe('connected'); // the blocker's port is still the blocker's
    await until(() => media.exitCode !== null, 'the media thread to exit', 5000);
    expect(media.worker.threadId).toBe(-1);
    await sleep(50);
    expect(leftSince(before)).toEqual([]);
  });

  it('stop() during a live call: the client is closed, WS_PORT and HTTP_PORT refuse, the thread exited', async () => {
    const before = resources().filter((x) => x === 'MessagePort').length;
    const r = await start();
    const media = mediaThread();
    expect(media.exitCode).toBeNull();
    expect(resources().filter((x) => x === 'MessagePort').length).toBeGreaterThan(before);
    const { sid, client } = await r.call();
    await until(() => client.received.media.length >= 10, 'the greeting');
    const { http, ws } = r.host.ports;
    expect(await tcp(ws)).toBe('connected');
    await r.host.stop();
    await until(() => client.closeCode !== null, 'the media socket to close', 5000);
    expect(await tcp(ws)).toBe('ECONNREFUSED');
    expect(await tcp(http)).toBe('ECONNREFUSED');
    // the thread ran its own stop (posted `stopped`), then it was terminated: exited, no handle of it left
    expect(media.messages.at(-1)).toEqual({ type: 'stopped' });
    await until(() => media.exitCode !== null, 'the media thread to exit', 5000);
    expect(media.worker.threadId).toBe(-1);
    expect(threads.every((t) => t.exitCode !== null)).toBe(true);
    await sleep(50);
    expect(resources().filter((x) => x === 'MessagePort').length).toBe(before);
    // the thread's last registry events (its streams stopped by the shutdown) crossed before it went
    expect(r.ofType(sid, 'stream.stopped').map((e) => e.reason)).toEqual(['server-stopped']);
  });
});

describe('MEDIA_WORKERS=2 (processes)', () => {
  /** The HTTP status an unsigned upgrade to /media gets (the cap answers before a process sees the socket). */
  const upgradeStatus = (port: number) =>
    new Promise<number>((resolve, reject) => {
      const ws = new WebSocket(`ws://127.0.0.1:${port}/media`);
      ws.on('unexpected-response', (_req, res) => {
        resolve(res.statusCode ?? 0);
        ws.terminate();
      });
      ws.on('open', () => reject(new Error('the upgrade was accepted')));
      ws.on('error', () => undefined);
    });

  it('MAX_STREAMS holds for the host as a whole: a second stream is refused 503 while the first plays on', async () => {
    const r = await startRig({ settings: { MEDIA_WORKERS: '2', MAX_STREAMS: '1' } });
    expect(await upgradeStatus(r.host.ports.ws)).toBe(403); // below the cap: a process answers (unsigned)
    const { sid, client } = await r.call();
    await until(() => client.received.media.length >= 10, 'the greeting');
    expect(await upgradeStatus(r.host.ports.ws)).toBe(503);
    const first: ConsoleMessage[] = [];
    r.host.api.subscribe((m) => first.push(m))();
    const snapshot = first.find((m) => m.kind === 'snapshot');
    expect(snapshot?.kind === 'snapshot' && (snapshot.snapshot.notices ?? []).map((n) => n.message)).toContain(
      'Refused a media stream: 1 streams are open (MAX_STREAMS)',
    );
    const before = client.received.media.length;
    await until(() => client.received.media.length > before + 10, 'the greeting to go on');
    expect(r.ofType(sid, 'stream.started')).toHaveLength(1);
  });
});
