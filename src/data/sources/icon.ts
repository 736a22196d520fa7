/**
 * data/sources/icon.ts — Tabler icons (MIT, @tabler/icons): one item per icon and variant
 * (outline / filled), recoloured with a seeded palette colour and, for outline icons, a seeded
 * stroke width; rendered on white with a 10% margin so thick strokes are never clipped.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { packageDir } from '../packages.js';
import type { Licence, Skipped, Source, SourceItem, SourceOptions } from '../record.js';
import { article, cleanCaptions, itemRng, joinList, pick, sample } from '../captions.js';
import { encodePng, svgToRgb } from '../image.js';

export type IconVariant = 'outline' | 'filled';

/** Named colours that read well on white (the yellow is a dark gold on purpose). */
export const ICON_PALETTE: readonly { name: string; hex: string }[] = [
  { name: 'black', hex: '#000000' },
  { name: 'red', hex: '#d62828' },
  { name: 'orange', hex: '#e8710a' },
  { name: 'yellow', hex: '#c99a00' },
  { name: 'green', hex: '#2b9348' },
  { name: 'teal', hex: '#0f8b8d' },
  { name: 'blue', hex: '#1f5fd1' },
  { name: 'purple', hex: '#7b2cbf' },
  { name: 'pink', hex: '#d63384' },
  { name: 'brown', hex: '#8b5a2b' },
  { name: 'grey', hex: '#6c757d' },
];

export const ICON_STROKE_WIDTHS: readonly number[] = [1, 1.5, 2, 2.5, 3];

/** Stroke width -> thickness word. */
export function thicknessWord(w: number): 'thin' | 'regular' | 'bold' {
  return w < 2 ? 'thin' : w > 2 ? 'bold' : 'regular';
}

/** Fraction of the icon's side added as blank margin on each side. */
const MARGIN = 0.1;

const LICENCE: Licence = {
  spdx: 'MIT',
  attribution: 'Tabler Icons by Paweł Kuna',
  url: 'https://github.com/tabler/tabler-icons',
};

interface IconMeta { name: string; category: string; tags: string[]; styles: Record<string, unknown> }
interface IconEntry { meta: IconMeta; variant: IconVariant }

/** Words for captions from a kebab-case name ("brand-github" -> "github logo"). */
export function iconWords(name: string): string {
  const words = name.split('-').filter((w) => w.length > 0);
  if (words[0] === 'brand' && words.length > 1) return `${words.slice(1).join(' ')} logo`;
  return words.join(' ');
}

/** Recolour (currentColor -> hex), set the stroke width (outline) and add the margin. */
export function prepareIconSvg(svg: string, hex: string, strokeWidth: number | null): string {
  let out = svg.replace(/currentColor/g, hex);
  const open = out.match(/<svg\b[^>]*>/);
  if (!open) throw new Error('no <svg> element');
  let tag = open[0];
  const vb = tag.match(/viewBox="([^"]*)"/);
  const nums = (vb ? vb[1] : '0 0 24 24').trim().split(/[\s,]+/).map(Number);
  if (nums.length !== 4 || nums.some((n) => !Number.isFinite(n)) || nums[2] <= 0 || nums[3] <= 0) {
    throw new Error(`bad viewBox "${vb?.[1]}"`);
  }
  const [x, y, w, h] = nums;
  const side = Math.max(w, h), m = side * MARGIN;
  const box = [x - (side - w) / 2 - m, y - (side - h) / 2 - m, side + 2 * m, side + 2 * m].map((v) => +v.toFixed(4));
  tag = tag.replace(/\s(width|height|viewBox)="[^"]*"/g, '');
  tag = tag.replace(/<svg\b/, `<svg viewBox="${box.join(' ')}" width="${box[2]}" height="${box[3]}"`);
  if (strokeWidth !== null) {
    tag = /\sstroke-width="[^"]*"/.test(tag)
      ? tag.replace(/\sstroke-width="[^"]*"/, ` stroke-width="${strokeWidth}"`)
      : tag.replace(/<svg\b/, `<svg stroke-width="${strokeWidth}"`);
  }
  // An opaque white backdrop: resvg's pixels are premultiplied, and an opaque render composites
  // identically whether or not the caller un-premultiplies, so edges stay white/colour blends.
  const bg = `<rect x="${box[0]}" y="${box[1]}" width="${box[2]}" height="${box[3]}" fill="#ffffff" stroke="none"/>`;
  return out.slice(0, open.index) + tag + bg + out.slice((open.index ?? 0) + open[0].length);
}

/** Merge outline and filled lists proportionally so any prefix holds both variants. */
function interleave(outline: IconMeta[], filled: IconMeta[]): IconEntry[] {
  const out: IconEntry[] = [];
  let i = 0, j = 0;
  while (i < outline.length || j < filled.length) {
    const takeOutline = j >= filled.length
      || (i < outline.length && i * filled.length <= j * outline.length);
    if (takeOutline) out.push({ meta: outline[i++], variant: 'outline' });
    else out.push({ meta: filled[j++], variant: 'filled' });
  }
  return out;
}

