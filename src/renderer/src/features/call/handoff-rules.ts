// Whether the operator may hand off or hang up a call, and why not (pure).
import { formatPhone } from '../../format';
import type { Call, SettingsView } from '../../../../shared/model';
import type { StringKey } from '../../i18n/strings';

/** The reason Hand off is disabled, as a string key, or null when it is allowed. */
export function handoffBlockedReason(call: Call | undefined, settings: SettingsView | null, readOnly: boolean): StringKey | null {
  if (readOnly) return 'call.why.history';
  if (!call || call.state === 'ended') return 'call.why.ended';
  if (call.handoff?.status === 'connected' || call.state === 'with_agent') return 'call.why.already';
  if (call.handoff && call.handoff.status !== 'failed') return 'call.why.inProgress';
  if (!settings?.connectDidSet) return 'call.why.noDid';
  return null;
}

export function hangupBlockedReason(call: Call | undefined, readOnly: boolean): StringKey | null {
  if (readOnly) return 'call.why.history';
  if (!call || call.state === 'ended') return 'call.why.ended';
  return null;
}

/** The number a handoff will dial, as the confirm dialog names it. */
export function connectDidLabel(settings: SettingsView | null, presentation: boolean): string {
  if (!settings?.connectDidSet) return '—';
  const plain = settings.settings.find((s) => s.name === 'CONNECT_DID' && !s.secret)?.value;
  return presentation || !plain ? (settings.connectDidMasked ?? '••••') : formatPhone(plain);
}
