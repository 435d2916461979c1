// Test harness for the webhook app: a real express app on an ephemeral loopback port, a fake clock,
// signed posts like Twilio's, and TwiML parsed with a real XML parser (fast-xml-parser) into a small tree.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { XMLParser } from 'fast-xml-parser';
import { CallRegistry } from '../src/main/calls/registry';
import { testConfig, type Config } from '../src/main/config/load';
import { publicUrls, type PublicUrls } from '../src/main/config/urls';
import { createLogger, type Logger } from '../src/main/log';
import { postWebhook, twilioCallParams, randomSid, type WebhookResponse } from '../src/main/sim/webhook-client';
import { HandoffService } from '../src/main/twilio/handoff';
import type { TwilioRest } from '../src/main/twilio/rest';
import { createTwimlApp } from '../src/main/twiml/app';

export const PUBLIC_URL = 'https://frontdoor.example.ngrok.app';
export const ACCOUNT_SID = 'AC' + '1234567890abcdef'.repeat(2);
export const AUTH_TOKEN = 'test-auth-token-0123456789';
export const CALLER = '+821012345678';
export const OUR_NUMBER = '+15005550006';
export const CONNECT_DID = '+8225551234';

/** Live-mode settings with a known token and public URL, plus overrides. */
export function liveSettings(overrides: Record<string, string> = {}): Record<string, string> {
  return { TWILIO_ACCOUNT_SID: ACCOUNT_SID, TWILIO_AUTH_TOKEN: AUTH_TOKEN, PUBLIC_URL, ...overrides };
}

export interface TwimlNode {
  name: string;
  attrs: Record<string, string>;
  text: string;
  children: TwimlNode[];
}

type Ordered = Record<string, unknown> & { ':@'?: Record<string, string> };

function toNode(entry: Ordered): TwimlNode | null {
  const name = Object.keys(entry).find((k) => k !== ':@');
  if (!name || name === '#text' || name === '?xml') return null;
  const kids = (entry[name] as Ordered[]) ?? [];
  const text = kids.filter((k) => '#text' in k).map((k) => String(k['#text'])).join('');
  const children = kids.map(toNode).filter((n): n is TwimlNode => n !== null);
  return { name, attrs: { ...(entry[':@'] ?? {}) }, text, children };
}

/** Parse a TwiML document; throws unless it is well-formed XML with a single <Response> root. */
export function parseTwiml(xml: string): TwimlNode {
  const parser = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '', preserveOrder: true, parseTagValue: false, parseAttributeValue: false, trimValues: false });
  const doc = parser.parse(xml, true) as Ordered[];
  const roots = doc.map(toNode).filter((n): n is TwimlNode => n !== null);
  if (roots.length !== 1 || roots[0].name !== 'Response') throw new Error(`not a TwiML document: ${xml}`);
  return roots[0];
}

export function findAll(node: TwimlNode, name: string): TwimlNode[] {
  return [...(node.name === name ? [node] : []), ...node.children.flatMap((c) => findAll(c, name))];
}

export function find(node: TwimlNode, name: string): TwimlNode {
  const hit = findAll(node, name)[0];
  if (!hit) throw new Error(`no <${name}> in ${JSON.stringify(node)}`);
  return hit;
}

export interface Harness {
  base: string;
  config: Config;
  urls: PublicUrls;
  registry: CallRegistry;
  handoff: HandoffService;
  logLines: string[];
  advance(ms: number): void;
  now(): number;
  /** Signed POST (Twilio-like) to path with the standard call params for callSid plus extra. */
  post(path: string, callSid: string, extra?: Record<string, string>, opts?: { token?: string | null; publicUrl?: string }): Promise<WebhookResponse>;
  stop(): Promise<void>;
}

export async function startHarness(settings: Record<string, string>, rest: TwilioRest | null = null): Promise<Harness> {
  let t = 1_700_000_000_000;
  const now = () => t;
  const config = testConfig(settings);
  const logLines: string[] = [];
  const log: Logger = createLogger('debug', { write: (line: string) => void logLines.push(line) });
  const registry = new CallRegistry({ now });
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  const urls = publicUrls(config, port);
  const handoff = new HandoffService({ config, registry, rest, urls, log });
  server.on('request', createTwimlApp({ config, registry, log, urls, handoff, now }));
  const base = `http://127.0.0.1:${port}`;
  const signingToken = config.settings.TWILIO_AUTH_TOKEN ?? 'front-door-demo-auth-token';
  return {
    base,
    config,
    urls,
    registry,
    handoff,
    logLines,
    advance: (ms) => void (t += ms),
    now,
    post: (path, callSid, extra = {}, opts = {}) =>
      postWebhook({
        httpBase: base,
        publicUrl: opts.publicUrl ?? urls.base,
        path,
        params: { ...twilioCallParams({ callSid, accountSid: config.settings.TWILIO_ACCOUNT_SID ?? ACCOUNT_SID, from: CALLER, to: OUR_NUMBER }), ...extra },
        authToken: opts.token === undefined ? signingToken : opts.token,
      }),
    stop: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

export { randomSid };

/** Event types recorded for a call, in order. */
export function typesOf(registry: CallRegistry, callSid: string): string[] {
  return registry.eventsOf(callSid).map((e) => e.type);
}
