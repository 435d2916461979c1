// What a health probe found → green / amber / red, in plain words with the fix. Pure: the probes (probes.ts) do the
// I/O and hand back a small result; everything the operator reads is decided here, so it is table-tested
// (levels.test.ts) without a network. Red means a caller would suffer it; amber works but needs a person's look.
import type { CheckLevel, HealthCheck, HealthCheckId } from '../../shared/model';
import { NETWORK_WORDS as TWILIO_NETWORK_WORDS } from '../twilio/errors';

/** A check's verdict before it is stamped with its id and times. */
export interface Verdict {
  level: CheckLevel;
  reason: string;
  fix?: string;
  target?: string;
}

/** An HTTP request's outcome: an answer with its status, or no answer (and why, as Node's error code). */
export type HttpOutcome =
  | { kind: 'answer'; status: number }
  | { kind: 'no-answer'; code?: string; message: string; timeout?: boolean };

/** S3 GET of a probe key that should not exist: the answer's status and S3 error code, or no answer. */
export type S3Outcome =
  | { kind: 'answer'; status: number; code?: string; message?: string }
  | { kind: 'no-answer'; code?: string; message: string; timeout?: boolean }
  | { kind: 'no-credentials'; message: string }
  | { kind: 'folder'; path: string; writable: boolean; error?: string };

/** Twilio's account fetch: the account's status and type, or the REST failure (status 0 = unreachable). */
export type TwilioOutcome =
  | { kind: 'account'; status: string; type?: string; friendlyName?: string }
  | { kind: 'error'; status: number; code?: number; message: string }
  | { kind: 'not-configured' };

const NETWORK_WORDS: Record<string, string> = {
  ...TWILIO_NETWORK_WORDS,
  EHOSTUNREACH: 'host unreachable',
  ENETUNREACH: 'network unreachable',
  CERT_HAS_EXPIRED: 'TLS certificate expired',
  DEPTH_ZERO_SELF_SIGNED_CERT: 'self-signed TLS certificate',
  UNABLE_TO_VERIFY_LEAF_SIGNATURE: 'TLS certificate not trusted',
};

/** "connection refused", "timed out", … for a request that got no answer. */
export function noAnswerWords(o: { code?: string; message: string; timeout?: boolean }): string {
  if (o.timeout) return 'timed out';
  return (o.code && NETWORK_WORDS[o.code]) ?? o.code ?? o.message;
}

/** TTS: a GET to TTS_HEALTH_URL must answer 2xx; a GET to TTS_URL (a POST endpoint) only has to answer below 500. */
export function ttsVerdict(o: HttpOutcome, url: string, healthUrl: boolean, demo: boolean): Verdict {
  const where = demo ? 'the demo TTS stand-in' : healthUrl ? 'TTS_HEALTH_URL' : 'TTS_URL';
  if (o.kind === 'no-answer') {
    return {
      level: 'red',
      reason: `TTS unreachable at ${url}: ${noAnswerWords(o)}`,
      fix: demo
        ? 'Restart Front Door: the demo TTS stand-in is not answering'
        : `Start the TTS service or correct ${healthUrl ? 'TTS_HEALTH_URL' : 'TTS_URL'} (the host must reach it from this machine)`,
      target: url,
    };
  }
  const ok = healthUrl ? o.status >= 200 && o.status < 300 : o.status < 500;
  if (ok) return { level: 'green', reason: `TTS answers at ${url} (HTTP ${o.status})`, target: url };
  return {
    level: healthUrl ? 'red' : 'amber',
    reason: `TTS at ${url} answered HTTP ${o.status}`,
    fix: healthUrl ? `The TTS service reports itself unhealthy at ${where}: check its logs` : 'The TTS service answers with a server error: check its logs before callers hear apologies',
    target: url,
  };
}

const S3_CREDENTIAL_CODES = new Set(['InvalidAccessKeyId', 'SignatureDoesNotMatch', 'ExpiredToken', 'InvalidToken', 'TokenRefreshRequired', 'InvalidClientTokenId']);

