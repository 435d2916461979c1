// The audio panel: TTS part arrival and frame pacing, the two charts that make this product.
import { memo } from 'react';
import type { Call } from '../../../../shared/model';
import { PacingChart } from '../../charts/PacingChart';
import { PartsChart } from '../../charts/PartsChart';
import { useT } from '../../i18n/useT';

export const AudioPanel = memo(function AudioPanel({ call }: { call: Call }) {
  const t = useT();
  const live = call.state !== 'ended';
  return (
    <section className="panel audio" aria-label={t('audio.title')}>
      <div className="panel-head">
        <h3>{t('audio.parts')}</h3>
      </div>
      {call.mode === 'gather' && !call.streamSid ? (
        <div className="chart-note">{t('audio.gatherOnly')}</div>
      ) : (
        <>
          <PartsChart callSid={call.callSid} />
          <div className="panel-head panel-head-sub">
            <h3>{t('audio.pacing')}</h3>
          </div>
          <PacingChart callSid={call.callSid} t0={call.startedAt} live={live} />
        </>
      )}
    </section>
  );
});
