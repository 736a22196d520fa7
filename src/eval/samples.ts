/**
 * eval/samples.ts — the sample sheets committed beside docs/results.md: text→image rows (the real
 * held-out image, then the N re-ranked samples of its caption) and captions of held-out-style
 * images, drawn with data/sheet.ts.
 */
import { encodePng } from '../data/image.js';
import { imageGrid, type GridCell } from '../data/sheet.js';
import type { Generator, SampleSettings } from '../generate/pipeline.js';
import type { EvalPair } from './harness.js';

const png = (gen: Generator, rgb: Uint8Array) => {
  const size = gen.image.config.imageSize;
  return encodePng({ data: rgb, width: size, height: size });
};

/** One row per prompt: the real image, then its samples (best re-ranked first). */
export async function textToImageSheet(gen: Generator, pairs: readonly EvalPair[], settings: Partial<SampleSettings>,
  seed = 1): Promise<Uint8Array> {
  const n = settings.n ?? 4;
  const cells: GridCell[] = [];
  for (const [i, p] of pairs.entries()) {
    const r = await gen.textToImage(p.caption, { ...settings, seed: seed + i });
    cells.push({ image: await png(gen, p.rgb), head: 'held-out real', text: p.caption });
    for (const [k, s] of r.samples.entries()) cells.push({ image: await png(gen, s.rgb), head: `sample ${k + 1} of ${n}`, text: '' });
  }
  return imageGrid(cells, { cols: n + 1, lines: 2 });
}

/** Images with the captions evalCaptioning generated for them (head: the true concept). */
export async function captionSheet(gen: Generator, pairs: readonly EvalPair[], captions: readonly string[]): Promise<Uint8Array> {
  const cells: GridCell[] = [];
  for (const [i, p] of pairs.entries()) {
    cells.push({ image: await png(gen, p.rgb), head: p.concept.replace(/^[a-z]+:/, ''), text: captions[i] });
  }
  return imageGrid(cells, { cols: 8, lines: 3 });
}
