// ops: the health checks in Setup — one row per check (TTS, S3, Twilio, CONNECT_DID, PUBLIC_URL) with its level,
// what was found, and the fix in plain words when it is not green; "Run checks" asks the host to run them now.
import type { CheckLevel, HealthCheck } from '../../../../shared/model';
import { useT } from '../../i18n/useT';
import { useActions, useConsole } from '../../store/context';
import { AlertIcon } from '../../ui/icons';

function clock(at: number): string {
  return new Date(at).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit', second: '2-digit' });
}

function CheckRow({ check }: { check: HealthCheck }) {
  const t = useT();
  return (
    <li className={`check check-${check.level}`} data-check={check.id} data-level={check.level}>
      <span className={`check-pill pill-${check.level}`}>{t(`health.level.${check.level}`)}</span>
      <div className="check-body">
        <div className="check-name">
          {t(`health.check.${check.id}`)}
          <span className="check-ms mono">{check.ms} ms</span>
        </div>
        <div className="check-reason">{check.reason}</div>
        {check.fix ? (
          <div className="check-fix">
            <strong>{t('health.fix')}:</strong> {check.fix}
          </div>
        ) : null}
        {check.target ? <div className="check-target mono">{check.target}</div> : null}
      </div>
    </li>
  );
}

const count = (checks: readonly HealthCheck[], level: CheckLevel) => checks.filter((c) => c.level === level).length;

export function HealthCard() {
  const t = useT();
  const checks = useConsole((s) => s.health?.checks);
  const running = useConsole((s) => s.healthRunning);
  const { runHealthChecks } = useActions();
  const red = checks ? count(checks, 'red') : 0;
  const amber = checks ? count(checks, 'amber') : 0;
  const at = checks?.reduce((m, c) => Math.max(m, c.at), 0);
  return (
    <section className="card health-card" aria-label={t('health.title')} data-testid="health-card">
      <div className="health-head">
        <div>
          <h3>
            {t('health.title')}
            {checks ? (
              <span className={`health-summary ${red ? 'sum-red' : amber ? 'sum-amber' : 'sum-green'}`}>
                {red || amber ? t('health.summary.bad', { red, amber }) : t('health.summary.ok', { n: checks.length })}
              </span>
            ) : null}
          </h3>
          <p className="muted">{t('health.help')}</p>
        </div>
        <div className="health-actions">
          <span className="muted">{at ? t('health.checkedAt', { time: clock(at) }) : t('health.never')}</span>
          <button type="button" className="btn btn-secondary btn-sm" disabled={running} onClick={() => void runHealthChecks()}>
            {running ? t('health.running') : t('health.run')}
          </button>
        </div>
      </div>
      {checks ? (
        <ul className="checks">
          {checks.map((c) => (
            <CheckRow key={c.id} check={c} />
          ))}
        </ul>
      ) : (
        <div className="table-empty">{t('health.running')}</div>
      )}
    </section>
  );
}

/** Above every view: a red check tells the operator before a caller meets it. */
export function HealthBanner() {
  const t = useT();
  const checks = useConsole((s) => s.health?.checks);
  const red = checks?.filter((c) => c.level === 'red') ?? [];
  const view = useConsole((s) => s.view);
  const presentation = useConsole((s) => s.prefs.presentation);
  const { setView } = useActions();
  if (!red.length || view === 'setup' || presentation) return null;
  return (
    <div className="health-banner" role="alert" data-testid="health-banner">
      <AlertIcon size={15} />
      <span>
        {t('health.banner', { n: red.length })} <span className="muted-inline">{red.map((c) => c.reason).join(' · ')}</span>
      </span>
      <button type="button" className="btn btn-sm btn-danger-outline" onClick={() => setView('setup')}>
        {t('health.open')}
      </button>
    </div>
  );
}
