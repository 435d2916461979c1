// A local stand-in for Twilio's REST API: Calls update (POST /2010-04-01/Accounts/{AC}/Calls/{CA}.json) and the
// account fetch and number list the health checks make (GET Accounts/{AC}.json, Accounts/{AC}/IncomingPhoneNumbers.json).
// Hand-written: no library serves Twilio's API shape; it is what the twilio client talks to in tests and in the demo.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface StandInRequest {
  method: string;
  path: string;
  form: Record<string, string>;
  /** The Authorization header as received (tests check Basic auth). */
  auth: string;
}

export interface StandInOptions {
  accountSid: string;
  authToken: string;
  port?: number;
  /** Called for every accepted update (Twiml=… or Status=completed), before the answer is sent. */
  onUpdate?: (callSid: string, form: Record<string, string>) => Promise<void> | void;
  /** Whether a call is in progress; unknown or ended calls get 400 / 21220 like Twilio. Default: not hung up here. */
  isLive?: (callSid: string) => boolean;
  /** What the account fetch (GET Accounts/{AC}.json) reports as the account's type. Default: Full. */
  accountType?: 'Full' | 'Trial';
  /** The account's numbers (GET IncomingPhoneNumbers.json) and the webhook each sends its calls to. Default: none. */
  numbers?: Array<{ phoneNumber: string; voiceUrl: string }>;
}

export interface StandIn {
  url: string;
  requests: StandInRequest[];
  stop(): Promise<void>;
}

const NUMBERS_PATH = /^\/2010-04-01\/Accounts\/(AC[0-9a-fA-F]{32})\/IncomingPhoneNumbers\.json$/;
const ACCOUNT_PATH = /^\/2010-04-01\/Accounts\/(AC[0-9a-fA-F]{32})\.json$/;
const CALL_PATH = /^\/2010-04-01\/Accounts\/(AC[0-9a-fA-F]{32})\/Calls\/(CA[0-9a-fA-F]{32})\.json$/;
const MAX_BODY = 64 * 1024;

function twilioError(res: ServerResponse, status: number, code: number, message: string): void {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify({ code, message, more_info: `https://www.twilio.com/docs/errors/${code}`, status }));
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    let size = 0;
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > MAX_BODY) req.destroy(new Error('body too large'));
      else chunks.push(c);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function accountInstance(accountSid: string, type: string): Record<string, unknown> {
  return { sid: accountSid, friendly_name: 'Front Door stand-in', status: 'active', type, uri: `/2010-04-01/Accounts/${accountSid}.json` };
}

function callInstance(accountSid: string, callSid: string, status: string): Record<string, unknown> {
  const uri = `/2010-04-01/Accounts/${accountSid}/Calls/${callSid}.json`;
  return { sid: callSid, account_sid: accountSid, status, api_version: '2010-04-01', direction: 'inbound', uri, date_updated: new Date().toUTCString() };
}

/** Requests kept for inspection (tests look at the last few). */
const MAX_RECORDED = 500;

export async function startTwilioRestStandIn(opts: StandInOptions): Promise<StandIn> {
  const requests: StandInRequest[] = [];
  const hungUp = new Set<string>();
  const isLive = opts.isLive ?? ((sid: string) => !hungUp.has(sid));
  const expectedAuth = 'Basic ' + Buffer.from(`${opts.accountSid}:${opts.authToken}`).toString('base64');

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const path = (req.url ?? '/').split('?')[0];
    const body = await readBody(req);
    const form = Object.fromEntries(new URLSearchParams(body));
    const auth = req.headers.authorization ?? '';
    requests.push({ method: req.method ?? '', path, form, auth });
    if (requests.length > MAX_RECORDED) requests.splice(0, requests.length - MAX_RECORDED); // a long auto-demo must not grow it forever

    if (auth !== expectedAuth) return twilioError(res, 401, 20003, 'Authenticate');
    const numbers = NUMBERS_PATH.exec(path);
    if (numbers && req.method === 'GET') {
      if (numbers[1] !== opts.accountSid) return twilioError(res, 404, 20404, `The requested resource ${path} was not found`);
      const list = (opts.numbers ?? []).map((n, i) => ({
        sid: `PN${String(i).padStart(32, '0')}`,
        account_sid: opts.accountSid,
        phone_number: n.phoneNumber,
        voice_url: n.voiceUrl,
        voice_method: 'POST',
      }));
      res.writeHead(200, { 'content-type': 'application/json' });
      return res.end(JSON.stringify({ incoming_phone_numbers: list, page: 0, page_size: 200, start: 0, end: Math.max(0, list.length - 1), uri: path, first_page_uri: path, next_page_uri: null, previous_page_uri: null }));
    }
    const account = ACCOUNT_PATH.exec(path);
    if (account && req.method === 'GET') {
      // the health check's account fetch (Accounts/{AC}.json); another account is not ours to see
      if (account[1] !== opts.accountSid) return twilioError(res, 404, 20404, `The requested resource ${path} was not found`);
      res.writeHead(200, { 'content-type': 'application/json' });
      return res.end(JSON.stringify(accountInstance(opts.accountSid, opts.accountType ?? 'Full')));
    }
    const m = CALL_PATH.exec(path);
    if (!m || m[1] !== opts.accountSid) return twilioError(res, 404, 20404, `The requested resource ${path} was not found`);
    if (req.method !== 'POST') return twilioError(res, 405, 20004, 'Method not allowed');
    const callSid = m[2];
    if (!isLive(callSid)) return twilioError(res, 400, 21220, 'Call is not in-progress. Cannot redirect.');
    try {
      await opts.onUpdate?.(callSid, form);
    } catch {
      return twilioError(res, 500, 20500, 'Internal Server Error');
    }
    const completed = form.Status === 'completed' || form.Status === 'canceled';
    if (completed) hungUp.add(callSid);
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify(callInstance(opts.accountSid, callSid, completed ? 'completed' : 'in-progress')));
  };

  const server = createServer((req, res) => {
    handle(req, res).catch(() => {
      if (!res.headersSent) twilioError(res, 400, 20001, 'Bad request');
      else res.destroy();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    stop: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        // the twilio client keeps connections alive; close them so stop() returns now
        server.closeAllConnections();
      }),
  };
}
