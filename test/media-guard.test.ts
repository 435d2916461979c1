// The media server's edges: signed upgrades only (403 before accepting), malformed input that never reaches
// another stream, and stop() leaving no socket, timer or poller behind.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { realTimers, type TimerApi } from '../src/main/media/pacer';
import { parseWav } from '../src/main/tts/wav';
import { until, useMediaRig } from './media-rig';

const greeting = Buffer.from(parseWav(readFileSync(join(__dirname, '../resources/audio/greeting.mulaw.wav'))).data);
const shortReply = greeting.subarray(0, 9600);

const start = useMediaRig(shortReply);

async function refusal(p: Promise<unknown>): Promise<number | undefined> {
  const err = await p.then(
    () => null,
    (e: unknown) => e as { statusCode?: number },
  );
  expect(err).not.toBeNull();
  return err?.statusCode;
}

describe('the upgrade', () => {
  it('accepts Twilio’s signature over the public wss URL (with or without a trailing slash)', async () => {
    const r = await start();
    const a = await r.connect();
    const b = await r.connect({ signedUrl: `${r.urls.media}/` });
    expect(r.urls.media).toBe('wss://front-door.example.ngrok.app/media');
    await until(() => r.media.activeStreams() === 2, 'two streams');
    await Promise.all([a.stop(), b.stop()]);
  });

  it.each([
    ['a wrong token', { authToken: 'not-the-token-0000' }, '/media', 403],
    ['no signature', { authToken: null }, '/media', 403],
    ['a signature over https:// instead of wss://', { signedUrl: 'https://front-door.example.ngrok.app/media' }, '/media', 403],
    ['another path', {}, '/other', 404],
    ['a query string', {}, '/media?token=1', 400],
  ] as const)('refuses %s with HTTP %i before accepting', async (_name, opts, path, status) => {
    const r = await start();
    expect(await refusal(r.connect({ url: r.wsUrl.replace('/media', path), ...opts }))).toBe(status);
    expect(r.media.activeStreams()).toBe(0);
  });
});

describe('bad input', () => {
  it('malformed, unknown and misdirected messages are counted and harmless; an oversized one closes only its own socket', async () => {
    const r = await start({ settings: { MAX_MEDIA_MESSAGE_BYTES: '2048' }, standIn: { partIntervalMs: 100 } });
    const bad = await r.connect();
    const good = await r.connect();
    await until(() => bad.received.media.length > 3, 'audio on the bad stream');
    bad.sendRaw(Buffer.from([0, 1, 2, 3]), true);
    bad.sendRaw('{"event":');
    bad.sendRaw(JSON.stringify({ event: 'hello', streamSid: bad.streamSid }));
    bad.sendRaw(JSON.stringify({ event: 'media', sequenceNumber: '9', streamSid: good.streamSid, media: { track: 'inbound', chunk: '9', timestamp: '160', payload: '' } }));
    bad.sendRaw(JSON.stringify({ event: 'media', sequenceNumber: 9, streamSid: bad.streamSid, media: { track: 'inbound' } }));
    bad.sendRaw(JSON.stringify({ event: 'mark', sequenceNumber: '10', streamSid: bad.streamSid, mark: { name: 'never-sent' } }));
    await until(() => r.eventsOf(bad.opts.callSid).some((e) => e.type === 'error'), 'the error event');
    const before = bad.received.media.length;
    await until(() => bad.received.media.length > before + 5, 'the bad stream to keep playing');
    expect(r.eventsOf(bad.opts.callSid).filter((e) => e.type === 'error')).toHaveLength(1);

    bad.sendRaw(JSON.stringify({ event: 'media', pad: 'x'.repeat(4096) }));
    expect(await bad.closed()).toBe(1009);
    expect(await good.closed()).toBe(1000);
    expect(Buffer.compare(Buffer.concat(good.received.media), shortReply)).toBe(0);
    expect(r.eventsOf(good.opts.callSid).filter((e) => e.type === 'error')).toHaveLength(0);
  });
});

/** Real timers that remember which are still pending. */
class TrackingTimers implements TimerApi {
  readonly live = new Set<unknown>();
  set(fn: () => void, ms: number): unknown {
    const handle: unknown = realTimers.set(() => {
      this.live.delete(handle);
      fn();
    }, ms);
    this.live.add(handle);
    return handle;
  }
  clear(handle: unknown): void {
    this.live.delete(handle);
    realTimers.clear(handle);
  }
}

describe('stop()', () => {
  it('closes every socket, cancels every reply and leaves no timer, poller or stream behind', async () => {
    const timers = new TrackingTimers();
    const r = await start({ audio: greeting, timers, standIn: { partIntervalMs: 400 } });
    const clients = [await r.connect(), await r.connect()];
    await until(() => clients.every((c) => c.received.media.length > 10), 'both streams playing');
    expect(timers.live.size).toBeGreaterThan(0);
    await r.media.stop();
    expect(await Promise.all(clients.map((c) => c.closed()))).toEqual([1001, 1001]);
    expect(r.media.activeStreams()).toBe(0);
    expect(r.pacer.size).toBe(0);
    expect(timers.live.size).toBe(0);
    for (const c of clients) {
      const statuses = r.eventsOf(c.opts.callSid).filter((e) => e.type === 'tts.job').map((e) => (e as { status: string }).status);
      expect(statuses).toEqual(['started', 'cancelled']);
      expect(r.eventsOf(c.opts.callSid).filter((e) => e.type === 'stream.stopped')).toMatchObject([{ reason: 'server-stopped' }]);
    }
    const gets = r.s3Gets.length;
    const stoppedAt = Date.now();
    await until(() => Date.now() - stoppedAt > 600, 'time for any stray poll');
    expect(r.s3Gets.length).toBe(gets);
    expect(await refusal(r.connect())).toBe(503);
  });
});
