// One row of the live list. Memoised and subscribed to its own call only, so 50 calls updating
// ten times a second re-render just the rows that changed.
import { memo } from 'react';
import type { Call } from '../../../../shared/model';
import { callDuration, displayNumber, formatDuration } from '../../format';
import { useT } from '../../i18n/useT';
import { useActions, useConsole } from '../../store/context';
import { useNow } from '../../store/ticker';
import { StateBadge } from '../../ui/StateBadge';
import { AlertIcon } from '../../ui/icons';

export const ROW_HEIGHT = 84;

function Duration({ call }: { call: Call }) {
  const now = useNow();
  return <span className="row-duration">{formatDuration(callDuration(call, now))}</span>;
}

export const CallRow = memo(function CallRow({ callSid, top }: { callSid: string; top: number }) {
  const t = useT();
  const call = useConsole((s) => s.calls[callSid]);
  const selected = useConsole((s) => s.selected?.callSid === callSid && !s.selected.readOnly);
  const cursor = useConsole((s) => s.cursor === callSid);
  const presentation = useConsole((s) => s.prefs.presentation);
  const { select } = useActions();
  if (!call) return null;
  const ended = call.state === 'ended';
  const number = displayNumber(call, presentation) || t('calls.unknownCaller');
  const flagged = call.alerts.length > 0;
  return (
    <div
      role="option"
      aria-selected={selected}
      id={`call-${callSid}`}
      data-callsid={callSid}
      data-state={call.state}
      className={`call-row${selected ? ' selected' : ''}${cursor ? ' cursor' : ''}${ended ? ' ended' : ''}${flagged ? ' flagged' : ''}`}
      style={{ transform: `translateY(${top}px)`, height: ROW_HEIGHT }}
      onClick={() => select(callSid)}
    >
      <div className="row-line1">
        <span className="row-number">{number}</span>
        {ended ? <span className="row-ended">{formatDuration(callDuration(call, call.endedAt ?? call.startedAt))}</span> : <Duration call={call} />}
      </div>
      <div className="row-line2">
        <StateBadge state={call.state} compact />
        <span className="row-mode">{t(`callmode.${call.mode}`)}</span>
        {call.simulated ? <span className="chip chip-sim">{t('calls.simulated')}</span> : null}
        {call.interrupted ? <span className="chip chip-warn">{t('calls.interrupted')}</span> : null}
      </div>
      <div className="row-line3">
        {flagged ? (
          <span className="attention" role="img" aria-label={call.alerts.map((a) => t(`alert.${a.kind}`)).join(', ')}>
            <AlertIcon size={13} />
            {t(`alert.${call.alerts[call.alerts.length - 1].kind}`)}
            {call.alerts.length > 1 ? ` +${call.alerts.length - 1}` : ''}
          </span>
        ) : null}
        <span className={`row-transcript${call.lastTranscript ? '' : ' muted'}`} lang="ko">
          {call.lastTranscript ? `“${call.lastTranscript}”` : t('calls.noTranscript')}
        </span>
      </div>
    </div>
  );
});
