/**
 * data/sheet.ts — contact sheets: a grid of record images (upscaled, pixelated) with their
 * source/style and first caption underneath, drawn as one SVG and rasterised by resvg with the
 * Roboto font shipped in @expo-google-fonts/roboto (no system fonts needed).
 */
import { join } from 'node:path';
import { Resvg } from '@resvg/resvg-js';
import { packageDir } from './packages.js';
import type { DataRecord } from './record.js';

export interface SheetOptions {
  cols?: number;
  /** Displayed image side in pixels (images are scaled up without smoothing). */
  cell?: number;
  /** Text lines under each image. */
  lines?: number;
}

function fontFile(): string {
  return join(packageDir('@expo-google-fonts/roboto'), '400Regular', 'Roboto_400Regular.ttf');
}

/** XML-escaped text; characters XML forbids (control codes a model may generate) become U+FFFD. */
function escapeXml(s: string): string {
  // eslint-disable-next-line no-control-regex
  return s.replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]/g, '\ufffd').replace(/[<>&'"]/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', "'": '&apos;', '"': '&quot;' }[c] as string));
}

/** Greedy word wrap to `width` characters, at most `lines` lines (the last one ellipsised). */
export function wrap(text: string, width: number, lines: number): string[] {
  const out: string[] = [];
  let cur = '';
  for (const w of text.split(/\s+/)) {
    const next = cur ? `${cur} ${w}` : w;
    if (next.length <= width) { cur = next; continue; }
    if (cur) out.push(cur);
    cur = w.length > width ? `${w.slice(0, width - 1)}…` : w;
  }
  if (cur) out.push(cur);
  if (out.length > lines) {
    out.length = lines;
    out[lines - 1] = `${out[lines - 1].slice(0, width - 1)}…`;
  }
  return out;
}

/** One grid cell: an image, a grey header line and wrapped body text. */
export interface GridCell { image: Uint8Array; head: string; text: string }

/** PNG bytes of a grid of records with their source/style, split and first caption. */
export function contactSheet(records: readonly DataRecord[], o: SheetOptions = {}): Uint8Array {
  return imageGrid(records.map((r) => ({
    image: r.image,
    head: `${r.style}${r.edit ? ' edit' : ''} · ${r.split.replace('heldout-', 'held-out ')}`,
    text: r.edit ? `"${r.edit.instruction}" -> ${r.captions[0]}` : r.captions[0],
  })), o);
}

/** PNG bytes of a grid of PNG images, each with a header line and wrapped text underneath. */
export function imageGrid(cells: readonly GridCell[], o: SheetOptions = {}): Uint8Array {
  const cols = o.cols ?? 8, cell = o.cell ?? 128, lines = o.lines ?? 3;
  const fontSize = 11, lineH = 13, pad = 6;
  const cw = cell + 2 * pad, ch = cell + pad * 2 + (lines + 1) * lineH;
  const rows = Math.max(1, Math.ceil(cells.length / cols));
  const parts: string[] = [];
  cells.forEach((r, i) => {
    const x = (i % cols) * cw + pad, y = Math.floor(i / cols) * ch + pad;
    const href = `data:image/png;base64,${Buffer.from(r.image).toString('base64')}`;
    parts.push(`<image x="${x}" y="${y}" width="${cell}" height="${cell}" href="${href}" style="image-rendering:pixelated"/>`);
    const width = Math.floor(cell / 5.6);
    const text = [wrap(r.head, width, 1)[0] ?? '', ...wrap(r.text, width, lines)];
    text.forEach((t, k) => {
      const fill = k === 0 ? '#666' : '#111';
      parts.push(`<text x="${x}" y="${y + cell + lineH * (k + 1)}" font-family="Roboto" font-size="${fontSize}" fill="${fill}">${escapeXml(t)}</text>`);
    });
  });
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${cols * cw}" height="${rows * ch}">` +
    `<rect width="100%" height="100%" fill="#fff"/>${parts.join('')}</svg>`;
  const png = new Resvg(svg, { font: { fontFiles: [fontFile()], loadSystemFonts: false, defaultFontFamily: 'Roboto' } }).render().asPng();
  return new Uint8Array(png);
}
