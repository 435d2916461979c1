// Draws the TTS parts waterfall on a 2D canvas. Hand-written: uPlot has no range-bar (Gantt) series,
// and a waterfall of a dozen bars is a few rectangles.
import { niceStep, type ReplyLayout } from './parts-layout';

export interface PartsPalette {
  text: string;
  muted: string;
  grid: string;
  landed: string;
  queued: string;
  sent: string;
  gap: string;
  marker: string;
  accent: string;
  danger: string;
}

export const PARTS_ROW_H = 18;
export const PARTS_PAD = { left: 44, right: 12, top: 22, bottom: 20 };

export function partsHeight(rows: number): number {
  return PARTS_PAD.top + PARTS_PAD.bottom + Math.max(3, rows) * PARTS_ROW_H;
}

/** Returns the number of part bars drawn. */
export function drawParts(ctx: CanvasRenderingContext2D, width: number, height: number, layout: ReplyLayout, colors: PartsPalette, font: string): number {
  ctx.clearRect(0, 0, width, height);
  if (layout.rows.length === 0) return 0;
  const plotW = Math.max(10, width - PARTS_PAD.left - PARTS_PAD.right);
  const x = (ms: number) => PARTS_PAD.left + (Math.max(0, ms) / layout.span) * plotW;
  const bottom = height - PARTS_PAD.bottom;
  ctx.font = `11px ${font}`;
  ctx.textBaseline = 'middle';

  // time grid
  const step = niceStep(layout.span, Math.max(2, Math.floor(plotW / 80)));
  ctx.strokeStyle = colors.grid;
  ctx.fillStyle = colors.muted;
  ctx.lineWidth = 1;
  ctx.textAlign = 'center';
  for (let ms = 0; ms <= layout.span; ms += step) {
    const gx = Math.round(x(ms)) + 0.5;
    ctx.beginPath();
    ctx.moveTo(gx, PARTS_PAD.top - 4);
    ctx.lineTo(gx, bottom);
    ctx.stroke();
    const label = ms >= 1000 ? `${(ms / 1000).toFixed(ms % 1000 ? 1 : 0)} s` : `${ms} ms`;
    const half = ctx.measureText(label).width / 2;
    ctx.fillText(label, Math.min(gx, width - half - 2), bottom + 10);
  }

  // gaps: red bands across the plot
  for (const gap of layout.gaps) {
    ctx.fillStyle = colors.gap;
    ctx.globalAlpha = 0.22;
    ctx.fillRect(x(gap.from), PARTS_PAD.top - 4, Math.max(2, x(gap.to) - x(gap.from)), bottom - PARTS_PAD.top + 4);
    ctx.globalAlpha = 1;
  }

  // underruns: red ticks on the axis
  ctx.fillStyle = colors.danger;
  for (const at of layout.underrunsAt) {
    const ux = x(at);
    ctx.beginPath();
    ctx.moveTo(ux, bottom);
    ctx.lineTo(ux - 4, bottom + 6);
    ctx.lineTo(ux + 4, bottom + 6);
    ctx.closePath();
    ctx.fill();
  }

  // TTFA
  if (layout.ttfaMs !== undefined) {
    const tx = Math.round(x(layout.ttfaMs)) + 0.5;
    ctx.strokeStyle = colors.accent;
    ctx.setLineDash([3, 3]);
    ctx.beginPath();
    ctx.moveTo(tx, PARTS_PAD.top - 6);
    ctx.lineTo(tx, bottom);
    ctx.stroke();
    ctx.setLineDash([]);
    ctx.fillStyle = colors.accent;
    ctx.textAlign = tx > width - 90 ? 'right' : 'left';
    ctx.fillText(`TTFA ${Math.round(layout.ttfaMs)} ms`, tx + (ctx.textAlign === 'right' ? -4 : 4), PARTS_PAD.top - 12);
  }

  let drawn = 0;
  layout.rows.forEach((row, i) => {
    const cy = PARTS_PAD.top + i * PARTS_ROW_H + PARTS_ROW_H / 2;
    const h = PARTS_ROW_H - 6;
    ctx.textAlign = 'right';
    ctx.fillStyle = row.error ? colors.danger : colors.muted;
    ctx.fillText(`part${row.part}`, PARTS_PAD.left - 6, cy);
    // landed → seen (waiting to be noticed)
    ctx.fillStyle = colors.landed;
    ctx.fillRect(x(row.landed), cy - h / 4, Math.max(1, x(row.seen) - x(row.landed)), h / 2);
    if (row.first !== undefined) {
      ctx.fillStyle = colors.queued;
      ctx.fillRect(x(row.seen), cy - h / 4, Math.max(1, x(row.first) - x(row.seen)), h / 2);
    }
    if (row.first !== undefined && row.last !== undefined) {
      ctx.fillStyle = row.error ? colors.danger : colors.sent;
      ctx.globalAlpha = row.projected ? 0.55 : 1;
      ctx.fillRect(x(row.first), cy - h / 2, Math.max(2, x(row.last) - x(row.first)), h);
      ctx.globalAlpha = 1;
      if (row.cut) {
        ctx.fillStyle = colors.danger;
        ctx.fillRect(x(row.last) - 1, cy - h / 2 - 2, 3, h + 4);
      }
      drawn++;
    } else if (row.error) {
      ctx.fillStyle = colors.danger;
      ctx.fillRect(x(row.seen), cy - h / 2, 6, h);
      drawn++;
    }
    // markers: seen (tick) and first frame (diamond)
    ctx.strokeStyle = colors.marker;
    ctx.lineWidth = 1.5;
    const sx = Math.round(x(row.seen)) + 0.5;
    ctx.beginPath();
    ctx.moveTo(sx, cy - h / 2 - 1);
    ctx.lineTo(sx, cy + h / 2 + 1);
    ctx.stroke();
    if (row.first !== undefined) {
      const fx = x(row.first);
      ctx.fillStyle = colors.marker;
      ctx.beginPath();
      ctx.moveTo(fx, cy - 4);
      ctx.lineTo(fx + 4, cy);
      ctx.lineTo(fx, cy + 4);
      ctx.lineTo(fx - 4, cy);
      ctx.closePath();
      ctx.fill();
    }
    ctx.lineWidth = 1;
  });
  return drawn;
}
