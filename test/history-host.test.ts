// History as the host feeds it, from outside (signed webhooks, a real Media Stream): a streamed reply is all
// detail live (the registry keeps every pacing window, mark and part) and one summary on disk; a call that goes
// silent for STALE_CALL_MIN is closed as interrupted, indexed, and leaves memory.
import { readFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import twilio from 'twilio';
import { describe, expect, it } from 'vitest';
import { testConfig } from '../src/main/config/load';
import { createHost } from '../src/main/host';
import { streamParameters } from './helpers/stream-twiml';
import { silentLogger } from '../src/main/log';
import { TwilioMediaClient } from '../src/main/sim/media-client';
import { s3PartWriter } from '../src/main/sim/part-writer';
import { startTtsStandIn } from '../src/main/sim/tts-standin';
import { createS3Client } from '../src/main/tts/store';
import { parseWav } from '../src/main/tts/wav';
import { until } from './media-rig';
import { S3RVER_CREDENTIALS, useS3rver, useS3rverCredentialsInEnv } from './helpers/s3rver';

useS3rverCredentialsInEnv();
const ctx = useS3rver();

const AUTH_TOKEN = 'history-host-auth-token-0123456789';
const ACCOUNT_SID = 'AC' + 'a'.repeat(32);
const PUBLIC_URL = 'https://front-door-history.example.ngrok.app';
const greeting = Buffer.from(parseWav(readFileSync(join(__dirname, '../resources/audio/greeting.mulaw.wav'))).data);
const audio = greeting.subarray(0, 160 * 200); // 4 s in 4 parts

async function post(port: number, path: string, params: Record<string, string>): Promise<number> {
  return (await postForm(port, path, params)).status;
}

async function postForm(port: number, path: string, params: Record<string, string>): Promise<{ status: number; body: string }> {
  const res = await fetch(`http://127.0.0.1:${port}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-twilio-signature': twilio.getExpectedTwilioSignature(AUTH_TOKEN, PUBLIC_URL + path, params), connection: 'close' },
    body: new URLSearchParams(params).toString(),
  });
  return { status: res.status, body: await res.text() };
}

const form = (sid: string, extra: Record<string, string> = {}) => ({ CallSid: sid, AccountSid: ACCOUNT_SID, From: '+821012345678', To: '+827012345678', CallStatus: 'in-progress', ...extra });

describe('history fed by the host', () => {
  it('keeps every pacing window, mark and part live, and writes one summary per reply', async () => {
    const client = createS3Client(testConfig(ctx.s3.settings), { credentials: S3RVER_CREDENTIALS });
    const standIn = await startTtsStandIn({ writer: s3PartWriter(client, ctx.s3.bucket), keyPrefix: 'tts', audioFor: async () => audio, firstPartDelayMs: 150, partIntervalMs: 500 });
    const host = createHost({
      // STREAM_STT=gather: the stream speaks one reply and closes (the conversation's many turns are tested elsewhere)
      config: testConfig({ ...ctx.s3.settings, DEMO: 'off', STREAM_STT: 'gather', TTS_URL: standIn.url, TWILIO_AUTH_TOKEN: AUTH_TOKEN, TWILIO_ACCOUNT_SID: ACCOUNT_SID, PUBLIC_URL, HTTP_PORT: '0', WS_PORT: '0', DATA_DIR: mkdtempSync(join(tmpdir(), 'fd-hh-')) }),
      log: silentLogger(),
    });
    await host.start();
    try {
      const sid = 'CA' + '1'.repeat(32);
      const answer = await postForm(host.ports.http, '/voice_stream', form(sid));
      expect(answer.status).toBe(200);
      const customParameters = streamParameters(answer.body);
      const media = await TwilioMediaClient.connect({ url: `ws://127.0.0.1:${host.ports.ws}/media`, signedUrl: host.urls.media, authToken: AUTH_TOKEN, accountSid: ACCOUNT_SID, callSid: sid, customParameters });
      expect(await media.closed()).toBe(1000);
      expect(Buffer.compare(Buffer.concat(media.received.media), audio)).toBe(0);
      expect(await post(host.ports.http, '/call_status', form(sid, { CallStatus: 'completed' }))).toBe(204);
      const live = host.registry.eventsOf(sid);
      const count = (events: typeof live, type: string) => events.filter((e) => e.type === type).length;
      expect(count(live, 'pacing')).toBeGreaterThan(4);
      expect(count(live, 'mark')).toBeGreaterThanOrEqual(8); // sent + played per part and the end
      // the live record (console) is the registry's; once the call leaves the live list, history answers
      await until(() => host.registry.get(sid)?.state === 'ended', 'the call to end');
      host.registry.sweep(Date.now() + 120_000);
      expect(host.registry.has(sid)).toBe(false);
      let disk = (await host.api.getCall(sid))?.events ?? [];
      for (let i = 0; i < 200 && !disk.some((e) => e.type === 'call.status'); i++) {
        await new Promise((r) => setTimeout(r, 20));
        disk = (await host.api.getCall(sid))?.events ?? [];
      }
      expect(count(disk, 'pacing')).toBe(1);
      expect(disk.filter((e) => e.type === 'mark').map((e) => (e as { name: string; outcome: string }).outcome)).toEqual(['played']);
      expect(count(disk, 'tts.part')).toBe(new Set(live.flatMap((e) => (e.type === 'tts.part' ? [e.part.part] : []))).size);
      expect(count(disk, 'tts.part')).toBeGreaterThan(1);
      const summary = disk.find((e) => e.type === 'pacing') as Extract<(typeof disk)[number], { type: 'pacing' }>;
      const windows = live.flatMap((e) => (e.type === 'pacing' ? [e.window] : []));
      expect(summary.window.windows).toBe(windows.length);
      expect(summary.window.frames).toBe(windows.reduce((n, w) => n + w.frames, 0));
      expect(summary.window.frames).toBe(audio.length / 160);
      expect(count(disk, 'bot.reply') + count(disk, 'call.started') + count(disk, 'tts.job')).toBe(count(live, 'bot.reply') + count(live, 'call.started') + count(live, 'tts.job'));
    } finally {
      await host.stop();
      await standIn.stop();
      client.destroy();
    }
  });

  it('closes a call silent for STALE_CALL_MIN as interrupted: indexed, its file closed, gone from memory', async () => {
    let now = Date.now();
    const host = createHost({
      config: testConfig({ DEMO: 'off', TWILIO_AUTH_TOKEN: AUTH_TOKEN, TWILIO_ACCOUNT_SID: ACCOUNT_SID, PUBLIC_URL, HTTP_PORT: '0', WS_PORT: '0', STALE_CALL_MIN: '30', DATA_DIR: mkdtempSync(join(tmpdir(), 'fd-hh-')) }),
      log: silentLogger(),
      now: () => now,
    });
    await host.start();
    try {
      const stale = 'CA' + '2'.repeat(32);
      const alive = 'CA' + '3'.repeat(32);
      for (const sid of [stale, alive]) expect(await post(host.ports.http, '/voice_gather', form(sid))).toBe(200);
      now += 29 * 60_000;
      expect(await post(host.ports.http, '/handle_speech', form(alive, { SpeechResult: '아직 있어요' }))).toBe(200);
      now += 60_000;
      host.registry.sweep(now);
      expect(host.registry.get(stale)).toMatchObject({ state: 'ended', interrupted: true, endReason: 'no events for 30 min: closed as interrupted' });
      expect(host.registry.get(alive)?.state).toBe('in_conversation');
      let listed: Awaited<ReturnType<typeof host.api.listHistory>> = [];
      const deadline = Date.now() + 10_000;
      while (!listed.some((c) => c.callSid === stale) && Date.now() < deadline) {
        listed = await host.api.listHistory({});
        await new Promise((r) => setTimeout(r, 20));
      }
      expect(listed.map((c) => c.callSid)).toEqual([stale]);
      expect(listed[0]).toMatchObject({ interrupted: true });
      now += 61_000;
      host.registry.sweep(now);
      expect(host.registry.has(stale)).toBe(false);
      expect((await host.api.getCall(stale))?.call).toMatchObject({ interrupted: true, state: 'ended' });
    } finally {
      await host.stop();
    }
  });
});
