// TwilioMediaClient against a bare ws server: it must behave like Twilio (notes/twilio.md §1, §8), since the
// media tests, the demo's simulated caller and the benchmarks trust it.
import type { AddressInfo } from 'node:net';
import twilio from 'twilio';
import { afterEach, describe, expect, it } from 'vitest';
import { WebSocketServer, type WebSocket } from 'ws';
import { TwilioMediaClient } from '../src/main/sim/media-client';
import { until } from './media-rig';

const TOKEN = '12345';
const SIGNED = 'wss://example.ngrok.app/media';

interface Peer {
  url: string;
  received: Array<Record<string, unknown>>;
  signatures: Array<string | undefined>;
  socket(): WebSocket;
  close(): Promise<void>;
}

let peer: Peer | null = null;
afterEach(async () => {
  await peer?.close();
  peer = null;
});

async function startPeer(): Promise<Peer> {
  const wss = new WebSocketServer({ port: 0, host: '127.0.0.1' });
  await new Promise<void>((r) => wss.once('listening', () => r()));
  const received: Array<Record<string, unknown>> = [];
  const signatures: Array<string | undefined> = [];
  let current: WebSocket | null = null;
  wss.on('connection', (ws, req) => {
    current = ws;
    signatures.push(req.headers['x-twilio-signature'] as string | undefined);
    ws.on('message', (data) => received.push(JSON.parse(String(data))));
  });
  peer = {
    url: `ws://127.0.0.1:${(wss.address() as AddressInfo).port}/media`,
    received,
    signatures,
    socket: () => current!,
    close: () =>
      new Promise<void>((r) => {
        for (const c of wss.clients) c.terminate();
        wss.close(() => r());
      }),
  };
  return peer;
}

const connect = (p: Peer, extra: Partial<Parameters<typeof TwilioMediaClient.connect>[0]> = {}) =>
  TwilioMediaClient.connect({ url: p.url, signedUrl: SIGNED, authToken: TOKEN, accountSid: 'AC' + 'a'.repeat(32), callSid: 'CA' + 'b'.repeat(32), customParameters: { text: '안녕' }, ...extra });

const sendMedia = (ws: WebSocket, streamSid: string, bytes: number) => ws.send(JSON.stringify({ event: 'media', streamSid, media: { payload: Buffer.alloc(bytes, 0x7f).toString('base64') } }));
const sendMark = (ws: WebSocket, streamSid: string, name: string) => ws.send(JSON.stringify({ event: 'mark', streamSid, mark: { name } }));

