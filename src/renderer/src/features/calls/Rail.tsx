// The left rail: live calls header, the list (or a short hint when empty), and the demo control.
import { memo } from 'react';
import { useT } from '../../i18n/useT';
import { useConsole } from '../../store/context';
import { SimulateMenu } from '../demo/SimulateMenu';
import { CallList } from './CallList';

export const Rail = memo(function Rail() {
  const t = useT();
  const total = useConsole((s) => s.order.length);
  const active = useConsole((s) => s.order.reduce((n, sid) => n + (s.calls[sid]?.state !== 'ended' ? 1 : 0), 0));
  return (
    <aside className="rail" aria-label={t('calls.title')}>
      <div className="rail-head">
        <h2>{t('calls.title')}</h2>
        <span className="rail-count">{t('calls.active', { n: active })}</span>
      </div>
      {total === 0 ? <div className="rail-empty">{t('calls.empty')}</div> : <CallList />}
      <div className="rail-foot">
        <SimulateMenu />
      </div>
    </aside>
  );
});
