// What the main area teaches when there is nothing to show yet.
import { useT } from '../../i18n/useT';
import { useActions, useConsole } from '../../store/context';
import { PhoneIcon } from '../../ui/icons';
import { SimulateMenu } from '../demo/SimulateMenu';

export function EmptyState() {
  const t = useT();
  const hasCalls = useConsole((s) => s.order.length > 0);
  const settings = useConsole((s) => s.settings);
  const demo = useConsole((s) => s.demo.enabled);
  const presentation = useConsole((s) => s.prefs.presentation);
  const { setView } = useActions();
  if (hasCalls) {
    return (
      <div className="empty">
        <div className="empty-icon">
          <PhoneIcon size={28} />
        </div>
        <p className="empty-lead">{t('empty.pick')}</p>
        <p className="muted kbd-hint">{t('empty.keys')}</p>
      </div>
    );
  }
  return (
    <div className="empty">
      <div className="empty-icon">
        <PhoneIcon size={28} />
      </div>
      <h2>{t('empty.title')}</h2>
      <p className="empty-lead">{t('empty.body')}</p>
      {settings && !presentation ? (
        <dl className="empty-hooks">
          <dt>{t('empty.stream')}</dt>
          <dd className="mono">{settings.webhooks.voiceStream}</dd>
          <dt>{t('empty.gather')}</dt>
          <dd className="mono">{settings.webhooks.voiceGather}</dd>
        </dl>
      ) : null}
      {!presentation ? (
        <button type="button" className="link" onClick={() => setView('setup')}>
          {t('empty.setupLink')}
        </button>
      ) : null}
      {demo ? (
        <div className="empty-demo">
          <p>{t('empty.demo')}</p>
          <SimulateMenu align="down" />
        </div>
      ) : null}
    </div>
  );
}
