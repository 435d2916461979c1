// The host's health checks for its current settings (TTS, S3, Twilio, CONNECT_DID, PUBLIC_URL), and how they become
// the status bar's services. In demo mode the same probes hit the embedded stand-ins, which are real servers.
import { join } from 'node:path';
import { defaultProvider } from '@aws-sdk/credential-provider-node';
import type { AwsCredentialIdentity, AwsCredentialIdentityProvider } from '@smithy/types';
import type { CheckLevel, HealthCheck, HealthCheckId, ServiceHealth, ServiceState } from '../../shared/model';
import { maskNumber } from '../calls/registry';
import type { Config } from '../config/load';
import type { PublicUrls } from '../config/urls';
import type { TwilioRest } from '../twilio/rest';
import { connectDidVerdict, numbersVerdict, publicUrlVerdict, s3Verdict, ttsVerdict, twilioVerdict, worst } from './levels';
import type { CheckSpec } from './monitor';
import { probeFolder, probeHttp, probeNumbers, probeS3, probeTwilio } from './probes';

export { createHealthMonitor, type HealthMonitor } from './monitor';

export interface HostCheckDeps {
  config: Config;
  urls: PublicUrls;
  rest: TwilioRest | null;
  /** The demo's part folder when parts are local (demo without S3_ENDPOINT). */
  partFolder: string | null;
  /** AWS credentials for the S3 check (tests); by default the SDK's chain, as the part store uses. */
  credentials?: AwsCredentialIdentity | AwsCredentialIdentityProvider;
  timeoutMs?: number;
}

/** The key the S3 check GETs: under KEY_PREFIX (where the role may read), and never a real part. */
export const S3_PROBE_KEY = '.front-door-health-probe';

export function hostChecks(d: HostCheckDeps): CheckSpec[] {
  const s = d.config.settings;
  const demo = d.config.mode === 'demo';
  const timeoutMs = d.timeoutMs ?? Math.max(2000, s.S3_REQUEST_TIMEOUT_MS);
  const checks: CheckSpec[] = [];

  const ttsTarget = s.TTS_HEALTH_URL ?? s.TTS_URL;
  checks.push({
    id: 'tts',
    run: async () =>
      ttsTarget
        ? ttsVerdict(await probeHttp(ttsTarget, timeoutMs), ttsTarget, Boolean(s.TTS_HEALTH_URL), demo)
        : { level: 'red', reason: 'TTS_URL is not set: streamed calls cannot speak', fix: 'Set TTS_URL to the TTS service’s job endpoint' },
  });

  checks.push({
    id: 's3',
    run: async () => {
      if (!s.TTS_BUCKET && !s.S3_ENDPOINT) {
        if (demo || d.partFolder) return s3Verdict(await probeFolder(d.partFolder ?? s.PART_STORE_DIR ?? join(d.config.dataDir, 'tts-parts')), '', 'local');
        return { level: 'red', reason: 'TTS_BUCKET is not set: the host cannot read the TTS parts', fix: 'Set TTS_BUCKET and AWS_REGION (and AWS credentials)' };
      }
      const bucket = s.TTS_BUCKET ?? '';
      const where = s.S3_ENDPOINT ? new URL(s.S3_ENDPOINT).host : `AWS ${s.AWS_REGION}`;
      const outcome = await probeS3({
        location: { bucket, region: s.AWS_REGION, endpoint: s.S3_ENDPOINT, forcePathStyle: s.S3_FORCE_PATH_STYLE },
        credentials: d.credentials ?? defaultProvider(),
        key: s.KEY_PREFIX ? `${s.KEY_PREFIX}/${S3_PROBE_KEY}` : S3_PROBE_KEY,
        timeoutMs,
      });
      return s3Verdict(outcome, bucket, where);
    },
  });

  checks.push({ id: 'twilio', run: async () => twilioVerdict(await probeTwilio(d.rest, timeoutMs), s.TWILIO_ACCOUNT_SID, demo) });
  checks.push({ id: 'connectDid', run: async () => connectDidVerdict(s.CONNECT_DID, s.CONNECT_DID ? maskNumber(s.CONNECT_DID) : undefined, demo) });
  checks.push({
    id: 'publicUrl',
    run: async () => {
      const url = publicUrlVerdict(s.PUBLIC_URL, d.urls.base, d.urls.media, demo);
      // live: and a number on the account really sends its calls there (what Twilio is told)
      if (demo || url.level !== 'green') return url;
      return numbersVerdict(url, await probeNumbers(d.rest, timeoutMs), d.urls.base, maskNumber);
    },
  });
  return checks;
}

const STATE: Record<CheckLevel, ServiceState> = { green: 'up', amber: 'degraded', red: 'down' };

/** A status-bar service from the checks it stands for: the worst one's state; every reason on hover. */
export function serviceFrom(checks: readonly HealthCheck[] | undefined, ids: readonly HealthCheckId[], fallback: ServiceHealth): ServiceHealth {
  const mine = (checks ?? []).filter((c) => ids.includes(c.id));
  const w = worst(mine);
  if (!w) return fallback;
  const ordered = [w, ...mine.filter((c) => c !== w && c.level !== 'green'), ...mine.filter((c) => c !== w && c.level === 'green')];
  return { state: STATE[w.level], detail: ordered.map((c) => c.reason).join(' · ') };
}