/** S3: a signed GET of a key that is not there tells the credentials (403) from the bucket (404 NoSuchBucket) from the network. */
export function s3Verdict(o: S3Outcome, bucket: string, where: string): Verdict {
  const target = o.kind === 'folder' ? o.path : `s3://${bucket} (${where})`;
  switch (o.kind) {
    case 'folder':
      return o.writable
        ? { level: 'green', reason: `Parts go to a local folder (demo): ${o.path}`, target }
        : { level: 'red', reason: `The demo part folder ${o.path} is not writable${o.error ? `: ${o.error}` : ''}`, fix: 'Set DATA_DIR or PART_STORE_DIR to a folder this user can write', target };
    case 'no-credentials':
      return {
        level: 'red',
        reason: `No AWS credentials found: ${o.message.slice(0, 160)}`,
        fix: 'Give the host AWS credentials (AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, AWS_PROFILE or an instance role)',
        target,
      };
    case 'no-answer':
      return {
        level: 'red',
        reason: `S3 unreachable at ${where}: ${noAnswerWords(o)}`,
        fix: where.startsWith('AWS') ? 'Check this machine’s network access to S3 (proxy, firewall, DNS)' : 'Start the S3-compatible store or correct S3_ENDPOINT',
        target,
      };
    case 'answer': {
      const { status, code } = o;
      const name = code ?? `HTTP ${status}`;
      if (status === 404 && code === 'NoSuchBucket') {
        return { level: 'red', reason: `Bucket "${bucket}" does not exist at ${where}`, fix: 'Correct TTS_BUCKET (and AWS_REGION / S3_ENDPOINT) to the bucket the TTS service writes parts to', target };
      }
      if (status === 404 || status === 200) return { level: 'green', reason: `Bucket "${bucket}" is readable with these credentials`, target };
      if ((status === 403 || status === 400) && code && S3_CREDENTIAL_CODES.has(code)) {
        return {
          level: 'red',
          reason: `S3 rejected the credentials (${name})`,
          fix: 'Correct the AWS access key and secret the host uses (AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY or AWS_PROFILE)',
          target,
        };
      }
      if (status === 403) {
        return {
          level: 'red',
          reason: `S3 refused access to "${bucket}" (${name})`,
          fix: 'Grant the host’s role s3:GetObject on the parts and s3:ListBucket on the bucket (without ListBucket a part not written yet answers 403)',
          target,
        };
      }
      if (status === 301 || code === 'PermanentRedirect' || code === 'AuthorizationHeaderMalformed') {
        return { level: 'red', reason: `Bucket "${bucket}" is in another region (${name})`, fix: 'Set AWS_REGION to the bucket’s region', target };
      }
      return {
        level: status >= 500 ? 'amber' : 'red',
        reason: `S3 answered ${name}${o.message ? `: ${o.message.slice(0, 120)}` : ''}`,
        fix: status >= 500 ? 'S3 is having trouble; parts may arrive late. Check the AWS status page' : 'Check TTS_BUCKET, AWS_REGION and S3_ENDPOINT',
        target,
      };
    }
  }
}

