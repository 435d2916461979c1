// Who, mode, state, ticking duration, the handoff outcome, and the two actions.
import { memo } from 'react';
import type { Call, HandoffStatus } from '../../../../shared/model';
import { callDuration, displayNumber, formatDuration } from '../../format';
import { useT } from '../../i18n/useT';
import { useActions, useConsole } from '../../store/context';
import { useNow } from '../../store/ticker';
import { StateBadge } from '../../ui/StateBadge';
import { AlertIcon, HangupIcon, HeadsetIcon, PauseIcon } from '../../ui/icons';
import { handoffBlockedReason, hangupBlockedReason } from './handoff-rules';

const STEPS = ['requested', 'accepted', 'dialing', 'connected'] as const satisfies readonly HandoffStatus[];

function HandoffSteps({ call }: { call: Call }) {
  const t = useT();
  const h = call.handoff;
  if (!h) return null;
  const failed = h.status === 'failed';
  const reached = failed ? -1 : STEPS.indexOf(h.status as (typeof STEPS)[number]);
  return (
    <div className={`handoff-steps${failed ? ' failed' : ''}`} role="status" aria-live="polite" data-handoff={h.status}>
      <span className="step-source">{t('handoff.label')} · {t(`handoff.by.${h.source}`)}</span>
      {failed ? (
        <span className="step step-failed">
          {t('handoff.failed')}
          {h.message ? ` — ${h.message}` : ''}
          {h.code ? ` (Twilio ${h.code})` : ''}
        </span>
      ) : (
        STEPS.map((s, i) => (
          <span key={s} className={`step${i < reached ? ' done' : i === reached ? ' current' : ''}`}>
            {t(`handoff.step.${s}`)}
          </span>
        ))
      )}
    </div>
  );
}

function Ticking({ call }: { call: Call }) {
  const now = useNow();
  return <span className="hdr-duration">{formatDuration(callDuration(call, now))}</span>;
}

/** The alerts that still need a person, in plain words (the rail shows only the latest one's name). */
function Alerts({ call }: { call: Call }) {
  const t = useT();
  if (call.alerts.length === 0 || call.state === 'ended') return null;
  return (
    <ul className="hdr-alerts" aria-label={t('call.alerts')}>
      {call.alerts.map((a) => (
        <li key={`${a.kind}@${a.at}`} className={`hdr-alert alert-${a.kind}`} data-alert={a.kind}>
          <AlertIcon size={13} />
          <strong>{t(`alert.${a.kind}`)}</strong>
          {a.message ? <span> — {a.message}</span> : null}
        </li>
      ))}
    </ul>
  );
}

export const CallHeader = memo(function CallHeader({ call, readOnly, muted = false }: { call: Call; readOnly: boolean; muted?: boolean }) {
  const t = useT();
  const presentation = useConsole((s) => s.prefs.presentation);
  const settings = useConsole((s) => s.settings);
  const busy = useConsole((s) => s.busy[call.callSid]);
  const { ask } = useActions();
  const handoffWhy = handoffBlockedReason(call, settings, readOnly);
  const hangupWhy = hangupBlockedReason(call, readOnly);
  const ended = call.state === 'ended';
  return (
    <div className="call-header">
      <div className="hdr-who">
        <h2 className="hdr-number" data-testid="call-number">
          {displayNumber(call, presentation) || t('calls.unknownCaller')}
        </h2>
        <div className="hdr-meta">
          <StateBadge state={call.state} />
          <span className="chip">{t(`callmode.${call.mode}`)}</span>
          {muted && !ended ? (
            <span className="chip chip-hold" data-testid="bot-muted" title={t('call.muted.hint')}>
              <PauseIcon size={11} />
              {t('call.muted')}
            </span>
          ) : null}
          {call.simulated ? <span className="chip chip-sim">{t('calls.simulated')}</span> : null}
          {call.interrupted ? <span className="chip chip-warn">{t('calls.interrupted')}</span> : null}
          {readOnly ? <span className="chip">{t('call.readOnly')}</span> : null}
          {ended ? <span className="hdr-duration">{formatDuration(callDuration(call, call.endedAt ?? call.startedAt))}</span> : <Ticking call={call} />}
          {ended && call.endReason ? <span className="muted">· {call.endReason}</span> : null}
        </div>
        <HandoffSteps call={call} />
        <Alerts call={call} />
      </div>
      <div className="hdr-actions">
        <span className="why" id="handoff-why" title={handoffWhy ? t(handoffWhy) : undefined}>
          <button type="button" className="btn btn-primary" disabled={Boolean(handoffWhy) || busy !== undefined} aria-describedby={handoffWhy ? 'handoff-why-text' : undefined} onClick={() => ask('handoff', call.callSid)}>
            <HeadsetIcon size={16} />
            {t('call.handoff')}
          </button>
        </span>
        <span className="why" title={hangupWhy ? t(hangupWhy) : undefined}>
          <button type="button" className="btn btn-danger-outline" disabled={Boolean(hangupWhy) || busy !== undefined} onClick={() => ask('hangup', call.callSid)}>
            <HangupIcon size={16} />
            {t('call.hangup')}
          </button>
        </span>
        {handoffWhy && !readOnly && !ended ? (
          <span className="why-text" id="handoff-why-text">
            {t(handoffWhy)}
          </span>
        ) : null}
      </div>
    </div>
  );
});
