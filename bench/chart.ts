/**
 * A plain SVG (no dependency) of time-to-first-chunk distributions per agent kind: for each kind, one row per
 * measurement — direct SDK stream, the floor (direct + the raw DynamoDB requests a turn cannot skip), the
 * converse handler in-process and POST /converse through local HTTP —
 * each drawn as every sample (a tick), the p10–p90 box and the p50 mark, on one shared millisecond axis.
 */
import { percentile } from './stats';

export interface ChartGroup {
  label: string;
  rows: { label: string; samples: number[]; color: string }[];
}

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

export function ttfcSvg(groups: ChartGroup[], title: string): string {
  const all = groups.flatMap((g) => g.rows.flatMap((r) => r.samples)).filter(Number.isFinite);
  // The axis ends at the largest p99 (outliers beyond it are drawn pinned to the edge), so the bulk stays readable.
  const max = Math.max(...groups.flatMap((g) => g.rows.map((r) => percentile(r.samples, 99))), 1);
  const top = Math.ceil(max / 5) * 5;
  const left = 200;
  const width = 900;
  const plotW = width - left - 30;
  const rowH = 22;
  const groupGap = 18;
  const head = 50;
  const labelH = 18;
  const height = head + groups.length * (labelH + groups[0]!.rows.length * rowH + groupGap) + 40;
  const x = (ms: number) => left + (Math.min(ms, top) / top) * plotW;
  const out: string[] = [];
  out.push(
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif" font-size="12">`,
  );
  out.push(`<rect width="100%" height="100%" fill="#fff"/>`);
  out.push(`<text x="${width / 2}" y="20" text-anchor="middle" font-size="14" font-weight="bold">${esc(title)}</text>`);
  out.push(
    `<text x="${width / 2}" y="36" text-anchor="middle" fill="#555">ticks: samples · box: p10–p90 · bar: p50 (${all.length} samples; beyond ${top} ms drawn at the edge)</text>`,
  );
  const axisY = height - 30;
  const step = top <= 20 ? 2 : top <= 50 ? 5 : 10;
  for (let v = 0; v <= top; v += step) {
    out.push(`<line x1="${x(v)}" x2="${x(v)}" y1="${head - 6}" y2="${axisY}" stroke="#eee"/>`);
    out.push(`<text x="${x(v)}" y="${axisY + 14}" text-anchor="middle" fill="#333">${v}</text>`);
  }
  out.push(`<text x="${left + plotW / 2}" y="${axisY + 28}" text-anchor="middle" fill="#333">time to first chunk, ms</text>`);
  let y = head;
  for (const g of groups) {
    out.push(`<text x="8" y="${y + 12}" font-weight="bold">${esc(g.label)}</text>`);
    y += labelH;
    for (const r of g.rows) {
      const cy = y + rowH / 2;
      const s = r.samples.filter(Number.isFinite);
      out.push(`<text x="${left - 8}" y="${cy + 4}" text-anchor="end" fill="#333">${esc(r.label)}</text>`);
      for (const v of s)
        out.push(`<line x1="${x(v).toFixed(1)}" x2="${x(v).toFixed(1)}" y1="${cy - 7}" y2="${cy + 7}" stroke="${r.color}" stroke-opacity="0.35"/>`);
      const p10 = percentile(s, 10);
      const p50 = percentile(s, 50);
      const p90 = percentile(s, 90);
      out.push(
        `<rect x="${x(p10).toFixed(1)}" y="${cy - 5}" width="${Math.max(1, x(p90) - x(p10)).toFixed(1)}" height="10" fill="${r.color}" fill-opacity="0.25" stroke="${r.color}"/>`,
      );
      out.push(`<line x1="${x(p50).toFixed(1)}" x2="${x(p50).toFixed(1)}" y1="${cy - 9}" y2="${cy + 9}" stroke="${r.color}" stroke-width="3"/>`);
      out.push(`<text x="${(x(p90) + 6).toFixed(1)}" y="${cy + 4}" fill="${r.color}">p50 ${p50.toFixed(2)}</text>`);
      y += rowH;
    }
    y += groupGap;
  }
  out.push('</svg>');
  return `${out.join('\n')}\n`;
}