/** Twilio: fetching our own account proves the SID and token (20003 = refused); a trial account cannot run a pilot. */
export function twilioVerdict(o: TwilioOutcome, accountSid: string | undefined, demo: boolean): Verdict {
  const target = accountSid ? `account ${accountSid.slice(0, 6)}…${accountSid.slice(-4)}${demo ? ' (simulated)' : ''}` : undefined;
  if (o.kind === 'not-configured') {
    return { level: 'red', reason: 'Twilio REST is not configured: handoff and hang-up cannot reach live calls', fix: 'Set TWILIO_ACCOUNT_SID and TWILIO_AUTH_TOKEN', target };
  }
  if (o.kind === 'error') {
    if (o.status === 401 || o.code === 20003) {
      return { level: 'red', reason: 'Twilio refused the credentials (Twilio 20003)', fix: 'Correct TWILIO_ACCOUNT_SID and TWILIO_AUTH_TOKEN (the primary auth token from the Twilio Console)', target };
    }
    if (o.status === 0) {
      return { level: 'red', reason: `Could not reach Twilio: ${o.message}`, fix: 'Check this machine’s network access to api.twilio.com (or TWILIO_API_BASE_URL)', target };
    }
    if (o.status === 404 || o.code === 20404) {
      return { level: 'red', reason: 'Twilio does not know this account (Twilio 20404)', fix: 'Correct TWILIO_ACCOUNT_SID', target };
    }
    return { level: o.status >= 500 ? 'amber' : 'red', reason: `Twilio answered HTTP ${o.status}${o.code ? ` (Twilio ${o.code})` : ''}: ${o.message}`, fix: 'Check the Twilio status page and the account', target };
  }
  if (o.status !== 'active') {
    return { level: 'red', reason: `The Twilio account is ${o.status}`, fix: 'Reactivate the account in the Twilio Console', target };
  }
  if (o.type === 'Trial') {
    return {
      level: 'amber',
      reason: 'Twilio trial account: trial calls replace <Stream> and <Dial> with a spoken notice',
      fix: 'Upgrade the Twilio account before the pilot',
      target,
    };
  }
  return { level: 'green', reason: `Twilio accepts the credentials${o.friendlyName ? ` (${o.friendlyName})` : ''}`, target };
}

const E164 = /^\+[1-9]\d{6,14}$/;

/** CONNECT_DID: the number a handoff dials. +82 needs South Korea in Voice Geo Permissions (a reminder: amber). */
export function connectDidVerdict(did: string | undefined, masked: string | undefined, demo: boolean): Verdict {
  if (!did) {
    return demo
      ? { level: 'green', reason: 'Demo: handoffs dial the simulated Amazon Connect' }
      : { level: 'red', reason: 'CONNECT_DID is not set: a caller who asks for a person cannot be handed off', fix: 'Set CONNECT_DID to the Amazon Connect number (E.164, e.g. +8225551234)' };
  }
  const target = masked ?? did;
  if (!E164.test(did)) return { level: 'red', reason: `CONNECT_DID "${target}" is not an E.164 number`, fix: 'Write it as + country code and number, no spaces: +8225551234', target };
  if (demo) return { level: 'green', reason: `Handoffs dial ${target} (simulated)`, target };
  if (did.startsWith('+82')) {
    return {
      level: 'amber',
      reason: `Handoffs dial ${target} in South Korea: Twilio refuses it (21215/13227) unless Voice Geo Permissions allow South Korea`,
      fix: 'Twilio Console → Voice → Settings → Geo Permissions: enable South Korea (Twilio cannot tell us over REST)',
      target,
    };
  }
  return { level: 'green', reason: `Handoffs dial ${target}`, target };
}

/** PUBLIC_URL: https, not a loopback address, and what Twilio will be told (the webhook URLs). */
export function publicUrlVerdict(publicUrl: string | undefined, base: string, mediaUrl: string, demo: boolean): Verdict {
  const hooks = `${base}/voice_stream · ${base}/voice_gather · ${mediaUrl}`;
  if (demo && !publicUrl) return { level: 'green', reason: `Demo: the simulated Twilio calls ${base}`, target: hooks };
  if (!publicUrl) {
    return { level: 'red', reason: `PUBLIC_URL is not set: Twilio cannot reach ${base}, and signatures are checked against it`, fix: 'Expose HTTP_PORT with a tunnel (ngrok http 5000) and set PUBLIC_URL to its https URL', target: hooks };
  }
  let url: URL;
  try {
    url = new URL(publicUrl);
  } catch {
    return { level: 'red', reason: `PUBLIC_URL "${publicUrl}" is not a URL`, fix: 'Set PUBLIC_URL to an https URL such as https://front-door.ngrok.app', target: hooks };
  }
  if (url.protocol !== 'https:') {
    return { level: 'red', reason: `PUBLIC_URL is ${url.protocol.replace(':', '')}: Twilio's media stream needs wss:// and the pilot needs https`, fix: `Use the https URL of the tunnel: https://${url.host}`, target: hooks };
  }
  if (/^(localhost|127\.|0\.0\.0\.0|\[::1\])/.test(url.hostname)) {
    return { level: 'red', reason: `PUBLIC_URL points at this machine (${url.hostname}): Twilio cannot reach it`, fix: 'Set PUBLIC_URL to the public https URL of your tunnel', target: hooks };
  }
  if (!mediaUrl.startsWith('wss://')) {
    return { level: 'red', reason: `The media stream URL ${mediaUrl} is not wss://`, fix: 'Set PUBLIC_WS_URL to a wss:// URL (or unset it to use PUBLIC_URL + /media)', target: hooks };
  }
  return { level: 'green', reason: `Twilio will call ${base}/voice_stream and stream to ${mediaUrl}`, target: hooks };
}

