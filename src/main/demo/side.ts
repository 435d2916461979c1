// The simulated Twilio's real edge: signed webhooks to the host (sim/webhook-client), signed media streams
// (sim/media-client), real timers. Public URLs in TwiML are mapped to where the host actually listens.
import { setTimeout as delay } from 'node:timers/promises';
import twilio from 'twilio';
import type { PublicUrls } from '../config/urls';
import { TwilioMediaClient } from '../sim/media-client';
import { postWebhook, randomSid, twilioCallParams } from '../sim/webhook-client';
import { TwimlError } from './twilio/twiml';
import type { MediaLeg, Params, TwilioSide, Webhook, WebhookAnswer } from './twilio/types';

export interface HostTarget {
  /** Where the host's webhook server listens, e.g. http://127.0.0.1:5000. */
  httpBase: string;
  /** Where the host's media WebSocket listens, e.g. ws://127.0.0.1:8765/media. */
  mediaUrl: string;
  /** The public URLs the host puts in its TwiML and checks signatures against. */
  urls: PublicUrls;
}

export interface SideOptions {
  target: HostTarget;
  accountSid: string;
  /** Signs webhooks and media upgrades (null: unsigned, for hosts that skip validation). */
  authToken: string | null;
  /** Line noise (mu-law) looped on every stream's inbound track whenever the caller is not talking. */
  lineNoise?: Buffer;
  /** Per-request timeout: a stuck host must not hold a simulated call forever. */
  timeoutMs?: number;
}

/** The host-relative path of a public URL from the TwiML, or an error when it points elsewhere. */
export function hostPath(url: string, base: string): string {
  const b = base.replace(/\/+$/, '');
  if (url === b || url.startsWith(`${b}/`) || url.startsWith(`${b}?`)) return url.slice(b.length) || '/';
  throw new TwimlError(`the simulator only calls the host (${b}), not ${url}`);
}

export function createTwilioSide(o: SideOptions): TwilioSide {
  const { target } = o;
  const timeoutMs = o.timeoutMs ?? 10_000;
  const withTimeout = async <T>(p: Promise<T>, what: string): Promise<T> => {
    const timer = new AbortController();
    const expired = delay(timeoutMs, undefined, { signal: timer.signal }).then(() => {
      throw new Error(`${what} did not answer within ${timeoutMs} ms`);
    });
    try {
      return await Promise.race([p, expired]);
    } finally {
      timer.abort(); // no timer outlives the request
    }
  };

  async function request(hook: Webhook): Promise<WebhookAnswer> {
    const path = hostPath(hook.url, target.urls.base);
    if (hook.method === 'POST') {
      return withTimeout(postWebhook({ httpBase: target.httpBase, publicUrl: target.urls.base, path, params: hook.params, authToken: o.authToken }), hook.url);
    }
    // GET webhooks carry the parameters in the query string and sign the URL alone
    const query = new URLSearchParams(hook.params).toString();
    const full = `${path}${path.includes('?') ? '&' : '?'}${query}`;
    const headers: Record<string, string> = {};
    if (o.authToken) headers['x-twilio-signature'] = twilio.getExpectedTwilioSignature(o.authToken, target.urls.base + full, {});
    const res = await withTimeout(fetch(target.httpBase + full, { headers }), hook.url);
    return { status: res.status, body: await res.text(), contentType: res.headers.get('content-type') ?? '' };
  }

  async function openStream(s: { url: string; callSid: string; customParameters: Params }): Promise<MediaLeg> {
    // the TwiML names the public wss URL (signed); the socket goes to where the host listens
    const url = s.url === target.urls.media ? target.mediaUrl : s.url;
    const client = await withTimeout(
      TwilioMediaClient.connect({ url, signedUrl: s.url, authToken: o.authToken, callSid: s.callSid, accountSid: o.accountSid, customParameters: s.customParameters }),
      s.url,
    );
    return legOf(client, o.lineNoise);
  }

  return {
    accountSid: o.accountSid,
    request,
    openStream,
    sleep: (ms, signal) => delay(ms, undefined, { signal }),
    now: Date.now,
    callParams: (leg) => twilioCallParams({ ...leg, accountSid: o.accountSid }),
    newCallSid: () => randomSid('CA'),
  };
}

const NOISE_SLICE_MS = 100;

/** C's media client as the call runner's MediaLeg: closes we did not ask for are the server's. */
function legOf(client: TwilioMediaClient, lineNoise?: Buffer): MediaLeg {
  let stopping = false;
  // the client plays its inbound queue in order: noise is fed a slice at a time so the caller's speech is never
  // queued behind more than one slice of it
  let talkingUntil = 0;
  let noiseAt = 0;
  const noise =
    lineNoise && lineNoise.length > 0
      ? setInterval(() => {
          if (Date.now() < talkingUntil) return;
          const bytes = NOISE_SLICE_MS * 8;
          const slice = Buffer.alloc(bytes);
          for (let i = 0; i < bytes; i++) slice[i] = lineNoise[(noiseAt + i) % lineNoise.length]!;
          noiseAt = (noiseAt + bytes) % lineNoise.length;
          client.sendAudio(slice);
        }, NOISE_SLICE_MS)
      : null;
  const quiet = () => {
    if (noise) clearInterval(noise);
  };
  // the client emits protocol complaints as 'error'; they must not crash the host
  client.on('error', () => undefined);
  const closedByServer = new Promise<void>((resolve) => {
    void client.closed().then(() => {
      quiet();
      if (!stopping) resolve();
    });
  });
  return {
    streamSid: client.streamSid,
    onAudio: (listener) => client.on('media', (payload: Buffer) => listener(payload.length)),
    onMark: (listener) => client.on('mark', (name: string, outcome: 'played' | 'cleared') => listener(name, outcome)),
    onClear: (listener) => client.on('clear', () => listener()),
    sendAudio: (mulaw) => {
      talkingUntil = Math.max(Date.now(), talkingUntil) + mulaw.length / 8 + NOISE_SLICE_MS;
      const ahead = client.queuedMs; // a slice of line noise, or the caller's previous words
      client.sendAudio(mulaw);
      return ahead;
    },
    closedByServer,
    stop: async () => {
      stopping = true;
      quiet();
      await client.stop();
    },
  };
}
