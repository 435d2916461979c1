// Stream admission: a Media Stream is accepted only for a call the host itself answered with that <Stream>.
//
// Model: the upgrade's X-Twilio-Signature covers the fixed wss://…/media URL, so it is the same for every
// genuine stream and replayable forever. What ties a socket to a call is a grant: when a route answers a call
// with a <Stream> (voice webhook TwiML or a REST update), it calls issue(), which records {callSid, accountSid,
// text} under a random grant id and returns a token `v1.<grantId>.<expiresAt>.<mac>`, mac = HMAC-SHA256 under a
// per-process random key over (grantId, expiresAt, callSid, accountSid). The token travels as
// <Parameter name="grant">, which only Twilio sees (it is in the webhook's response), and comes back in
// start.customParameters. admit() accepts a start only with a valid, unexpired, unused grant for that callSid
// from the expected account, with no client-chosen text, and while the call has no other live stream. The
// text to speak is the host's own record, never customParameters.text. Refusals are logged, posted as a
// HostNotice and never touch a call. Pure apart from the HMAC and the injected clock; tested by table.
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Logger } from '../log';
import type { NoticeHub } from '../console/notices';

/** The parameter name the grant travels under (<Parameter name="grant" value=…/>). */
export const GRANT_PARAMETER = 'grant';
/** How long a grant may wait for its stream: Twilio opens it within a second or two of reading the TwiML. */
export const GRANT_TTL_MS = 60_000;
/** Grants kept at most (expired ones are pruned first); beyond it the oldest are forgotten. */
const MAX_GRANTS = 20_000;

/** WebSocket close codes the media server uses for refused or idle sockets (4000–4999: application codes). */
export const CLOSE = { refused: 4403, noStart: 4408 } as const;

export type RefusalReason =
  | 'no-grant'
  | 'malformed-grant'
  | 'unknown-grant'
  | 'bad-mac'
  | 'expired'
  | 'reused'
  | 'wrong-call'
  | 'wrong-account'
  | 'client-text'
  | 'already-streaming'
  | 'call-ended';

const REASON_TEXT: Record<RefusalReason, string> = {
  'no-grant': 'no grant: the host did not answer this call with a <Stream>',
  'malformed-grant': 'malformed grant',
  'unknown-grant': 'unknown grant',
  'bad-mac': 'grant does not verify',
  expired: 'grant expired',
  reused: 'grant already used',
  'wrong-call': 'grant belongs to another call',
  'wrong-account': 'start is not from the expected Twilio account',
  'client-text': 'text parameter differs from what the host issued',
  'already-streaming': 'the call already has a live stream',
  'call-ended': 'the call has ended',
};

export type Admitted = { ok: true; callSid: string; text: string; parameters: Record<string, string> };
export type Refused = { ok: false; reason: RefusalReason; code: number; message: string };
export type Admission = Admitted | Refused;

/** The part of a start message admission reads. */
export interface StartClaim {
  callSid: string;
  accountSid: string;
  streamSid: string;
  customParameters: Record<string, string>;
}

export interface IssueRequest {
  callSid: string;
  /** The AccountSid of the signed webhook that asked for the stream. */
  accountSid: string;
  /** What the stream speaks first (the host's record; the TwiML's text parameter, if any, must equal it). */
  text: string;
}

interface Grant {
  callSid: string;
  accountSid: string;
  text: string;
  expiresAt: number;
  used: boolean;
}

/** One socket's identity while it holds a call's live-stream slot. */
export type StreamTicket = object;

export interface AdmissionOptions {
  /** TWILIO_ACCOUNT_SID (the demo's account in demo mode); undefined: the grant's own account is required. */
  accountSid?: string;
  now?: () => number;
  log: Logger;
  notices?: NoticeHub;
  ttlMs?: number;
  /** Whether the call is over (the registry says ended): a replayed webhook's grant cannot reopen it. */
  callEnded?: (callSid: string) => boolean;
  /** Tests: a fixed key. Production: 32 random bytes per process. */
  key?: Buffer;
}

const SID = /^(CA|AC)[0-9a-fA-F]{32}$/;
/** An attacker-supplied SID shown to the operator or logged only when it has Twilio's shape. */
export const shownSid = (sid: unknown): string => (typeof sid === 'string' && SID.test(sid) ? sid : '(malformed)');

export class StreamAdmission {
  private readonly key: Buffer;
  private readonly grants = new Map<string, Grant>();
  private readonly live = new Map<string, StreamTicket>();
  private readonly now: () => number;
  private readonly ttlMs: number;

