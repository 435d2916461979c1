// The whole host in live mode over real servers, as Twilio sees it: signed webhooks and transcription callbacks,
// a Twilio-side media client (TwilioMediaClient), the TTS stand-in writing parts into s3rver (read through the SDK
// path), the Twilio REST stand-in for handoffs. Shared by the conversation integration tests.
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach } from 'vitest';
import type { CallEvent } from '../src/shared/model';
import { testConfig } from '../src/main/config/load';
import { createHost, type Host } from '../src/main/host';
import { silentLogger } from '../src/main/log';
import { TwilioMediaClient } from '../src/main/sim/media-client';
import { s3PartWriter } from '../src/main/sim/part-writer';
import { startTtsStandIn, type TtsStandIn, type TtsStandInOptions } from '../src/main/sim/tts-standin';
import { startTwilioRestStandIn, type StandIn } from '../src/main/sim/twilio-rest-standin';
import { postWebhook, randomSid, twilioCallParams } from '../src/main/sim/webhook-client';
import { parseWav } from '../src/main/tts/wav';
import { useS3rver, useS3rverCredentialsInEnv } from './helpers/s3rver';
import { find, parseTwiml, type TwimlNode } from './twiml-harness';

export const ACCOUNT_SID = 'AC' + '2'.repeat(32);
export const AUTH_TOKEN = 'conversation-rig-auth-token-42';
export const PUBLIC_URL = 'https://fd-conv.example.ngrok.app';
export const CONNECT_DID = '+8225551234';

const RES = join(__dirname, '../resources/audio');
const data = (file: string) => Buffer.from(parseWav(readFileSync(join(RES, file))).data);
const manifest = JSON.parse(readFileSync(join(RES, 'greeting-parts/manifest.json'), 'utf8')) as { parts: Array<{ part: number }> };
export const greetingAudio = Buffer.concat(manifest.parts.map((p) => data(`greeting-parts/part${p.part}.wav`)));
export const callerSpeech = data('caller-speech.mulaw.wav');

/** Audio per spoken text: the greeting is the long fixture; every other text gets its own 0.8 s slice of it. */
export function audioFor(text: string, greeting: string): Buffer {
  if (text === greeting) return greetingAudio;
  let h = 0;
  for (const ch of text) h = (h * 31 + ch.codePointAt(0)!) % 20;
  const at = h * 1600;
  return greetingAudio.subarray(at, at + 6400);
}

export interface ConversationRig {
  host: Host;
  rest: StandIn;
  tts: TtsStandIn;
  events(callSid: string): CallEvent[];
  ofType<T extends CallEvent['type']>(callSid: string, type: T): Array<Extract<CallEvent, { type: T }>>;
  /** Signed webhook POST as Twilio makes it. */
  post(path: string, callSid: string, extra?: Record<string, string>, signed?: boolean): Promise<{ status: number; body: string }>;
  /** A call answered by /voice_stream, its TwiML, and the media client Twilio would connect. */
  call(): Promise<RigCall>;
}

export interface RigCall {
  sid: string;
  twiml: TwimlNode;
  client: TwilioMediaClient;
  /** What the caller heard: frames that finished playing before any clear arrived (Twilio's playout, modelled). */
  heard(): Buffer;
  /** Signed transcription callback. */
  transcription(event: 'started' | 'content' | 'stopped' | 'error', fields?: Record<string, string>): Promise<number>;
  /** A content callback: text, Final, SequenceId. */
  words(text: string, final: boolean, sequenceId: number): Promise<number>;
}

export interface RigOptions {
  settings?: Record<string, string>;
  standIn?: Partial<TtsStandInOptions>;
}

