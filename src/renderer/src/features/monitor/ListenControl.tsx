// The Listen control of a live streamed call: one button, then per leg (caller, bot) a live level meter and a
// volume slider, and how far behind live the page plays. Audio runs in ListenEngine; this only shows its status
// (data-* attributes carry the batch counts for tests and the e2e).
import { memo, useEffect, useRef, useState, useSyncExternalStore } from 'react';
import type { AudioLeg } from '../../../../shared/api';
import type { Call } from '../../../../shared/model';
import { useConsole } from '../../store/context';
import { browserAudioContext, useMonitor } from './context';
import { meterFill } from './jitter';
import { ListenEngine } from './listen-engine';
import { isMonitorKey, monitorText, type MonitorKey } from './strings';

function useText() {
  const locale = useConsole((s) => s.prefs.locale);
  return (key: MonitorKey, vars?: Record<string, string | number>) => monitorText(locale, key, vars);
}

const EarIcon = ({ size = 16 }: { size?: number }) => (
  <svg width={size} height={size} viewBox="0 0 24 24" fill="none" stroke="currentColor" strokeWidth={1.8} strokeLinecap="round" strokeLinejoin="round" aria-hidden="true" focusable="false">
    <path d="M11 5 6 9H3v6h3l5 4z" />
    <path d="M15.5 8.5a5 5 0 0 1 0 7M18.5 5.5a9 9 0 0 1 0 13" />
  </svg>
);

function Meter({ engine, leg, label }: { engine: ListenEngine; leg: AudioLeg; label: string }) {
  const bar = useRef<HTMLSpanElement>(null);
  useEffect(() => {
    let frame = 0;
    const draw = () => {
      const fill = meterFill(engine.level(leg));
      if (bar.current) {
        bar.current.style.transform = `scaleX(${fill.toFixed(3)})`;
        bar.current.dataset.level = fill > 0.05 ? 'on' : 'off';
      }
      frame = requestAnimationFrame(draw);
    };
    frame = requestAnimationFrame(draw);
    return () => cancelAnimationFrame(frame);
  }, [engine, leg]);
  return (
    <span className="listen-meter" role="meter" aria-label={label} aria-valuemin={0} aria-valuemax={1}>
      <span ref={bar} className={`listen-meter-bar leg-${leg}`} />
    </span>
  );
}

function Leg({ engine, leg }: { engine: ListenEngine; leg: AudioLeg }) {
  const t = useText();
  const [volume, setVolume] = useState(engine.volume(leg));
  const name = t(leg === 'caller' ? 'listen.caller' : 'listen.bot');
  return (
    <div className={`listen-leg leg-${leg}`}>
      <span className="listen-leg-name">{name}</span>
      <Meter engine={engine} leg={leg} label={t('listen.level', { leg: name })} />
      <input
        type="range"
        min={0}
        max={1.5}
        step={0.05}
        value={volume}
        aria-label={t('listen.volume', { leg: name })}
        onChange={(e) => {
          const v = Number(e.target.value);
          setVolume(v);
          engine.setVolume(leg, v);
        }}
      />
    </div>
  );
}

export const ListenControl = memo(function ListenControl({ call }: { call: Call }) {
  const monitor = useMonitor();
  const t = useText();
  const [engine, setEngine] = useState<ListenEngine | null>(null);
  useEffect(() => {
    if (!monitor) return;
    const e = new ListenEngine(monitor.port, call.callSid, monitor.audioContext ?? browserAudioContext);
    setEngine(e);
    return () => e.dispose();
  }, [monitor, call.callSid]);
  const status = useSyncExternalStore(
    (cb) => engine?.onChange(cb) ?? (() => undefined),
    () => engine?.status ?? null,
  );
  if (!monitor || !engine || !status) return null;
  const ended = call.state === 'ended';
  const active = status.state === 'live' || status.state === 'starting';
  if (ended && status.state === 'idle') return null;
  const note =
    status.state === 'starting'
      ? t('listen.starting')
      : status.state === 'live'
        ? status.behindMs !== null
          ? `${t('listen.live')} · ${t('listen.behind', { ms: status.behindMs })}`
          : t('listen.live')
        : status.state === 'stopped' && status.reason && status.reason !== 'operator'
          ? isMonitorKey(`listen.stopped.${status.reason}`)
            ? t(`listen.stopped.${status.reason}` as MonitorKey)
            : status.reason
          : status.state === 'failed'
            ? (status.reason ?? '')
            : '';
  return (
    <div className={`listen${active ? ' listen-on' : ''}`} data-testid="listen" data-state={status.state} data-reason={status.reason} data-caller-batches={status.batches.caller} data-bot-batches={status.batches.bot} data-lost={status.lost}>
      <button type="button" className={`btn ${active ? 'btn-secondary listen-stop' : 'btn-secondary'}`} aria-pressed={active} disabled={ended && !active} onClick={() => void (active ? engine.stop() : engine.start())}>
        <EarIcon size={16} />
        {active ? t('listen.stop') : t('listen.start')}
      </button>
      {active ? (
        <>
          <span className="listen-live-dot" aria-hidden="true" />
          <Leg engine={engine} leg="caller" />
          <Leg engine={engine} leg="bot" />
        </>
      ) : null}
      {note ? (
        <span className={`listen-note${status.state === 'failed' ? ' listen-error' : ''}`} role="status">
          {note}
        </span>
      ) : null}
    </div>
  );
});
