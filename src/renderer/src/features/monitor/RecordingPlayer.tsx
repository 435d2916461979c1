// The History player of a streamed call: both legs' waveforms on one canvas (caller above, bot and operator
// below), the call's moments drawn over them (caller speech and turns, bot replies, barge-in decisions, marks),
// play / pause / seek (click or arrow keys on the waveform) through Web Audio, and the stereo WAV export
// (caller left, bot right; mu-law or PCM16). Presentation mode masks the number in the player's label; file
// names carry the call SID only, never a number.
import { memo, useCallback, useEffect, useMemo, useRef, useState } from 'react';
import type { WavEncoding } from '../../../../shared/recording';
import type { Call, CallEvent } from '../../../../shared/model';
import { SAMPLE_RATE } from '../../../../shared/recording';
import { mulawToFloat } from '../../../../shared/recording';
import { displayNumber } from '../../format';
import { useActions, useConsole } from '../../store/context';
import { DownloadIcon, PauseIcon, PlayIcon } from '../../ui/icons';
import { browserAudioContext, fromBase64, useMonitor } from './context';
import { monitorText, type MonitorKey } from './strings';
import { clock, moments, peaks, type Moment } from './waveform';

interface Loaded {
  startedAt: number;
  caller: Uint8Array;
  bot: Uint8Array;
  complete: boolean;
  durationMs: number;
}

const HEIGHT = 168;

function cssVar(el: Element, name: string, fallback: string): string {
  return getComputedStyle(el).getPropertyValue(name).trim() || fallback;
}

function draw(canvas: HTMLCanvasElement, rec: Loaded, marks: Moment[], positionMs: number): number {
  const dpr = window.devicePixelRatio || 1;
  const width = Math.max(1, canvas.clientWidth);
  canvas.width = Math.round(width * dpr);
  canvas.height = Math.round(HEIGHT * dpr);
  const g = canvas.getContext('2d');
  if (!g) return 0;
  g.setTransform(dpr, 0, 0, dpr, 0, 0);
  g.clearRect(0, 0, width, HEIGHT);
  const x = (ms: number) => (ms / rec.durationMs) * width;
  const colour = {
    caller: cssVar(canvas, '--st-caller_speaking', '#35c6e6'),
    bot: cssVar(canvas, '--accent', '#7c93ff'),
    operator: cssVar(canvas, '--st-with_agent', '#c084fc'),
    grid: cssVar(canvas, '--grid', '#1f2636'),
    text: cssVar(canvas, '--muted', '#8590a6'),
    paused: cssVar(canvas, '--warn', '#f4b740'),
    resumed: cssVar(canvas, '--ok', '#3dd68c'),
    interrupted: cssVar(canvas, '--danger', '#f2646a'),
    mark: cssVar(canvas, '--marker', '#e7ebf3'),
  };
  const lanes = { caller: { mid: 44, half: 34 }, bot: { mid: 124, half: 34 } };
  // spans first (behind the waveform)
  for (const m of marks) {
    if (m.kind === 'speech') {
      g.fillStyle = colour.caller;
      g.globalAlpha = 0.12;
      g.fillRect(x(m.from), lanes.caller.mid - lanes.caller.half - 4, Math.max(1, x(m.to) - x(m.from)), lanes.caller.half * 2 + 8);
    } else if (m.kind === 'reply') {
      g.fillStyle = m.operator ? colour.operator : colour.bot;
      g.globalAlpha = 0.12;
      g.fillRect(x(m.from), lanes.bot.mid - lanes.bot.half - 4, Math.max(1, x(m.to) - x(m.from)), lanes.bot.half * 2 + 8);
    }
  }
  g.globalAlpha = 1;
  g.fillStyle = colour.grid;
  g.fillRect(0, lanes.caller.mid, width, 1);
  g.fillRect(0, lanes.bot.mid, width, 1);
  const columns = Math.floor(width);
  const total = Math.round((rec.durationMs * SAMPLE_RATE) / 1000);
  let inked = 0;
  for (const [leg, audio] of [['caller', rec.caller], ['bot', rec.bot]] as const) {
    const p = peaks(audio, columns, total);
    const lane = lanes[leg];
    g.fillStyle = colour[leg];
    for (let c = 0; c < columns; c++) {
      const h = Math.max(0.5, p[c]! * lane.half);
      if (p[c]! > 0.004) inked++;
      g.fillRect(c, lane.mid - h, 1, h * 2);
    }
  }
  // operator speech recoloured over the bot lane
  for (const m of marks) {
    if (m.kind !== 'reply' || !m.operator) continue;
    const p = peaks(rec.bot, columns, total);
    g.fillStyle = colour.operator;
    for (let c = Math.floor(x(m.from)); c < Math.min(columns, Math.ceil(x(m.to))); c++) {
      const h = Math.max(0.5, p[c]! * lanes.bot.half);
      g.fillRect(c, lanes.bot.mid - h, 1, h * 2);
    }
  }
  // moments on top: turns, barge-ins, marks
  g.font = '11px system-ui, sans-serif';
  for (const m of marks) {
    if (m.kind === 'turn') {
      g.fillStyle = colour.caller;
      g.fillRect(x(m.at), 4, 2, 80);
    } else if (m.kind === 'bargein') {
      g.fillStyle = colour[m.decision];
      g.fillRect(x(m.at) - 1, 4, 2, HEIGHT - 8);
      g.beginPath();
      g.arc(x(m.at), 8, 4, 0, Math.PI * 2);
      g.fill();
    } else if (m.kind === 'mark') {
      g.fillStyle = colour.mark;
      g.globalAlpha = 0.6;
      g.fillRect(x(m.at), HEIGHT - 10, 1, 8);
      g.globalAlpha = 1;
    }
  }
  // playhead
  g.fillStyle = colour.mark;
  g.fillRect(Math.min(width - 2, x(positionMs)), 0, 2, HEIGHT);
  return inked;
}

