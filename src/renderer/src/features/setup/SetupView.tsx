// Setup: the webhook URLs to paste into the Twilio console, every setting's state (secrets only as
// set/unset) and the warnings. Hidden in presentation mode.
import { useState } from 'react';
import type { SettingsView } from '../../../../shared/model';
import { useT } from '../../i18n/useT';
import { useConsole } from '../../store/context';
import { AlertIcon, CopyIcon } from '../../ui/icons';
import { HealthCard } from './HealthCard';

async function copyText(text: string): Promise<boolean> {
  try {
    await navigator.clipboard.writeText(text);
    return true;
  } catch {
    // clipboard API refused (no permission, insecure context): fall back to a hidden textarea
    const area = document.createElement('textarea');
    area.value = text;
    area.style.position = 'fixed';
    area.style.opacity = '0';
    document.body.appendChild(area);
    area.select();
    const ok = document.execCommand('copy');
    area.remove();
    return ok;
  }
}

function WebhookRow({ label, url }: { label: string; url: string }) {
  const t = useT();
  const [copied, setCopied] = useState(false);
  return (
    <div className="hook">
      <div className="hook-label">{label}</div>
      <code className="hook-url">{url}</code>
      <button
        type="button"
        className="btn btn-secondary btn-sm"
        aria-label={`${t('setup.copy')} ${label}`}
        onClick={() =>
          void copyText(url).then((ok) => {
            if (!ok) return;
            setCopied(true);
            setTimeout(() => setCopied(false), 1500);
          })
        }
      >
        <CopyIcon size={13} />
        {copied ? t('setup.copied') : t('setup.copy')}
      </button>
    </div>
  );
}

const HOOKS: Array<[keyof SettingsView['webhooks'], Parameters<ReturnType<typeof useT>>[0]]> = [
  ['voiceStream', 'setup.hook.voiceStream'],
  ['voiceGather', 'setup.hook.voiceGather'],
  ['callStatus', 'setup.hook.callStatus'],
  ['streamStatus', 'setup.hook.streamStatus'],
  ['media', 'setup.hook.media'],
];

export function SetupView() {
  const t = useT();
  const settings = useConsole((s) => s.settings);
  const presentation = useConsole((s) => s.prefs.presentation);
  if (presentation) return <div className="page"><div className="table-empty">{t('setup.hidden')}</div></div>;
  if (!settings) return <div className="page"><div className="table-empty">{t('conn.connecting')}</div></div>;
  return (
    <div className="page setup">
      <div className="page-head">
        <h2>{t('setup.title')}</h2>
        <span className={`mode-badge mode-${settings.mode}`}>{t(settings.mode === 'demo' ? 'mode.demo' : 'mode.live')}</span>
        <span className="muted mono">
          {t('setup.publicUrl')}: {settings.publicUrl}
        </span>
      </div>
      {!settings.signatureValidation ? (
        <div className="banner banner-error" role="alert">
          <AlertIcon size={16} />
          {t('setup.signatureOff')}
        </div>
      ) : null}
      {settings.warnings.length ? (
        <div className="banner banner-warn">
          <strong>{t('setup.warnings')}</strong>
          <ul>
            {settings.warnings.map((w) => (
              <li key={w}>{w}</li>
            ))}
          </ul>
        </div>
      ) : null}
      <HealthCard />
      <section className="card">
        <h3>{t('setup.webhooks')}</h3>
        <p className="muted">{t('setup.webhooks.help')}</p>
        {HOOKS.map(([key, label]) => (
          <WebhookRow key={key} label={t(label)} url={settings.webhooks[key]} />
        ))}
      </section>
      <section className="card">
        <h3>{t('setup.settings')}</h3>
        <table className="table settings-table">
          <thead>
            <tr>
              <th>{t('setup.col.name')}</th>
              <th>{t('setup.col.state')}</th>
              <th>{t('setup.col.value')}</th>
              <th>{t('setup.col.about')}</th>
            </tr>
          </thead>
          <tbody>
            {settings.settings.map((s) => (
              <tr key={s.name} data-setting={s.name} data-state={s.state}>
                <td className="mono">{s.name}</td>
                <td>
                  <span className={`setting-state st-${s.state}`}>{t(`setup.state.${s.state}`)}</span>
                </td>
                <td className="mono ellipsis">{s.secret ? (s.state === 'set' ? t('setup.secretSet') : t('setup.secretUnset')) : (s.value ?? '')}</td>
                <td>
                  {s.description}
                  {s.message ? <div className={s.state === 'invalid' ? 'error-text' : 'muted'}>{s.message}</div> : null}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </section>
    </div>
  );
}
