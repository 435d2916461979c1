// Connection state: a full screen while first connecting or when the token is refused, a thin
// banner while reconnecting (the last data stays visible underneath).
import { useT } from '../i18n/useT';
import { useConsole } from '../store/context';
import { LockIcon } from './icons';

export function ConnectionScreen() {
  const t = useT();
  const connection = useConsole((s) => s.connection);
  const hasSnapshot = useConsole((s) => s.hasSnapshot);
  if (connection.status === 'unauthorized') {
    return (
      <div className="overlay" role="alertdialog" aria-labelledby="auth-title">
        <div className="overlay-card">
          <div className="modal-icon danger">
            <LockIcon size={22} />
          </div>
          <h2 id="auth-title">{t('conn.unauthorized.title')}</h2>
          <p>{connection.tokenPresent ? t('conn.unauthorized.invalid') : t('conn.unauthorized.missing')}</p>
          <code className="mono">http://127.0.0.1:5173/?token=…</code>
        </div>
      </div>
    );
  }
  if (connection.status === 'reconnecting') {
    return (
      <div className="reconnecting" role="status">
        <span className="spinner" aria-hidden="true" />
        {t('conn.reconnecting')}
      </div>
    );
  }
  if (!hasSnapshot) {
    return (
      <div className="overlay overlay-soft" role="status">
        <div className="overlay-card">
          <span className="spinner spinner-lg" aria-hidden="true" />
          <p>{t('conn.connecting')}</p>
        </div>
      </div>
    );
  }
  return null;
}