function iconCaptions(opts: {
  words: string; category: string; tags: string[]; variant: IconVariant;
  colour: string; thickness: string | null; rng: ReturnType<typeof itemRng>;
}): string[] {
  const { words, category, tags, variant, colour, thickness, rng } = opts;
  const cat = category.toLowerCase();
  const aName = `${article(words)} ${words}`;
  const aColour = `${article(colour)} ${colour}`;
  const kind = variant === 'outline' ? pick(rng, ['outline', 'line', 'stroke']) : pick(rng, ['filled', 'solid', 'glyph']);
  const nameWords = new Set(words.split(' '));
  const tagWords = sample(rng, tags.filter((t) => t !== words && !nameWords.has(t)), 2 + rng.int(3)).map((t) => t.replace(/-/g, ' '));
  const first = pick(rng, [
    `${aColour} ${words} icon`,
    `${aColour} icon of ${aName}`,
    `${words} icon in ${colour}`,
  ]);
  const styled = variant === 'outline'
    ? pick(rng, [
      `${article(thickness ?? 'a')} ${thickness} ${colour} outline icon of ${aName}`,
      `${aName} drawn as ${article(thickness ?? 'a')} ${thickness} ${colour} ${kind} icon`,
      `${aColour} ${kind} icon of ${aName} with ${thickness} strokes`,
    ])
    : pick(rng, [
      `${aColour} filled icon of ${aName}`,
      `${aName} as ${article(kind)} ${kind} ${colour} icon`,
      `${aColour} ${kind} ${words} icon on a white background`,
    ]);
  const tagged = tagWords.length > 0
    ? pick(rng, [`${words} icon (${cat}): ${tagWords.join(', ')}`, `${aName} icon for ${joinList(tagWords)}`])
    : `${words} icon (${cat})`;
  const plain = pick(rng, [`${words}`, `${cat} icon: ${words}`, `a simple ${variant} ${words} symbol`]);
  return [first, styled, tagged, plain];
}

async function loadMeta(dir: string): Promise<IconMeta[]> {
  const raw = JSON.parse(await readFile(join(dir, 'icons.json'), 'utf8')) as Record<string, Partial<IconMeta>>;
  const out: IconMeta[] = [];
  for (const [key, m] of Object.entries(raw)) {
    out.push({
      name: typeof m.name === 'string' && m.name ? m.name : key,
      category: typeof m.category === 'string' && m.category ? m.category : 'Other',
      tags: Array.isArray(m.tags) ? m.tags.filter((t): t is string => typeof t === 'string' && t.length > 0) : [],
      styles: m.styles && typeof m.styles === 'object' ? m.styles : { outline: {} },
    });
  }
  return out.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

async function* iconItems(opts: SourceOptions): AsyncGenerator<SourceItem | Skipped> {
  const dir = packageDir('@tabler/icons', 'icons.json');
  const metas = await loadMeta(dir);
  const entries = interleave(metas.filter((m) => 'outline' in m.styles), metas.filter((m) => 'filled' in m.styles));
  const limit = opts.limit ?? Infinity;
  let n = 0;
  for (const { meta, variant } of entries) {
    if (n >= limit) return;
    n++;
    const style = `tabler-${variant}`;
    const id = `icon/${style}/${meta.name}`;
    let svg: string;
    try {
      svg = await readFile(join(dir, 'icons', variant, `${meta.name}.svg`), 'utf8');
    } catch (e) {
      yield { skipped: true, id, reason: `unreadable svg: ${(e as Error).message}` };
      continue;
    }
    const rng = itemRng(opts.seed, id);
    const colour = pick(rng, ICON_PALETTE);
    const strokeWidth = variant === 'outline' ? pick(rng, ICON_STROKE_WIDTHS) : null;
    const thickness = strokeWidth === null ? null : thicknessWord(strokeWidth);
    let image: Uint8Array;
    try {
      image = await encodePng(svgToRgb(prepareIconSvg(svg, colour.hex, strokeWidth), opts.size));
    } catch (e) {
      yield { skipped: true, id, reason: `render failed: ${(e as Error).message}` };
      continue;
    }
    const words = iconWords(meta.name);
    const captions = cleanCaptions(iconCaptions({
      words, category: meta.category, tags: meta.tags, variant, colour: colour.name, thickness, rng,
    }), id);
    const attributes: SourceItem['attributes'] = {
      name: meta.name, words, category: meta.category, tags: meta.tags, variant,
      colour: colour.name, colourHex: colour.hex,
    };
    if (strokeWidth !== null && thickness !== null) {
      attributes.strokeWidth = strokeWidth;
      attributes.thickness = thickness;
    }
    yield {
      id, source: 'icon', style, concept: meta.name, captions, image, size: opts.size,
      attributes, boxes: [], mask: null, edit: null, licence: LICENCE,
    };
  }
}

export const iconSource: Source = {
  name: 'icon',
  items: (opts) => iconItems(opts),
};
