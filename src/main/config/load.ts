// .env + environment -> validated Settings. The environment wins over .env; empty values count as unset.
import { randomBytes } from 'node:crypto';
import { readFileSync, existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { parse as parseDotenv } from 'dotenv';
import { SECRET_SETTINGS, settingsSchema, type Settings, type SettingName } from './schema';
import { stripUrlCredentials } from './secrets';

export class ConfigError extends Error {
  constructor(
    readonly setting: string,
    readonly reason: string,
  ) {
    super(`Invalid setting ${setting}: ${reason}`);
    this.name = 'ConfigError';
  }
}

export type SettingSource = 'env' | '.env' | 'default';

export interface Config {
  settings: Settings;
  mode: 'demo' | 'live';
  /** CONSOLE_TOKEN, or one generated for this run. */
  consoleToken: string;
  consoleTokenGenerated: boolean;
  dataDir: string;
  sources: Partial<Record<SettingName, SettingSource>>;
}

const KNOWN = Object.keys(settingsSchema.shape) as SettingName[];

export interface LoadOptions {
  env?: Record<string, string | undefined>;
  /** Path of the .env file; false to skip it. Defaults to ./.env. */
  envFile?: string | false;
}

export function loadConfig(options: LoadOptions = {}): Config {
  const env = options.env ?? process.env;
  const envFile = options.envFile === undefined ? resolve('.env') : options.envFile;
  const fromFile: Record<string, string> = envFile && existsSync(envFile) ? parseDotenv(readFileSync(envFile)) : {};

  const raw: Record<string, string> = {};
  const sources: Partial<Record<SettingName, SettingSource>> = {};
  for (const name of KNOWN) {
    const e = env[name];
    const f = fromFile[name];
    if (e !== undefined && e.trim() !== '') {
      raw[name] = e.trim();
      sources[name] = 'env';
    } else if (f !== undefined && f.trim() !== '') {
      raw[name] = f.trim();
      sources[name] = '.env';
    } else {
      sources[name] = 'default';
    }
  }

  const parsed = settingsSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const name = String(issue.path[0] ?? 'settings');
    // the value is echoed for plain settings only, and never with URL credentials (user:pass@) in it
    const shown = name in raw && !SECRET_SETTINGS.includes(name as SettingName) ? ` (got "${stripUrlCredentials(raw[name]!).slice(0, 200)}")` : '';
    throw new ConfigError(name, stripUrlCredentials(`${issue.message}${shown}`));
  }
  const settings = parsed.data;
  return resolveConfig(settings, sources);
}

export function resolveConfig(settings: Settings, sources: Partial<Record<SettingName, SettingSource>> = {}): Config {
  const hasCloud = Boolean(settings.TWILIO_ACCOUNT_SID || settings.TWILIO_AUTH_TOKEN || settings.TTS_URL);
  const mode: 'demo' | 'live' = settings.DEMO === 'on' ? 'demo' : settings.DEMO === 'off' ? 'live' : hasCloud ? 'live' : 'demo';

  if (settings.SKIP_SIGNATURE_VALIDATION && settings.NODE_ENV === 'production') {
    throw new ConfigError('SKIP_SIGNATURE_VALIDATION', 'is refused when NODE_ENV=production');
  }
  if (settings.S3_ENDPOINT && !settings.TTS_BUCKET) {
    throw new ConfigError('TTS_BUCKET', 'is required when S3_ENDPOINT is set (the bucket the TTS service writes parts to)');
  }
  if (mode === 'demo' && !isLoopback(settings.BIND_ADDRESS)) {
    throw new ConfigError('BIND_ADDRESS', `must be a loopback address in demo mode (its auth token is public); got ${settings.BIND_ADDRESS}`);
  }
  if (mode === 'live') {
    if (!settings.TWILIO_AUTH_TOKEN && !settings.SKIP_SIGNATURE_VALIDATION) {
      throw new ConfigError('TWILIO_AUTH_TOKEN', 'is required in live mode to verify X-Twilio-Signature');
    }
    if (!settings.PUBLIC_URL) {
      throw new ConfigError('PUBLIC_URL', 'is required in live mode (the public https base Twilio calls, e.g. your ngrok URL)');
    }
  }

  const consoleTokenGenerated = !settings.CONSOLE_TOKEN;
  const consoleToken = settings.CONSOLE_TOKEN ?? randomBytes(18).toString('base64url');
  const dataDir = resolve(settings.DATA_DIR ?? join(homedir(), '.front-door'));
  return { settings, mode, consoleToken, consoleTokenGenerated, dataDir, sources };
}

/** 127.0.0.0/8, ::1 and localhost: addresses nothing outside this machine can reach. */
export function isLoopback(address: string): boolean {
  const a = address.trim().toLowerCase().replace(/^\[|\]$/g, '');
  return a === 'localhost' || a === '::1' || /^127(\.\d{1,3}){3}$/.test(a) || /^::ffff:127(\.\d{1,3}){3}$/.test(a);
}

/** Settings for tests and tools: schema defaults plus the given overrides, no .env, no environment. */
export function testConfig(overrides: Record<string, string> = {}): Config {
  return loadConfig({ env: overrides, envFile: false });
}
