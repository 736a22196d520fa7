/**
 * io/plot.ts — small dependency-free SVG line charts for training curves (loss vs step, eval
 * metrics vs step). One panel per metric, stacked vertically; series share a panel's axes.
 */
import { readFileSync } from 'node:fs';
import { writeFileAtomic } from './atomic.js';

export interface Series { name: string; points: readonly (readonly [number, number])[] }
export interface Panel { title: string; series: readonly Series[]; logY?: boolean }

const W = 640, H = 220, M = { l: 60, r: 16, t: 26, b: 30 };
const COLORS = ['#1f77b4', '#d62728', '#2ca02c', '#ff7f0e', '#9467bd', '#8c564b'];

function esc(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** ~5 round tick values covering [lo, hi]. */
export function ticks(lo: number, hi: number, n = 5): number[] {
  if (!(hi > lo)) return [lo];
  const raw = (hi - lo) / n, mag = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * mag).find((s) => s >= raw) ?? 10 * mag;
  const out: number[] = [];
  for (let v = Math.ceil(lo / step) * step; v <= hi + step * 1e-9; v += step) out.push(Number(v.toPrecision(12)));
  return out;
}

function fmt(v: number): string {
  const a = Math.abs(v);
  return a !== 0 && (a >= 1e5 || a < 1e-3) ? v.toExponential(1) : String(Number(v.toPrecision(4)));
}

function panelSvg(p: Panel, y0: number): string {
  const pts = p.series.flatMap((s) => s.points).filter(([x, y]) => Number.isFinite(x) && Number.isFinite(y) && (!p.logY || y > 0));
  const parts = [`<text x="${W / 2}" y="${y0 + 17}" text-anchor="middle" font-size="13">${esc(p.title)}</text>`];
  if (pts.length === 0) return parts.concat(`<text x="${W / 2}" y="${y0 + H / 2}" text-anchor="middle" font-size="12">no data yet</text>`).join('');
  const fy = (y: number) => (p.logY ? Math.log10(y) : y);
  let [xl, xh] = [Math.min(...pts.map((q) => q[0])), Math.max(...pts.map((q) => q[0]))];
  let [yl, yh] = [Math.min(...pts.map((q) => fy(q[1]))), Math.max(...pts.map((q) => fy(q[1])))];
  if (xh === xl) { xl -= 1; xh += 1; }
  if (yh === yl) { yl -= 1; yh += 1; }
  const pad = (yh - yl) * 0.05;
  yl -= pad; yh += pad;
  const sx = (x: number) => M.l + ((x - xl) / (xh - xl)) * (W - M.l - M.r);
  const sy = (v: number) => y0 + M.t + (1 - (v - yl) / (yh - yl)) * (H - M.t - M.b);
  parts.push(`<rect x="${M.l}" y="${y0 + M.t}" width="${W - M.l - M.r}" height="${H - M.t - M.b}" fill="none" stroke="#999"/>`);
  for (const t of ticks(xl, xh)) {
    parts.push(`<text x="${sx(t).toFixed(1)}" y="${y0 + H - 12}" text-anchor="middle" font-size="10">${fmt(t)}</text>`);
  }
  const yt = p.logY ? ticks(yl, yh).filter((t) => Number.isInteger(t) || ticks(yl, yh).length < 3) : ticks(yl, yh);
  for (const t of yt) {
    const y = sy(t).toFixed(1);
    parts.push(`<line x1="${M.l}" x2="${W - M.r}" y1="${y}" y2="${y}" stroke="#eee"/>`,
      `<text x="${M.l - 4}" y="${y}" text-anchor="end" dominant-baseline="middle" font-size="10">${fmt(p.logY ? 10 ** t : t)}</text>`);
  }
  p.series.forEach((s, i) => {
    const good = s.points.filter(([x, y]) => Number.isFinite(x) && Number.isFinite(y) && (!p.logY || y > 0));
    const d = good.map(([x, y], j) => `${j ? 'L' : 'M'}${sx(x).toFixed(1)},${sy(fy(y)).toFixed(1)}`).join('');
    const col = COLORS[i % COLORS.length];
    if (good.length > 1) parts.push(`<path d="${d}" fill="none" stroke="${col}" stroke-width="1.5"/>`);
    else if (good.length === 1) parts.push(`<circle cx="${sx(good[0][0]).toFixed(1)}" cy="${sy(fy(good[0][1])).toFixed(1)}" r="3" fill="${col}"/>`);
    parts.push(`<text x="${W - M.r - 4}" y="${y0 + M.t + 14 + 13 * i}" text-anchor="end" font-size="11" fill="${col}">${esc(s.name)}</text>`);
  });
  return parts.join('');
}

/** Stacked panels -> a standalone SVG document. */
export function plotSvg(panels: readonly Panel[]): string {
  const body = panels.map((p, i) => panelSvg(p, i * H)).join('\n');
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H * panels.length}" font-family="sans-serif">`
    + `<rect width="100%" height="100%" fill="white"/>\n${body}\n</svg>\n`;
}

/** Exponential moving average of a series' y values (for noisy per-step losses). */
export function smooth(points: readonly (readonly [number, number])[], alpha = 0.05): [number, number][] {
  let m = Number.NaN;
  return points.map(([x, y]) => {
    m = Number.isNaN(m) ? y : m + alpha * (y - m);
    return [x, m];
  });
}

export interface LogPanel { title: string; logY?: boolean; keys: { key: string; name: string; smooth?: boolean }[] }

/** Render a JSONL training log (rows with `step` and metric keys) to an SVG file, atomically. */
export function plotJsonl(logPath: string, svgPath: string, panels: readonly LogPanel[]): void {
  const rows = readFileSync(logPath, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as Record<string, number>);
  const pick = (k: string): [number, number][] => rows.filter((r) => r[k] !== undefined).map((r) => [r.step, r[k]]);
  writeFileAtomic(svgPath, Buffer.from(plotSvg(panels.map((p) => ({
    title: p.title, logY: p.logY, series: p.keys.map((k) => ({ name: k.name, points: k.smooth ? smooth(pick(k.key)) : pick(k.key) })),
  }))), 'utf8'));
}