export const RecordingPlayer = memo(function RecordingPlayer({ call, events }: { call: Call; events: CallEvent[] }) {
  const monitor = useMonitor();
  const locale = useConsole((s) => s.prefs.locale);
  const presentation = useConsole((s) => s.prefs.presentation);
  const { toast } = useActions();
  const t = useCallback((key: MonitorKey, vars?: Record<string, string | number>) => monitorText(locale, key, vars), [locale]);
  const [rec, setRec] = useState<Loaded | null | 'loading' | 'none'>('loading');
  const [position, setPosition] = useState(0);
  const [playing, setPlaying] = useState(false);
  const canvas = useRef<HTMLCanvasElement>(null);
  const audio = useRef<{ ctx: AudioContext; buffer: AudioBuffer; source: AudioBufferSourceNode | null; from: number; at: number } | null>(null);
  const [inked, setInked] = useState(0);

  useEffect(() => {
    if (!monitor) return;
    let live = true;
    setRec('loading');
    monitor.port.getRecording(call.callSid).then(
      (r) => {
        if (!live) return;
        if (!r) return setRec('none');
        const caller = fromBase64(r.caller);
        const bot = fromBase64(r.bot);
        const samples = Math.max(caller.length, bot.length);
        setRec({ startedAt: r.startedAt, caller, bot, complete: r.complete, durationMs: Math.max(1, (samples * 1000) / SAMPLE_RATE) });
      },
      () => live && setRec('none'),
    );
    return () => {
      live = false;
    };
  }, [monitor, call.callSid]);

  const marks = useMemo(() => (rec && typeof rec === 'object' ? moments(events, rec.startedAt, rec.durationMs) : []), [events, rec]);

  useEffect(() => {
    if (!rec || typeof rec !== 'object' || !canvas.current) return;
    const el = canvas.current;
    const paint = () => setInked(draw(el, rec, marks, position));
    paint();
    const ro = typeof ResizeObserver === 'undefined' ? null : new ResizeObserver(paint);
    ro?.observe(el);
    return () => ro?.disconnect();
  }, [rec, marks, position]);

  const stopSource = () => {
    const a = audio.current;
    if (!a?.source) return;
    a.source.onended = null;
    a.source.stop();
    a.source = null;
  };

  useEffect(
    () => () => {
      stopSource();
      void audio.current?.ctx.close().catch(() => undefined);
      audio.current = null;
    },
    [],
  );

  useEffect(() => {
    if (!playing) return;
    let frame = 0;
    const tick = () => {
      const a = audio.current;
      if (a) setPosition(Math.min(a.buffer.duration * 1000, a.from + (a.ctx.currentTime - a.at) * 1000));
      frame = requestAnimationFrame(tick);
    };
    frame = requestAnimationFrame(tick);
    return () => cancelAnimationFrame(frame);
  }, [playing]);

  if (!monitor) return null;
  if (rec === 'loading') return <div className="player player-empty" data-testid="recording-player" data-state="loading">{t('player.loading')}</div>;
  if (rec === 'none' || !rec) return <div className="player player-empty" data-testid="recording-player" data-state="none">{t('player.none')}</div>;
  const loaded = rec;

  const playFrom = (ms: number) => {
    const make = monitor.audioContext ?? browserAudioContext;
    if (!audio.current) {
      const ctx = make();
      if (!ctx) return;
      const frames = Math.max(loaded.caller.length, loaded.bot.length);
      const buffer = ctx.createBuffer(2, Math.max(1, frames), SAMPLE_RATE);
      const left = new Float32Array(frames);
      const right = new Float32Array(frames);
      mulawToFloat(loaded.caller, left.subarray(0, loaded.caller.length));
      mulawToFloat(loaded.bot, right.subarray(0, loaded.bot.length));
      buffer.copyToChannel(left, 0);
      buffer.copyToChannel(right, 1);
      audio.current = { ctx, buffer, source: null, from: 0, at: 0 };
    }
    const a = audio.current;
    stopSource();
    void a.ctx.resume().catch(() => undefined);
    const source = a.ctx.createBufferSource();
    source.buffer = a.buffer;
    source.connect(a.ctx.destination);
    const from = Math.max(0, Math.min(ms, loaded.durationMs - 1));
    source.start(0, from / 1000);
    source.onended = () => {
      setPlaying(false);
      setPosition(loaded.durationMs);
    };
    a.source = source;
    a.from = from;
    a.at = a.ctx.currentTime;
    setPosition(from);
    setPlaying(true);
  };
  const pause = () => {
    stopSource();
    setPlaying(false);
  };
  const seek = (ms: number) => {
    const to = Math.max(0, Math.min(loaded.durationMs, ms));
    if (playing) playFrom(to);
    else setPosition(to);
  };
  const exportWav = async (encoding: WavEncoding) => {
    try {
      const b64 = await monitor.port.exportRecording(call.callSid, encoding);
      if (!b64) return toast('error', t('player.none'));
      const file = `front-door-call-${call.callSid}-${encoding}.wav`;
      monitor.save(file, fromBase64(b64), 'audio/wav');
      toast('ok', t('player.exported', { file }));
    } catch (err) {
      toast('error', err instanceof Error ? err.message : String(err));
    }
  };
  const who = displayNumber(call, presentation);
  return (
    <section className="player" data-testid="recording-player" data-state={playing ? 'playing' : 'ready'} data-duration-ms={Math.round(loaded.durationMs)} data-position-ms={Math.round(position)} data-inked={inked} aria-label={t('player.title')}>
      <div className="player-bar">
        <button type="button" className="btn btn-primary player-play" onClick={() => (playing ? pause() : playFrom(position >= loaded.durationMs - 1 ? 0 : position))}>
          {playing ? <PauseIcon size={14} /> : <PlayIcon size={14} />}
          {playing ? t('player.pause') : t('player.play')}
        </button>
        <span className="player-time mono">
          {clock(position)} / {clock(loaded.durationMs)}
        </span>
        <span className="player-title">
          {t('player.title')} · <span className="mono">{who}</span>
          {!loaded.complete ? <span className="chip chip-warn">{t('player.partial')}</span> : null}
        </span>
        <span className="player-exports">
          <button type="button" className="btn btn-secondary" onClick={() => void exportWav('mulaw')}>
            <DownloadIcon size={14} />
            {t('player.export.mulaw')}
          </button>
          <button type="button" className="btn btn-secondary" onClick={() => void exportWav('pcm16')}>
            <DownloadIcon size={14} />
            {t('player.export.pcm16')}
          </button>
        </span>
      </div>
      <div className="player-wave">
        <span className="player-lane player-lane-caller">{t('player.caller')}</span>
        <span className="player-lane player-lane-bot">{t('player.bot')}</span>
        <canvas
          ref={canvas}
          className="player-canvas"
          style={{ height: HEIGHT }}
          role="slider"
          tabIndex={0}
          aria-label={t('player.seek')}
          aria-valuemin={0}
          aria-valuemax={Math.round(loaded.durationMs / 1000)}
          aria-valuenow={Math.round(position / 1000)}
          aria-valuetext={`${clock(position)} / ${clock(loaded.durationMs)}`}
          onClick={(e) => {
            const box = e.currentTarget.getBoundingClientRect();
            seek(((e.clientX - box.left) / box.width) * loaded.durationMs);
          }}
          onKeyDown={(e) => {
            if (e.key === 'ArrowRight') seek(position + 5000);
            else if (e.key === 'ArrowLeft') seek(position - 5000);
            else if (e.key === ' ') {
              e.preventDefault();
              if (playing) pause();
              else playFrom(position);
            }
          }}
        />
      </div>
      <div className="legend player-legend">
        <span className="lg lg-turn">{t('player.legend.turn')}</span>
        <span className="lg lg-reply">{t('player.legend.reply')}</span>
        <span className="lg lg-operator">{t('player.legend.operator')}</span>
        <span className="lg lg-bargein">{t('player.legend.bargein')}</span>
        <span className="lg lg-mark">{t('player.legend.mark')}</span>
      </div>
    </section>
  );
});