describe('TwilioMediaClient', () => {
  it('signs the upgrade like Twilio and sends connected, then start with string counters', async () => {
    const p = await startPeer();
    const client = await connect(p);
    await until(() => p.received.length >= 3, 'connected, start and a media frame');
    expect(p.signatures[0]).toBe('qAJ3tVzuyieOXZQE3PxbZnXhiQ8='); // notes/twilio.md §1.1, token 12345
    expect(twilio.validateRequest(TOKEN, p.signatures[0]!, SIGNED, {})).toBe(true);
    expect(p.received[0]).toStrictEqual({ event: 'connected', protocol: 'Call', version: '1.0.0' });
    const start = p.received[1] as { event: string; sequenceNumber: string; streamSid: string; start: Record<string, unknown> };
    expect(start.event).toBe('start');
    expect(start.sequenceNumber).toBe('1');
    expect(start.streamSid).toBe(client.streamSid);
    expect(start.start).toMatchObject({ streamSid: client.streamSid, tracks: ['inbound'], customParameters: { text: '안녕' }, mediaFormat: { encoding: 'audio/x-mulaw', sampleRate: 8000, channels: 1 } });
    const media = p.received[2] as { sequenceNumber: string; media: { track: string; chunk: string; timestamp: string; payload: string } };
    expect(media.sequenceNumber).toBe('2');
    expect(media.media).toMatchObject({ track: 'inbound', chunk: '1', timestamp: '0' });
    expect(Buffer.from(media.media.payload, 'base64')).toEqual(Buffer.alloc(160, 0xff));
    await client.stop();
  });

  it('sends inbound audio as 20 ms frames with media timestamps, silence after it', async () => {
    const p = await startPeer();
    const audio = Buffer.alloc(400, 0x12);
    const client = await connect(p, { inboundAudio: audio });
    await until(() => p.received.filter((m) => m.event === 'media').length >= 5, 'five frames');
    const frames = p.received.filter((m) => m.event === 'media').map((m) => (m as { media: { chunk: string; timestamp: string; payload: string } }).media);
    expect(frames.slice(0, 5).map((f) => [f.chunk, f.timestamp])).toEqual([['1', '0'], ['2', '20'], ['3', '40'], ['4', '60'], ['5', '80']]);
    const bytes = Buffer.concat(frames.slice(0, 5).map((f) => Buffer.from(f.payload, 'base64')));
    expect(bytes.subarray(0, 400)).toEqual(audio);
    expect([...bytes.subarray(400)].every((b) => b === 0xff)).toBe(true);
    client.sendDtmf('7');
    await until(() => p.received.some((m) => m.event === 'dtmf'), 'dtmf');
    expect(p.received.find((m) => m.event === 'dtmf')).toMatchObject({ dtmf: { track: 'inbound_track', digit: '7' } });
    await client.stop();
  });

  it('echoes a mark only once the audio queued before it has played; at once when nothing is queued', async () => {
    const p = await startPeer();
    const client = await connect(p);
    await until(() => p.received.length >= 2, 'start');
    const ws = p.socket();
    sendMark(ws, client.streamSid, 'empty');
    await until(() => client.received.marks.length === 1, 'the immediate echo');
    const sentAt = Date.now();
    sendMedia(ws, client.streamSid, 4000); // 500 ms of audio
    sendMark(ws, client.streamSid, 'after-audio');
    await until(() => client.received.marks.length === 2, 'the echo after playout', 5000);
    expect(client.received.marks.map((m) => [m.name, m.outcome])).toEqual([['empty', 'played'], ['after-audio', 'played']]);
    expect(client.received.marks[1]!.at - sentAt).toBeGreaterThanOrEqual(450); // a lower bound only: load can only delay it
    await until(() => p.received.filter((m) => m.event === 'mark').length === 2, 'echoes at the server');
    const echo = p.received.filter((m) => m.event === 'mark')[1] as { sequenceNumber: unknown; mark: unknown };
    expect(typeof echo.sequenceNumber).toBe('string');
    expect(echo.mark).toStrictEqual({ name: 'after-audio' });
    await client.stop();
  });

  it('echoes marks in the order they were sent, even when a later one is already due', async () => {
    let clock = 1_000_000;
    const p = await startPeer();
    const client = await connect(p, { now: () => clock });
    await until(() => p.received.length >= 2, 'start');
    const ws = p.socket();
    sendMedia(ws, client.streamSid, 8000); // 1 s of audio: 'first' waits on a real 1 s timer
    sendMark(ws, client.streamSid, 'first');
    await until(() => p.received.length >= 2 && client.received.messages.length >= 2, 'media and mark received');
    clock += 5000; // by the client's clock the audio has played: the next mark is due at once
    sendMark(ws, client.streamSid, 'second');
    await until(() => client.received.marks.length === 2, 'both echoes', 3000);
    expect(client.received.marks.map((m) => m.name)).toEqual(['first', 'second']);
    await client.stop();
  });

  it('on clear empties its queue and echoes every pending mark at once, as cleared', async () => {
    const p = await startPeer();
    const client = await connect(p);
    await until(() => p.received.length >= 2, 'start');
    const ws = p.socket();
    sendMedia(ws, client.streamSid, 80_000); // 10 s
    sendMark(ws, client.streamSid, 'a');
    sendMedia(ws, client.streamSid, 8000);
    sendMark(ws, client.streamSid, 'b');
    ws.send(JSON.stringify({ event: 'clear', streamSid: client.streamSid }));
    await until(() => client.received.marks.length === 2, 'both marks echoed', 3000);
    expect(client.received.clears).toBe(1);
    expect(client.received.marks.map((m) => [m.name, m.outcome])).toEqual([['a', 'cleared'], ['b', 'cleared']]);
    sendMark(ws, client.streamSid, 'c'); // the queue is empty after the clear
    await until(() => client.received.marks.length === 3, 'an immediate echo');
    await client.stop();
  });

  it('stop() sends stop and closes; connecting to nothing rejects', async () => {
    const p = await startPeer();
    const client = await connect(p);
    await until(() => p.received.length >= 2, 'start');
    await client.stop();
    await until(() => p.received.some((m) => m.event === 'stop'), 'stop');
    expect(p.received.find((m) => m.event === 'stop')).toMatchObject({ streamSid: client.streamSid, stop: { callSid: 'CA' + 'b'.repeat(32) } });
    expect(client.closeCode).toBe(1000);
    const err = await connect(p, { url: 'ws://127.0.0.1:1/media' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(Error);
  });
});
