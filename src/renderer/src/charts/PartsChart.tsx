// TTS part arrival per reply: a waterfall drawn from the audio buffers on animation frames, with
// reply chips and the numbers beside it (TTFA, parts, worst S3 lag, gaps).
import { memo, useMemo, useRef, useState } from 'react';
import type { TtsPart } from '../../../shared/model';
import { formatMs } from '../format';
import { Stat } from '../ui/Stat';
import { useT } from '../i18n/useT';
import { useBuffers, useConsole } from '../store/context';
import type { CallAudio, ReplyInfo } from '../store/audio-buffers';
import { drawParts, partsHeight, type PartsPalette } from './draw-parts';
import { cssColors, useAudioVersion, useElementSize, useFrameLoop } from './frame-loop';
import { layoutReply, worstS3Lag, type ReplyLayout } from './parts-layout';

interface Summary {
  rows: number;
  ttfaMs?: number;
  lagMs?: number;
  gaps: number;
}
const EMPTY_SUMMARY: Summary = { rows: 0, gaps: 0 };

const PALETTE_VARS = ['text', 'muted', 'grid', 'landed', 'queued', 'sent', 'gap', 'marker', 'accent', 'danger'] as const;

function partsOf(audio: CallAudio | undefined, replyId: string | undefined): TtsPart[] {
  if (!audio || !replyId) return [];
  const out: TtsPart[] = [];
  for (const p of audio.parts.values()) if (p.replyId === replyId) out.push(p);
  return out;
}

function repliesOf(audio: CallAudio | undefined): ReplyInfo[] {
  if (!audio) return [];
  return [...audio.replies.values()].filter((r) => r.startedAt !== undefined || r.status !== 'unknown' || [...audio.parts.values()].some((p) => p.replyId === r.replyId));
}

export const PartsChart = memo(function PartsChart({ callSid }: { callSid: string }) {
  const t = useT();
  const buffers = useBuffers();
  const theme = useConsole((s) => s.prefs.theme);
  const version = useAudioVersion(buffers, callSid, 4);
  const [picked, setPicked] = useState<string | null>(null);
  const audio = buffers.get(callSid);
  const replies = useMemo(() => repliesOf(audio), [audio, version]);
  const replyId = picked && replies.some((r) => r.replyId === picked) ? picked : replies[replies.length - 1]?.replyId;
  const reply = replies.find((r) => r.replyId === replyId);
  // the numbers beside the chart come from the very layout the frame loop drew
  const [summary, setSummary] = useState<Summary>(EMPTY_SUMMARY);
  const [wrapRef, size] = useElementSize<HTMLDivElement>();
  const canvasRef = useRef<HTMLCanvasElement>(null);
  const drawn = useRef({ version: -2, width: 0, theme: '', replyId: '', at: 0 });
  const palette = useRef<PartsPalette | null>(null);
  const layoutLive = useRef(false);
  const rows = summary.rows;
  const height = partsHeight(rows);

  useFrameLoop((time) => {
    const canvas = canvasRef.current;
    if (!canvas || !reply || size.width === 0) return;
    const v = buffers.version(callSid);
    const d = drawn.current;
    const fresh = d.version !== v || d.width !== size.width || d.theme !== theme || d.replyId !== reply.replyId;
    const sending = d.at > 0 && time - d.at > 100 && layoutLive.current;
    if (!fresh && !sending) return;
    const current = buffers.get(callSid);
    const lay: ReplyLayout = layoutReply(current?.replies.get(reply.replyId) ?? reply, partsOf(current, reply.replyId), current?.windows.map((w) => w.window) ?? [], Date.now());
    layoutLive.current = lay.stillSending;
    const dpr = window.devicePixelRatio || 1;
    const h = partsHeight(lay.rows.length);
    if (canvas.width !== Math.round(size.width * dpr) || canvas.height !== Math.round(h * dpr)) {
      canvas.width = Math.round(size.width * dpr);
      canvas.height = Math.round(h * dpr);
    }
    const ctx = canvas.getContext('2d');
    if (!ctx) return;
    if (!palette.current || d.theme !== theme) palette.current = cssColors(canvas, PALETTE_VARS) as unknown as PartsPalette;
    ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
    const bars = drawParts(ctx, size.width, h, lay, palette.current, getComputedStyle(canvas).fontFamily || 'sans-serif');
    canvas.dataset.drawn = String(bars);
    canvas.dataset.parts = String(lay.rows.length);
    drawn.current = { version: v, width: size.width, theme, replyId: reply.replyId, at: time };
    const next: Summary = { rows: lay.rows.length, ttfaMs: lay.ttfaMs, lagMs: worstS3Lag(lay.rows), gaps: lay.gaps.length };
    setSummary((prev) => (prev.rows === next.rows && prev.ttfaMs === next.ttfaMs && prev.lagMs === next.lagMs && prev.gaps === next.gaps ? prev : next));
  });

  if (replies.length === 0) return <div className="chart-empty">{t('audio.noParts')}</div>;
  return (
    <div className="parts">
      <div className="reply-chips" role="tablist" aria-label={t('audio.reply')}>
        {replies.slice(-8).map((r, i, shown) => (
          <button
            key={r.replyId}
            type="button"
            role="tab"
            aria-selected={r.replyId === replyId}
            className={`reply-chip${r.replyId === replyId ? ' on' : ''}${r.status === 'failed' ? ' failed' : ''}${r.bargein ? ' cut' : ''}`}
            onClick={() => setPicked(i === shown.length - 1 ? null : r.replyId)}
            title={r.text}
          >
            {t('audio.reply')} {replies.length - shown.length + i + 1}
          </button>
        ))}
      </div>
      <div className="chart-row">
        <div className="chart-canvas-wrap" ref={wrapRef}>
          {rows === 0 ? <div className="chart-overlay">{reply?.status === 'failed' ? t('conv.ttsFailed', { error: reply.error ?? '' }) : t('audio.waiting')}</div> : null}
          <canvas ref={canvasRef} className="parts-canvas" style={{ width: '100%', height }} data-testid="parts-chart" data-replies={replies.length} role="img" aria-label={`${t('audio.parts')}: ${rows} ${t('audio.parts.count')}`} />
          <div className="legend">
            <span className="lg lg-landed">{t('audio.legend.landed')}</span>
            <span className="lg lg-queued">{t('audio.legend.queued')}</span>
            <span className="lg lg-sent">{t('audio.legend.sent')}</span>
            <span className="lg lg-gap">{t('audio.legend.gap')}</span>
          </div>
        </div>
        <dl className="stats">
          <Stat hero label={t('audio.ttfa')} value={formatMs(summary.ttfaMs)} />
          <Stat label={t('audio.parts.count')} value={rows} />
          <Stat label={t('audio.s3Requests')} value={formatMs(summary.lagMs)} />
          <Stat label={t('audio.gaps')} value={summary.gaps} bad={summary.gaps > 0} />
        </dl>
      </div>
    </div>
  );
});