/** One s3rver per file; one host per test (stopped after it). Call at the top level of a test file. */
export function useConversationRig(): (o?: RigOptions) => Promise<ConversationRig> {
  useS3rverCredentialsInEnv();
  const store = useS3rver();
  const stops: Array<() => Promise<void>> = [];
  afterEach(async () => {
    while (stops.length) await stops.pop()!();
  });
  return async (o = {}) => {
    const { s3, client: s3Client } = store;
    const base = testConfig({});
    const greeting = o.settings?.GREETING ?? base.settings.GREETING;
    const tts = await startTtsStandIn({
      writer: s3PartWriter(s3Client, s3.bucket),
      keyPrefix: base.settings.KEY_PREFIX,
      audioFor: async (text) => audioFor(text, greeting),
      firstPartDelayMs: 120,
      partIntervalMs: 300,
      ...o.standIn,
    });
    stops.push(() => tts.stop());
    const rest = await startTwilioRestStandIn({ accountSid: ACCOUNT_SID, authToken: AUTH_TOKEN });
    stops.push(() => rest.stop());
    const config = testConfig({
      ...s3.settings,
      DEMO: 'off',
      HTTP_PORT: '0',
      WS_PORT: '0',
      DATA_DIR: mkdtempSync(join(tmpdir(), 'fd-conv-')),
      TWILIO_ACCOUNT_SID: ACCOUNT_SID,
      TWILIO_AUTH_TOKEN: AUTH_TOKEN,
      TWILIO_API_BASE_URL: rest.url,
      PUBLIC_URL,
      TTS_URL: tts.url,
      CONNECT_DID,
      PACING_LEAD_MS: '100',
      JOB_IDLE_TIMEOUT_MS: '5000',
      ...o.settings,
    });
    const host = createHost({ config, log: silentLogger() });
    await host.start();
    const clients: TwilioMediaClient[] = [];
    stops.push(async () => {
      await Promise.all(clients.map((c) => c.stop()));
      await host.stop();
    });
    const httpBase = `http://127.0.0.1:${host.ports.http}`;
    const post = async (path: string, callSid: string, extra: Record<string, string> = {}, signed = true) =>
      postWebhook({
        httpBase,
        publicUrl: PUBLIC_URL,
        path,
        params: { ...twilioCallParams({ callSid, accountSid: ACCOUNT_SID, from: '+821012345678', to: '+15005550006' }), ...extra },
        authToken: signed ? AUTH_TOKEN : null,
      });
    const events = (sid: string) => host.registry.eventsOf(sid);
    const rig: ConversationRig = {
      host,
      rest,
      tts,
      events,
      ofType: (sid, type) => events(sid).filter((e): e is Extract<CallEvent, { type: typeof type }> => e.type === type),
      post,
      async call() {
        const sid = randomSid();
        const twiml = parseTwiml((await post('/voice_stream', sid)).body);
        const stream = find(twiml, 'Stream');
        const customParameters = Object.fromEntries(twiml.children.flatMap(function all(n: TwimlNode): TwimlNode[] {
          return [...(n.name === 'Parameter' ? [n] : []), ...n.children.flatMap(all)];
        }).map((p) => [p.attrs.name!, p.attrs.value!]));
        const client = await TwilioMediaClient.connect({
          url: `ws://127.0.0.1:${host.ports.ws}/media`,
          signedUrl: stream.attrs.url!,
          authToken: AUTH_TOKEN,
          accountSid: ACCOUNT_SID,
          callSid: sid,
          customParameters,
        });
        clients.push(client);
        const played: Buffer[] = [];
        let pending: Array<{ frame: Buffer; endsAt: number }> = [];
        let endsAt = 0;
        const settle = (t: number) => {
          while (pending.length && pending[0]!.endsAt <= t) played.push(pending.shift()!.frame);
        };
        client.on('media', (payload: Buffer, at: number) => {
          settle(at);
          endsAt = Math.max(at, endsAt) + payload.length / 8;
          pending.push({ frame: payload, endsAt });
        });
        client.on('clear', () => {
          const at = Date.now();
          settle(at);
          pending = [];
          endsAt = at;
        });
        const tsid = 'GT' + sid.slice(2);
        const transcription = async (event: string, fields: Record<string, string> = {}) =>
          (await post('/transcription', sid, { TranscriptionEvent: `transcription-${event}`, TranscriptionSid: tsid, Track: 'inbound_track', LanguageCode: 'ko-KR', Timestamp: new Date().toISOString(), ...fields })).status;
        return {
          sid,
          twiml,
          client,
          heard() {
            settle(Date.now());
            return Buffer.concat(played);
          },
          transcription,
          words: (text, final, sequenceId) =>
            transcription('content', { SequenceId: String(sequenceId), Final: String(final), Stability: final ? '1' : '0.6', TranscriptionData: JSON.stringify({ transcript: text, confidence: 0.91 }) }),
        };
      },
    };
    return rig;
  };
}
