// The small confirm step before a handoff or hang-up: names the call and the number it will dial.
import { useEffect, useRef } from 'react';
import { displayNumber } from '../../format';
import { useT } from '../../i18n/useT';
import { useActions, useConsole } from '../../store/context';
import { HangupIcon, HeadsetIcon } from '../../ui/icons';
import { connectDidLabel } from './handoff-rules';

export function ConfirmDialog() {
  const t = useT();
  const confirm = useConsole((s) => s.confirm);
  const call = useConsole((s) => (s.confirm ? (s.calls[s.confirm.callSid] ?? (s.selected?.callSid === s.confirm.callSid ? s.selected.record : undefined)) : undefined));
  const settings = useConsole((s) => s.settings);
  const presentation = useConsole((s) => s.prefs.presentation);
  const { confirmAction, cancelConfirm } = useActions();
  const primary = useRef<HTMLButtonElement>(null);

  useEffect(() => {
    if (!confirm) return;
    primary.current?.focus();
    const onKey = (e: KeyboardEvent) => {
      if (e.key === 'Escape') {
        e.stopPropagation();
        cancelConfirm();
      }
    };
    window.addEventListener('keydown', onKey, true);
    return () => window.removeEventListener('keydown', onKey, true);
  }, [confirm, cancelConfirm]);

  if (!confirm) return null;
  const handoff = confirm.action === 'handoff';
  const caller = call ? displayNumber(call, presentation) || t('calls.unknownCaller') : confirm.callSid;
  const did = connectDidLabel(settings, presentation);
  return (
    <div className="modal-backdrop" onMouseDown={(e) => e.target === e.currentTarget && cancelConfirm()}>
      <div className="modal" role="dialog" aria-modal="true" aria-labelledby="confirm-title" aria-describedby="confirm-body">
        <div className={`modal-icon ${handoff ? 'primary' : 'danger'}`}>{handoff ? <HeadsetIcon size={20} /> : <HangupIcon size={20} />}</div>
        <h3 id="confirm-title">{t(handoff ? 'call.confirm.handoff.title' : 'call.confirm.hangup.title')}</h3>
        <p id="confirm-body">{t(handoff ? 'call.confirm.handoff.body' : 'call.confirm.hangup.body', { caller, did })}</p>
        <dl className="modal-facts">
          <dt>{t('history.col.caller')}</dt>
          <dd className="mono">{caller}</dd>
          <dt>Call SID</dt>
          <dd className="mono">{confirm.callSid}</dd>
          {handoff ? (
            <>
              <dt>CONNECT_DID</dt>
              <dd className="mono">{did}</dd>
            </>
          ) : null}
        </dl>
        <div className="modal-actions">
          <button type="button" className="btn btn-ghost" onClick={cancelConfirm}>
            {t('call.confirm.cancel')}
          </button>
          <button ref={primary} type="button" className={`btn ${handoff ? 'btn-primary' : 'btn-danger'}`} onClick={() => void confirmAction()}>
            {t(handoff ? 'call.handoff' : 'call.hangup')}
          </button>
        </div>
      </div>
    </div>
  );
}
