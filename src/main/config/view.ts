// What the Setup view may see of the settings: states and non-secret values only.
import type { SettingsView, SettingView } from '../../shared/model';
import { maskNumber } from '../calls/registry';
import type { Config } from './load';
import { SECRET_SETTINGS, SETTING_DESCRIPTIONS, type SettingName } from './schema';
import { scrubCredentials, stripUrlCredentials } from './secrets';
import type { PublicUrls } from './urls';

/** Settings a live deployment needs; missing ones are flagged in the Setup view. */
const LIVE_REQUIRED: SettingName[] = ['PUBLIC_URL', 'TWILIO_ACCOUNT_SID', 'TWILIO_AUTH_TOKEN', 'CONNECT_DID', 'TTS_URL', 'TTS_BUCKET'];

export function settingsView(config: Config, urls: PublicUrls, effective: Partial<Record<SettingName, unknown>> = {}): SettingsView {
  const s = { ...config.settings, ...effective } as Record<string, unknown>;
  const settings: SettingView[] = (Object.keys(SETTING_DESCRIPTIONS) as SettingName[]).map((name) => {
    const secret = SECRET_SETTINGS.includes(name);
    const value = s[name];
    const source = config.sources[name];
    const present = value !== undefined && value !== '';
    const state = !present ? (config.mode === 'live' && LIVE_REQUIRED.includes(name) ? 'missing' : 'default') : source === 'default' && !(name in effective) ? 'default' : 'set';
    const view: SettingView = { name, secret, state, description: SETTING_DESCRIPTIONS[name] };
    // URL settings may carry user:pass@ (TTS_URL's Basic auth): the value is shown without it
    if (!secret && present) view.value = stripUrlCredentials(Array.isArray(value) ? value.join(',') : String(value));
    if (state === 'missing') view.message = 'needed for live calls';
    return view;
  });
  const connectDid = s.CONNECT_DID as string | undefined;
  const warnings: string[] = [];
  const signatureValidation = !config.settings.SKIP_SIGNATURE_VALIDATION;
  if (!signatureValidation) warnings.push('Webhook signature validation is OFF: anyone who can reach the webhook URLs can drive calls.');
  if (config.mode === 'live' && !/^https:\/\//.test(urls.base)) warnings.push('PUBLIC_URL is not https: Twilio requires https webhooks and wss media streams.');
  if (!connectDid) warnings.push('CONNECT_DID is not set: handoff to Amazon Connect is unavailable.');
  return scrubCredentials({
    mode: config.mode,
    publicUrl: urls.base,
    webhooks: {
      voiceGather: urls.abs('/voice_gather'),
      voiceStream: urls.abs('/voice_stream'),
      callStatus: urls.abs('/call_status'),
      streamStatus: urls.abs('/stream_status'),
      media: urls.media,
    },
    settings,
    connectDidSet: Boolean(connectDid),
    connectDidMasked: connectDid ? maskNumber(connectDid) : undefined,
    signatureValidation,
    warnings,
  });
}
