// Listen-in and recordings over real servers: a live host (conversation rig: signed webhooks, a Twilio-side media
// client, the TTS stand-in into s3rver), its console WebSocket server with two real console clients. The listen
// stream reaches only the client that asked, carries both legs, and stops on hang-up; the finished call's
// recording exports a 2-channel WAV whose bot channel is what the host sent and whose caller channel is what the
// caller said (byte-exact, modulo where the silence falls).
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import type { ConsoleMessage, ConsoleServerMessage } from '../src/shared/api';
import { startConsoleServer, type ConsoleServer } from '../src/main/console/server';
import { silentLogger } from '../src/main/log';
import { parseWav } from '../src/main/tts/wav';
import { callerSpeech, greetingAudio, useConversationRig } from './conversation-rig';
import { until } from './media-rig';

const start = useConversationRig();
const TOKEN = 'monitor-test-console-token-0123';
const stops: Array<() => Promise<void>> = [];
afterEach(async () => {
  while (stops.length) await stops.pop()!();
});

interface ConsoleClient {
  pushes: ConsoleMessage[];
  request(method: string, params: unknown[]): Promise<{ ok: boolean; result?: unknown; error?: string }>;
  audio(callSid: string, leg: 'caller' | 'bot'): Buffer;
}

async function consoleClient(server: ConsoleServer): Promise<ConsoleClient> {
  const ws = new WebSocket(`ws://127.0.0.1:${server.port}/api?token=${TOKEN}`, { headers: { origin: `http://127.0.0.1:${server.port}` } });
  await new Promise<void>((resolve, reject) => (ws.once('open', () => resolve()), ws.once('error', reject)));
  stops.push(async () => ws.close());
  const pushes: ConsoleMessage[] = [];
  const replies = new Map<number, (r: { ok: boolean; result?: unknown; error?: string }) => void>();
  ws.on('message', (data) => {
    const m = JSON.parse(String(data)) as ConsoleServerMessage;
    if ('push' in m) pushes.push(m.push);
    else replies.get(m.id)?.(m);
  });
  let id = 0;
  return {
    pushes,
    request: (method, params) =>
      new Promise((resolve) => {
        replies.set(++id, resolve);
        ws.send(JSON.stringify({ id, method, params }));
      }),
    audio: (callSid, leg) =>
      Buffer.concat(
        pushes
          .filter((p): p is Extract<ConsoleMessage, { kind: 'audio' }> => p.kind === 'audio' && p.callSid === callSid && p.leg === leg)
          .map((p) => Buffer.from(p.payload, 'base64')),
      ),
  };
}

async function withConsole(r: Awaited<ReturnType<typeof start>>): Promise<ConsoleServer> {
  const dir = mkdtempSync(join(tmpdir(), 'fd-monitor-ui-'));
  writeFileSync(join(dir, 'index.html'), '<!doctype html><title>Front Door</title>');
  const server = await startConsoleServer({ api: r.host.api, token: TOKEN, port: 0, rendererDir: dir, log: silentLogger() });
  stops.push(() => server.stop());
  return server;
}

const sound = (b: Buffer) => Buffer.from([...b].filter((x) => x !== 0xff));
const channel = (data: Buffer, c: 0 | 1) => Buffer.from(data.filter((_, i) => i % 2 === c));

