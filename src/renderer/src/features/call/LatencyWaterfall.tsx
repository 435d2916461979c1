// A caller turn's latency, compact enough to sit under the bot's bubble: one thin stacked bar (a segment per
// step, coloured by what the time was spent on) and the steps in order with the ms between them; missing steps
// are shown as —.
import { memo } from 'react';
import { formatMs } from '../../format';
import type { T } from '../../i18n/useT';
import { waterfallOf, type TurnLatency } from './latency';

export const LatencyWaterfall = memo(function LatencyWaterfall({ latency, t }: { latency: TurnLatency; t: T }) {
  const w = waterfallOf(latency);
  return (
    <div className="waterfall" data-testid="latency" data-turn={latency.turn} aria-label={t('lat.title', { turn: latency.turn })}>
      <div className="wf-bar" aria-hidden="true">
        {w.steps.map((s) =>
          s.width !== undefined && s.from !== undefined ? (
            <span key={s.step} className={`wf-seg wf-${s.step}`} style={{ left: `${(s.from * 100).toFixed(2)}%`, width: `${Math.max(0.6, s.width * 100).toFixed(2)}%` }} />
          ) : null,
        )}
      </div>
      <ol className="wf-steps">
        {w.steps.map((s, i) => (
          <li key={s.step} className={`wf-step wf-${s.step}${s.at === undefined ? ' missing' : ''}`} title={`${t(`lat.long.${s.step}`)}${s.at === undefined ? ` — ${t('lat.missing')}` : ''}`}>
            <span className="wf-delta">{s.at === undefined ? '—' : i === 0 || s.deltaMs === undefined ? '\u00a0' : `+${formatMs(s.deltaMs)}`}</span>
            <span className="wf-name">{t(`lat.${s.step}`)}</span>
          </li>
        ))}
        <li className="wf-total">{w.totalMs !== undefined ? t('lat.total', { ms: formatMs(w.totalMs) }) : '—'}</li>
      </ol>
    </div>
  );
});
