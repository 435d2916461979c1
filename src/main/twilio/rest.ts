// Twilio REST for a live call (redirect to new TwiML, hang up), through the official twilio client.
import twilio from 'twilio';
import type { Config } from '../config/load';
import { DEMO_ACCOUNT_SID, DEMO_AUTH_TOKEN } from '../demo/constants';
import { toTwilioRestError } from './errors';

export { TwilioRestError, plainTwilioError } from './errors';

export interface TwilioRest {
  /** POST Calls/{callSid}.json Twiml=… (ends a running media stream; the new TwiML takes over). */
  updateTwiml(callSid: string, twiml: string): Promise<void>;
  /** POST Calls/{callSid}.json Status=completed. */
  hangup(callSid: string): Promise<void>;
  /** GET Accounts/{AccountSid}.json: proves the credentials (health check); rejects with a TwilioRestError. */
  fetchAccount(): Promise<{ status: string; type?: string; friendlyName?: string }>;
  /** GET IncomingPhoneNumbers.json: the account's numbers and where their calls go (health check: PUBLIC_URL). */
  listNumbers(): Promise<Array<{ phoneNumber: string; voiceUrl: string }>>;
}

export interface TwilioRestOptions {
  accountSid: string;
  authToken: string;
  /** Send requests here instead of https://api.twilio.com (tests, the demo's stand-in). */
  baseUrl?: string;
  /** Per-request timeout, ms. */
  timeoutMs?: number;
}

export function createTwilioRest(opts: TwilioRestOptions): TwilioRest {
  const client = twilio(opts.accountSid, opts.authToken, {
    // env: {} so TWILIO_* variables of the process never override what the config says;
    // edge/region '' because an edge or region rewrites the hostname, which breaks a custom baseUrl (notes/twilio.md §5.3)
    env: {},
    ...(opts.baseUrl ? { edge: '', region: '' } : {}),
    timeout: opts.timeoutMs ?? 10_000,
    autoRetry: false,
  });
  if (opts.baseUrl) client.api.baseUrl = opts.baseUrl.replace(/\/+$/, '');

  const update = async (callSid: string, params: { twiml?: string; status?: 'completed' }) => {
    try {
      await client.calls(callSid).update(params);
    } catch (error) {
      throw toTwilioRestError(error);
    }
  };
  return {
    updateTwiml: (callSid, twiml) => update(callSid, { twiml }),
    hangup: (callSid) => update(callSid, { status: 'completed' }),
    async fetchAccount() {
      try {
        const a = await client.api.v2010.accounts(opts.accountSid).fetch();
        return { status: a.status, type: a.type, friendlyName: a.friendlyName };
      } catch (error) {
        throw toTwilioRestError(error);
      }
    },
    async listNumbers() {
      try {
        const numbers = await client.incomingPhoneNumbers.list({ limit: 200 });
        return numbers.map((n) => ({ phoneNumber: n.phoneNumber, voiceUrl: n.voiceUrl ?? '' }));
      } catch (error) {
        throw toTwilioRestError(error);
      }
    },
  };
}

/** The token that signs webhooks: TWILIO_AUTH_TOKEN, or the demo's token in demo mode; null when there is none. */
export function authTokenFor(config: Config): string | null {
  return config.settings.TWILIO_AUTH_TOKEN ?? (config.mode === 'demo' ? DEMO_AUTH_TOKEN : null);
}

/** Account SID and token for REST calls, or null when REST cannot be used (live mode without both settings). */
export function twilioCredentials(config: Config): { accountSid: string; authToken: string } | null {
  const s = config.settings;
  if (config.mode === 'demo' && !s.TWILIO_ACCOUNT_SID) return { accountSid: DEMO_ACCOUNT_SID, authToken: authTokenFor(config)! };
  if (!s.TWILIO_ACCOUNT_SID || !s.TWILIO_AUTH_TOKEN) return null;
  return { accountSid: s.TWILIO_ACCOUNT_SID, authToken: s.TWILIO_AUTH_TOKEN };
}

/** REST from the settings (TWILIO_API_BASE_URL, or `baseUrl` e.g. the demo stand-in's URL); null when not configured. */
export function twilioRestFor(config: Config, baseUrl?: string): TwilioRest | null {
  const creds = twilioCredentials(config);
  if (!creds) return null;
  const url = baseUrl ?? config.settings.TWILIO_API_BASE_URL;
  return createTwilioRest({ ...creds, ...(url ? { baseUrl: url } : {}) });
}