  constructor(private readonly opts: AdmissionOptions) {
    this.key = opts.key ?? randomBytes(32);
    this.now = opts.now ?? Date.now;
    this.ttlMs = opts.ttlMs ?? GRANT_TTL_MS;
  }

  /** A one-time token for the <Parameter name="grant">. */
  issue(req: IssueRequest): string {
    const now = this.now();
    this.prune(now);
    const id = randomBytes(16).toString('base64url');
    const expiresAt = now + this.ttlMs;
    this.grants.set(id, { callSid: req.callSid, accountSid: req.accountSid, text: req.text, expiresAt, used: false });
    return `v1.${id}.${expiresAt}.${this.mac(id, expiresAt, req.callSid, req.accountSid)}`;
  }

  /** Decide a start message. `ticket` identifies the socket; release(ticket) frees the call's slot. */
  admit(start: StartClaim, ticket: StreamTicket): Admission {
    const decision = this.decide(start, ticket);
    if (!decision.ok) this.report(start, decision);
    return decision;
  }

  /** The socket ended: its call may stream again (a no-op for sockets that were never admitted). */
  release(ticket: StreamTicket): void {
    for (const [callSid, holder] of this.live) if (holder === ticket) this.live.delete(callSid);
  }

  /** Grants issued and not yet forgotten (memory checks). */
  grantsHeld(): number {
    return this.grants.size;
  }

  /** Live streams admitted and not yet released. */
  liveStreams(): number {
    return this.live.size;
  }

  private decide(start: StartClaim, ticket: StreamTicket): Admission {
    const { customParameters: params, callSid, accountSid } = start;
    const token = params[GRANT_PARAMETER];
    if (!token) return refused('no-grant');
    const parts = token.split('.');
    if (parts.length !== 4 || parts[0] !== 'v1' || !/^\d{1,15}$/.test(parts[2]!)) return refused('malformed-grant');
    const [, id, exp, mac] = parts as [string, string, string, string];
    const grant = this.grants.get(id);
    if (!grant) return refused('unknown-grant');
    if (!this.macOk(mac, this.mac(id, Number(exp), grant.callSid, grant.accountSid)) || Number(exp) !== grant.expiresAt) return refused('bad-mac');
    if (grant.used) return refused('reused');
    if (this.now() > grant.expiresAt) return refused('expired');
    if (callSid !== grant.callSid) return refused('wrong-call');
    const expected = this.opts.accountSid ?? grant.accountSid;
    if (accountSid !== expected || accountSid !== grant.accountSid) return refused('wrong-account');
    if (params.text !== undefined && params.text !== grant.text) return refused('client-text');
    if (this.opts.callEnded?.(callSid)) return refused('call-ended');
    const holder = this.live.get(callSid);
    if (holder && holder !== ticket) return refused('already-streaming');
    grant.used = true;
    this.live.set(callSid, ticket);
    const { [GRANT_PARAMETER]: _grant, ...parameters } = params;
    return { ok: true, callSid, text: grant.text, parameters };
  }

  private report(start: StartClaim, r: Refused): void {
    const callSid = shownSid(start.callSid);
    this.opts.log.warn({ reason: r.reason, callSid, accountSid: shownSid(start.accountSid) }, `media stream refused: ${r.message}`);
    this.opts.notices?.post({ level: 'warn', source: 'security', message: `Refused a media stream for ${callSid}: ${r.message}` }, `admission:${r.reason}`);
  }

  private mac(id: string, expiresAt: number, callSid: string, accountSid: string): string {
    return createHmac('sha256', this.key).update(`v1|${id}|${expiresAt}|${callSid}|${accountSid}`).digest('base64url');
  }

  private macOk(given: string, expected: string): boolean {
    const a = Buffer.from(given);
    const b = Buffer.from(expected);
    return a.length === b.length && timingSafeEqual(a, b);
  }

  /** Forget expired grants as they expire (one TTL: insertion order is expiry order), and the oldest past the cap. */
  private prune(now: number): void {
    for (const [id, g] of this.grants) {
      if (g.expiresAt >= now && this.grants.size < MAX_GRANTS) break;
      this.grants.delete(id);
    }
  }
}

function refused(reason: RefusalReason): Refused {
  return { ok: false, reason, code: CLOSE.refused, message: `stream refused: ${REASON_TEXT[reason]}` };
}
