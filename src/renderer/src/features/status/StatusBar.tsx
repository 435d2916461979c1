// The top bar: product, mode, navigation, service health, and the operator's toggles.
import { memo } from 'react';
import type { ServiceHealth } from '../../../../shared/model';
import { useT } from '../../i18n/useT';
import { useActions, useConsole } from '../../store/context';
import type { View } from '../../store/store';
import { BellIcon, LogoIcon, MoonIcon, ProjectorIcon, SunIcon } from '../../ui/icons';

function Service({ label, health, port }: { label: string; health: ServiceHealth | undefined; port?: number }) {
  const t = useT();
  const presentation = useConsole((s) => s.prefs.presentation);
  const { setView } = useActions();
  const state = health?.state ?? 'unknown';
  const word = t(`svc.${state}`);
  // ops: the reason comes from the health checks; one per line on hover, and a click opens Setup (the fixes)
  const title = `${label}${port ? ` :${port}` : ''} — ${word}${health?.detail ? `\n${health.detail.split(' · ').join('\n')}` : ''}`;
  return (
    <span
      className={`svc svc-${state}${presentation ? '' : ' svc-link'}`}
      title={title}
      aria-label={title}
      role="status"
      onClick={presentation ? undefined : () => setView('setup')}
    >
      <span className="svc-label">
        {label}
        {port ? <span className="svc-port">:{port}</span> : null}
      </span>
      <span className="svc-dot" aria-hidden="true" />
    </span>
  );
}

function NavTab({ view, label, badge }: { view: View; label: string; badge?: number }) {
  const current = useConsole((s) => s.view);
  const { setView } = useActions();
  return (
    <button type="button" className={`nav-tab${current === view ? ' active' : ''}`} aria-current={current === view ? 'page' : undefined} onClick={() => setView(view)}>
      {label}
      {badge ? <span className="nav-badge">{badge}</span> : null}
    </button>
  );
}

export const StatusBar = memo(function StatusBar() {
  const t = useT();
  const health = useConsole((s) => s.health);
  const prefs = useConsole((s) => s.prefs);
  const permission = useConsole((s) => s.notifyPermission);
  const active = useConsole((s) => s.order.reduce((n, sid) => n + (s.calls[sid]?.state !== 'ended' ? 1 : 0), 0));
  const { setPrefs, enableNotifications } = useActions();
  const mode = health?.mode;
  const notifyLabel = permission === 'denied' ? t('status.notify.blocked') : prefs.notifications ? t('status.notify.on') : t('status.notify.off');
  return (
    <header className="statusbar">
      <div className="brand">
        <LogoIcon size={18} />
        <span className="brand-name">Front Door</span>
        {mode ? <span className={`mode-badge mode-${mode}`}>{t(mode === 'demo' ? 'mode.demo' : 'mode.live')}</span> : null}
      </div>
      <nav className="nav" aria-label="Views">
        <NavTab view="live" label={t('nav.live')} badge={active} />
        <NavTab view="history" label={t('nav.history')} />
        {!prefs.presentation ? <NavTab view="setup" label={t('nav.setup')} /> : null}
      </nav>
      <div className="services" aria-label="Services">
        <Service label={t('svc.twiml')} health={health?.twiml} port={health?.twiml.port} />
        <Service label={t('svc.media')} health={health?.media} port={health?.media.port} />
        <Service label={t('svc.tts')} health={health?.tts} />
        <Service label={t('svc.s3')} health={health?.s3} />
        <Service label={t('svc.twilio')} health={health?.twilio} />
        {health && !health.signatureValidation ? (
          <span className="sig-warning" role="alert">
            {t('status.signatureOff')}
          </span>
        ) : null}
      </div>
      <div className="toggles">
        <button
          type="button"
          className={`icon-btn${prefs.notifications ? ' on' : ''}`}
          title={notifyLabel}
          aria-label={notifyLabel}
          aria-pressed={prefs.notifications}
          disabled={permission === 'unsupported'}
          onClick={() => (prefs.notifications ? setPrefs({ notifications: false }) : void enableNotifications())}
        >
          <BellIcon />
        </button>
        <button
          type="button"
          className={`toggle-btn${prefs.presentation ? ' on' : ''}`}
          aria-pressed={prefs.presentation}
          onClick={() => setPrefs({ presentation: !prefs.presentation })}
          title={t('status.presentation')}
        >
          <ProjectorIcon />
          <span>{t('status.presentation')}</span>
        </button>
        <button
          type="button"
          className="icon-btn"
          aria-label={prefs.theme === 'dark' ? t('status.theme.light') : t('status.theme.dark')}
          title={prefs.theme === 'dark' ? t('status.theme.light') : t('status.theme.dark')}
          onClick={() => setPrefs({ theme: prefs.theme === 'dark' ? 'light' : 'dark' })}
        >
          {prefs.theme === 'dark' ? <SunIcon /> : <MoonIcon />}
        </button>
        <div className="lang" role="group" aria-label={t('status.language')}>
          <button type="button" aria-pressed={prefs.locale === 'ko'} className={prefs.locale === 'ko' ? 'on' : ''} onClick={() => setPrefs({ locale: 'ko' })} lang="ko">
            한국어
          </button>
          <button type="button" aria-pressed={prefs.locale === 'en'} className={prefs.locale === 'en' ? 'on' : ''} onClick={() => setPrefs({ locale: 'en' })} lang="en">
            EN
          </button>
        </div>
      </div>
    </header>
  );
});
