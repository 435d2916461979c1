// Frame pacing: a scrolling uPlot of each frame's lateness against the 20 ms grid, the lead we keep at
// Twilio shaded behind it, underruns marked, and the numbers beside it. Data comes from the audio
// buffers on animation frames; React only re-renders the numbers, a few times a second.
import { memo, useEffect, useRef } from 'react';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import { formatDuration, formatMs } from '../format';
import { Stat } from '../ui/Stat';
import { useT } from '../i18n/useT';
import { useBuffers, useConsole } from '../store/context';
import { cssColors, useAudioVersion, useElementSize, useFrameLoop } from './frame-loop';
import { FRAME_MS } from './parts-layout';
import { pacingNow, pacingSeries, type PacingSeries } from './pacing-series';

const WINDOW_S = 30;
const MIN_SPAN_S = 8;
const HEIGHT = 170;

function withAlpha(color: string, alpha: number): string {
  const hex = /^#([0-9a-f]{6})$/i.exec(color);
  if (!hex) return color;
  const n = parseInt(hex[1], 16);
  return `rgba(${(n >> 16) & 255}, ${(n >> 8) & 255}, ${n & 255}, ${alpha})`;
}

export const PacingChart = memo(function PacingChart({ callSid, t0, live }: { callSid: string; t0: number; live: boolean }) {
  const t = useT();
  const buffers = useBuffers();
  const theme = useConsole((s) => s.prefs.theme);
  const version = useAudioVersion(buffers, callSid, 4);
  const [wrapRef, size, host] = useElementSize<HTMLDivElement>();
  const plotRef = useRef<uPlot | null>(null);
  const series = useRef<PacingSeries | null>(null);
  const drawn = useRef({ version: -2, at: 0 });
  const audio = buffers.get(callSid);
  const windows = audio?.windows ?? [];
  const hasData = windows.length > 0;

  // (re)create the plot when the size class, theme or call changes
  useEffect(() => {
    if (!host || size.width === 0 || !hasData) return;
    const c = cssColors(host, ['text', 'muted', 'grid', 'accent', 'lead', 'danger', 'warn']);
    const underrunMarks = (u: uPlot) => {
      const s = series.current;
      const ctx = u.ctx;
      const dpr = uPlot.pxRatio;
      ctx.save();
      // the 20 ms grid: one frame late
      const y20 = u.valToPos(FRAME_MS, 'y', true);
      const y0 = u.valToPos(0, 'y', true);
      ctx.setLineDash([4 * dpr, 4 * dpr]);
      ctx.lineWidth = dpr;
      ctx.strokeStyle = c.warn;
      ctx.beginPath();
      ctx.moveTo(u.bbox.left, y20);
      ctx.lineTo(u.bbox.left + u.bbox.width, y20);
      ctx.stroke();
      ctx.strokeStyle = c.muted;
      ctx.beginPath();
      ctx.moveTo(u.bbox.left, y0);
      ctx.lineTo(u.bbox.left + u.bbox.width, y0);
      ctx.stroke();
      ctx.setLineDash([]);
      ctx.fillStyle = c.warn;
      ctx.font = `${10 * dpr}px sans-serif`;
      ctx.fillText('20 ms', u.bbox.left + 4 * dpr, y20 - 4 * dpr);
      if (s) {
        ctx.fillStyle = c.danger;
        ctx.strokeStyle = withAlpha(c.danger, 0.5);
        for (let i = 0; i < s.x.length; i++) {
          if (s.underrun[i] === null) continue;
          const x = u.valToPos(s.x[i], 'x', true);
          if (x < u.bbox.left || x > u.bbox.left + u.bbox.width) continue;
          ctx.beginPath();
          ctx.moveTo(x, u.bbox.top);
          ctx.lineTo(x, u.bbox.top + u.bbox.height);
          ctx.stroke();
          ctx.beginPath();
          ctx.moveTo(x - 5 * dpr, u.bbox.top);
          ctx.lineTo(x + 5 * dpr, u.bbox.top);
          ctx.lineTo(x, u.bbox.top + 7 * dpr);
          ctx.closePath();
          ctx.fill();
        }
      }
      ctx.restore();
    };
    const opts: uPlot.Options = {
      width: size.width,
      height: HEIGHT,
      legend: { show: false },
      cursor: { drag: { x: false, y: false }, points: { show: false } },
      scales: {
        x: { time: false },
        y: { range: (_u, min, max) => [Math.min(-5, min ?? 0), Math.max(FRAME_MS * 1.5, max ?? 0)] },
        lead: { range: (_u, _min, max) => [0, Math.max(200, (max ?? 0) * 1.15)] },
      },
      axes: [
        { stroke: c.muted, grid: { stroke: c.grid, width: 1 }, ticks: { show: false }, incrs: [1, 2, 5, 10, 15, 30, 60, 120, 300, 600], values: (_u, vals) => vals.map((v) => formatDuration(v * 1000)), font: '11px sans-serif' },
        { stroke: c.muted, grid: { stroke: c.grid, width: 1 }, ticks: { show: false }, size: 44, values: (_u, vals) => vals.map((v) => `${v}`), font: '11px sans-serif', label: 'ms', labelSize: 14, labelFont: '11px sans-serif' },
        { scale: 'lead', side: 1, stroke: c.lead, grid: { show: false }, ticks: { show: false }, size: 44, values: (_u, vals) => vals.map((v) => `${v}`), font: '11px sans-serif' },
      ],
      series: [
        {},
        { label: 'lateness', stroke: c.accent, width: 1.25, spanGaps: true, points: { show: false } },
        { label: 'lead', scale: 'lead', stroke: withAlpha(c.lead, 0.8), width: 1, fill: withAlpha(c.lead, 0.16), spanGaps: true, paths: uPlot.paths.stepped?.({ align: 1 }), points: { show: false } },
      ],
      hooks: { draw: [underrunMarks] },
    };
    const plot = new uPlot(opts, [[], [], []], host);
    plotRef.current = plot;
    drawn.current = { version: -2, at: 0 };
    return () => {
      plot.destroy();
      plotRef.current = null;
    };
  }, [size.width, theme, callSid, hasData, host]);

  useFrameLoop((time) => {
    const plot = plotRef.current;
    if (!plot) return;
    const v = buffers.version(callSid);
    const d = drawn.current;
    const fresh = d.version !== v;
    if (!fresh && !(live && time - d.at > 33)) return;
    const current = buffers.get(callSid);
    if (fresh) {
      const s = pacingSeries(
        (current?.windows ?? []).map((w) => w.window),
        t0,
      );
      series.current = s;
      plot.setData([s.x, s.lateness, s.lead] as uPlot.AlignedData, false);
      const el = plot.root as HTMLElement;
      el.dataset.samples = String(s.samples);
      el.dataset.windows = String(current?.windows.length ?? 0);
    }
    const end = live ? (Date.now() - t0) / 1000 : (series.current?.end ?? WINDOW_S);
    plot.setScale('x', { min: Math.max(0, end - WINDOW_S), max: Math.max(end, MIN_SPAN_S) });
    drawn.current = { version: v, at: time };
  });

  if (!hasData) return <div className="chart-empty">{t('audio.noPacing')}</div>;
  const now = pacingNow(windows.map((w) => w.window));
  const totals = audio!.totals;
  return (
    <div className="pacing" data-version={version}>
      <div className="chart-row">
        <div className="chart-canvas-wrap">
          <div className="pacing-plot" ref={wrapRef} data-testid="pacing-chart" role="img" aria-label={`${t('audio.pacing')}: p99 ${formatMs(now.p99)}`} />
          <div className="legend">
            <span className="lg lg-late">{t('audio.legend.lateness')}</span>
            <span className="lg lg-lead">{t('audio.legend.leadBand')}</span>
            <span className="lg lg-under">{t('audio.legend.underrun')}</span>
          </div>
        </div>
        <dl className="stats">
          <Stat hero label={t('audio.p99')} value={formatMs(now.p99)} />
          <Stat label={t('audio.p50')} value={formatMs(now.p50)} />
          <Stat label={t('audio.worst')} value={formatMs(totals.worstP99)} />
          <Stat label={t('audio.lead')} value={formatMs(now.leadMs)} />
          <Stat label={t('audio.underruns')} value={totals.underruns} bad={totals.underruns > 0} testId="underruns" />
          <Stat label={t('audio.leadAtRisk')} title={t('audio.leadAtRiskHint')} value={totals.leadAtRisk} testId="lead-at-risk" />
          <Stat label={t('audio.marks')} title="sent / played / cleared" value={`${totals.marksSent}/${totals.marksPlayed}/${totals.marksCleared}`} />
          <Stat label={t('audio.frames')} value={totals.frames.toLocaleString()} />
        </dl>
      </div>
    </div>
  );
});