/** The account's numbers as the health check read them, or why it could not. */
export type NumbersOutcome = { kind: 'numbers'; numbers: Array<{ phoneNumber: string; voiceUrl: string }> } | { kind: 'error'; message: string } | { kind: 'not-configured' };

/**
 * What Twilio is told: after PUBLIC_URL's own shape is right, a number on the account must send its calls to our
 * /voice_stream or /voice_gather. `mask` shows a number the way the console does.
 */
export function numbersVerdict(url: Verdict, o: NumbersOutcome, base: string, mask: (n: string) => string): Verdict {
  if (url.level !== 'green' || o.kind === 'not-configured') return url;
  const hooks = [`${base}/voice_stream`, `${base}/voice_gather`];
  if (o.kind === 'error') {
    const why = /\(Twilio \d+\)/.exec(o.message)?.[0] ?? `(${o.message.slice(0, 80)})`;
    return { ...url, level: 'amber', reason: `Not confirmed: the account's numbers could not be read ${why}`, fix: 'Correct the Twilio credentials (see above), then run the checks again' };
  }
  const ours = o.numbers.filter((n) => hooks.includes(n.voiceUrl.replace(/\/+$/, '').split('?')[0]!));
  if (ours.length) return { ...url, reason: `${ours.map((n) => mask(n.phoneNumber)).join(', ')} → ${ours[0]!.voiceUrl}. ${url.reason}` };
  return {
    ...url,
    level: 'amber',
    reason: `No number on the Twilio account sends its calls to ${hooks[0]} or ${hooks[1]}${o.numbers.length ? ` (${o.numbers.length} number${o.numbers.length > 1 ? 's point' : ' points'} elsewhere)` : ''}`,
    fix: `Twilio Console → Phone Numbers → your number → A call comes in: Webhook, HTTP POST, ${hooks[0]}`,
  };
}

/** Stamp a verdict as a HealthCheck. */
export function toCheck(id: HealthCheckId, v: Verdict, at: number, ms: number): HealthCheck {
  return { id, level: v.level, reason: v.reason, ...(v.fix && v.level !== 'green' ? { fix: v.fix } : {}), ...(v.target ? { target: v.target } : {}), at, ms };
}

const RANK: Record<CheckLevel, number> = { green: 0, amber: 1, red: 2 };

/** The worst of some checks (a status-bar dot can stand for more than one). */
export function worst(checks: readonly HealthCheck[]): HealthCheck | undefined {
  let out: HealthCheck | undefined;
  for (const c of checks) if (!out || RANK[c.level] > RANK[out.level]) out = c;
  return out;
}

/** The checks that turned red since the previous run (a first run counts everything red as new). */
export function newlyRed(previous: readonly HealthCheck[] | undefined, next: readonly HealthCheck[]): HealthCheck[] {
  const before = new Map((previous ?? []).map((c) => [c.id, c]));
  return next.filter((c) => c.level === 'red' && (before.get(c.id)?.level !== 'red' || before.get(c.id)?.reason !== c.reason));
}