describe('listen-in', () => {
  it('both legs reach only the console that asked, and stop on hang-up', async () => {
    // BARGE_IN=off: the caller talks over the greeting, and here the bot leg must be the greeting as played, whole
    // (a barge-in pause re-sends the frame that was playing: tested in the conversation and barge-in suites)
    const r = await start({ settings: { BARGE_IN: 'off' } });
    const server = await withConsole(r);
    const [asking, other] = [await consoleClient(server), await consoleClient(server)];
    const call = await r.call();
    const { sid, client } = call;
    await until(() => r.host.registry.get(sid)?.streamSid !== undefined, 'the stream to start');
    expect(await asking.request('listen', [sid, true])).toMatchObject({ ok: true, result: { ok: true } });
    client.sendAudio(callerSpeech);
    await until(() => asking.audio(sid, 'caller').length >= 8000 && asking.audio(sid, 'bot').length >= 4000, 'both legs to be heard', 20_000);
    expect(asking.pushes).toContainEqual({ kind: 'listen', callSid: sid, listening: true });
    // batched: about ten messages a second per leg, never one per 20 ms frame
    const callerBatches = asking.pushes.filter((p) => p.kind === 'audio' && p.leg === 'caller');
    expect(asking.audio(sid, 'caller').length / callerBatches.length).toBeGreaterThanOrEqual(480);
    // the bot leg is the greeting as played: a run of it, in order
    const bot = asking.audio(sid, 'bot');
    expect(greetingAudio.indexOf(bot.subarray(0, 800))).toBeGreaterThanOrEqual(0);
    expect(other.pushes.some((p) => p.kind === 'audio' || p.kind === 'listen')).toBe(false);

    // the caller said all of it (what they said arrives in real time), then hangs up
    await until(() => sound(asking.audio(sid, 'caller')).length >= sound(callerSpeech).length, 'the caller to finish', 20_000);
    expect(sound(asking.audio(sid, 'caller')).equals(sound(callerSpeech))).toBe(true);
    await client.stop();
    expect((await r.post('/call_status', sid, { CallStatus: 'completed', CallDuration: '5' })).status).toBe(204);
    await until(() => asking.pushes.some((p) => p.kind === 'listen' && !p.listening), 'listening to stop');
    expect(asking.pushes.find((p) => p.kind === 'listen' && !p.listening)).toEqual({ kind: 'listen', callSid: sid, listening: false, reason: 'call ended' });
    const heard = asking.pushes.length;
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(asking.pushes.slice(heard).filter((p) => p.kind === 'audio')).toEqual([]);
    expect(other.pushes.some((p) => p.kind === 'audio')).toBe(false);
    // a call that is over cannot be listened to
    expect((await asking.request('listen', [sid, true])).result).toMatchObject({ ok: false });
    // the caller's words are in the recording's left channel, byte-exact
    const wav = parseWav(Buffer.from((await asking.request('exportRecording', [sid, 'mulaw'])).result as string, 'base64'));
    expect(sound(channel(wav.data, 0)).equals(sound(callerSpeech))).toBe(true);
  });
});

describe('recordings', () => {
  it('a finished streamed call exports a 2-channel WAV whose bot channel is what was sent', async () => {
    const r = await start();
    const call = await r.call();
    const { sid, client } = call;
    await until(() => r.ofType(sid, 'mark').some((m) => m.outcome === 'played' && m.name.endsWith(':end')), 'the greeting to be heard', 20_000);
    await client.stop();
    expect((await r.post('/call_status', sid, { CallStatus: 'completed', CallDuration: '5' })).status).toBe(204);
    await until(() => r.host.registry.get(sid)?.state === 'ended', 'the call to end');
    let complete = false;
    await until(() => {
      void r.host.api.getRecording(sid).then((rec) => (complete = rec?.complete === true));
      return complete;
    }, 'the recording to close');
    const wav = parseWav(Buffer.from((await r.host.api.exportRecording(sid, 'mulaw'))!, 'base64'));
    expect(wav.format).toMatchObject({ audioFormat: 7, channels: 2, sampleRate: 8000, bitsPerSample: 8 });
    const sent = Buffer.concat(client.received.media);
    expect(sent.length).toBeGreaterThanOrEqual(greetingAudio.length);
    expect(sound(channel(wav.data, 1)).equals(sound(sent))).toBe(true);
    expect(sound(channel(wav.data, 1)).equals(sound(greetingAudio))).toBe(true);
    // the caller channel ran the whole stream: silence from the client, as long as the bot's leg at least
    expect(channel(wav.data, 0).length).toBe(wav.data.length / 2);
    const pcm = parseWav(Buffer.from((await r.host.api.exportRecording(sid, 'pcm16'))!, 'base64'));
    expect(pcm.format).toMatchObject({ audioFormat: 1, channels: 2, bitsPerSample: 16 });
    expect(pcm.data.length).toBe(wav.data.length * 2);
  });

  it('RECORDINGS=off: the call streams as before and no recording is written', async () => {
    const r = await start({ settings: { RECORDINGS: 'off' } });
    const { sid, client } = await r.call();
    await until(() => r.ofType(sid, 'mark').some((m) => m.outcome === 'played' && m.name.endsWith(':end')), 'the greeting to be heard', 20_000);
    expect(Buffer.concat(client.received.media).subarray(0, greetingAudio.length).equals(greetingAudio)).toBe(true);
    await client.stop();
    expect((await r.post('/call_status', sid, { CallStatus: 'completed', CallDuration: '5' })).status).toBe(204);
    await until(() => r.host.registry.get(sid)?.state === 'ended', 'the call to end');
    expect(await r.host.api.getRecording(sid)).toBeNull();
    expect(await r.host.api.exportRecording(sid, 'mulaw')).toBeNull();
  });
});
