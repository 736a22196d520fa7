/**
 * generate/prompts.ts — prompt layouts for each task, as GenPrompt = { ids, uncond, constraint }.
 * The retrieved documents come first in sequence.ts's frame, best first, k = 0, 1 or 2:
 *   prefix = <eos> r1 <eos> r2 <eos>          (k = 0: just <eos>)
 *
 * text→image   cond   prefix caption <break>                      → imageGrid: N codes, <eos>
 *              uncond <eos> <mask:0> <break>                      (the caption replaced by CM3's
 *                     <mask> in place, as in a CM3 document whose whole caption is span 0; the
 *                     retrieved documents are dropped too unless keepRetrieved)
 * captioning   cond   prefix [before] <mask:0> [after] <break> image <infill> <mask:0>  → textOnly
 *              (cm3.ts captionPrompt), no uncond (what the "unconditional" caption stream
 *              should be is not in the paper)
 * text infill  cond   prefix before <mask:0> after [<break> image] <infill> <mask:0>     → textOnly
 *              one span per call: sentinels carry loss 0, so the model only learned to end the
 *              LAST span (with <eos>); fill several spans by calling once per span.
 * image infill the region is a boolean mask over the raster grid; known codes are copied.
 *   'causal'   cond   prefix [caption <break>]  → imageGrid with the known codes forced
 *              (left-to-right: the region sees the codes above/left of it, not below/right)
 *   'cm3'      cond   prefix [caption <break>] body <infill> <mask:0>  → infillSpans
 *              body = the image with each raster run of region cells replaced by <mask:i>, so
 *              the region sees the whole image. uncond (with a caption): prefix' body <break>
 *              <mask:n> <infill> <mask:0> — the image-first layout with the caption as the
 *              last span, so both streams predict the same span ids.
 * Uncond prompts exist only where there is conditioning text to remove.
 */
import { captionPrompt, type CaptionTemplate } from '../model/cm3.js';
import type { Vocab } from '../tokenizer/vocab.js';
import { imageGrid, infillSpans, textOnly, type Constraint } from './constraints.js';

export interface GenPrompt {
  /** The conditional prompt (retrieved documents included). */
  ids: readonly number[];
  /** The unconditional (CFG / CD-K amateur) prompt, or null/absent when there is none. */
  uncond?: readonly number[] | null;
  /** What may be generated; generate()'s default constraint when absent. */
  constraint?: Constraint;
}

export interface RetrievalOptions {
  /** Retrieved documents (plain `caption <break> image` ids), best first. */
  retrieved?: readonly (readonly number[])[];
  /** Keep the retrieved documents in the unconditional prompt (default false: `<eos> <mask:0> …`). */
  keepRetrieved?: boolean;
}

function checkText(ids: readonly number[], vocab: Vocab, what: string, nonEmpty = false): void {
  if (nonEmpty && ids.length === 0) throw new RangeError(`${what} is empty`);
  ids.forEach((id, i) => { if (!vocab.isText(id)) throw new RangeError(`${what}: position ${i} holds ${vocab.describe(id)}, not a text id`); });
}

function checkImage(ids: readonly number[], vocab: Vocab, what: string): void {
  if (ids.length !== vocab.imageTokens) throw new RangeError(`${what}: an image needs ${vocab.imageTokens} ids, got ${ids.length}`);
  ids.forEach((id, i) => { if (!vocab.isImage(id)) throw new RangeError(`${what}: position ${i} holds ${vocab.describe(id)}, not an image code`); });
}

/** `<eos> r1 <eos> … rk <eos>` (just `<eos>` for none). */
export function retrievalPrefix(retrieved: readonly (readonly number[])[], vocab: Vocab): number[] {
  const out = [vocab.eos];
  retrieved.forEach((r, k) => {
    if (r.length === 0) throw new RangeError(`retrieved document ${k} is empty`);
    r.forEach((id, i) => {
      if (!vocab.isValid(id) || id === vocab.eos || id === vocab.pad) throw new RangeError(`retrieved document ${k}: position ${i} holds ${vocab.describe(id)}`);
    });
    out.push(...r, vocab.eos);
  });
  return out;
}

const uncondPrefix = (o: RetrievalOptions, vocab: Vocab) => retrievalPrefix(o.keepRetrieved ? o.retrieved ?? [] : [], vocab);

/**
 * The unconditional prompt for a precomputed text→image prompt `<eos> r… <eos> caption <break>`:
 * `<eos> [r… <eos>] <mask:0> <break>` (retrieved documents kept only with keepRetrieved).
 */
export function maskedUncond(cond: readonly number[], vocab: Vocab, o: { keepRetrieved?: boolean } = {}): number[] {
  const q = cond.lastIndexOf(vocab.eos);
  if (q < 0 || cond[cond.length - 1] !== vocab.brk) throw new RangeError('maskedUncond: the prompt must look like `<eos> [r1 <eos> …] caption <break>`');
  checkText(cond.slice(q + 1, -1), vocab, 'maskedUncond: the caption', true);
  return [...(o.keepRetrieved ? cond.slice(0, q + 1) : [vocab.eos]), vocab.mask(0), vocab.brk];
}

/** Text→image: `prefix caption <break>` then exactly imageTokens codes and the close token. */
export function textToImagePrompt(caption: readonly number[], vocab: Vocab, o: RetrievalOptions & { close?: number | null } = {}): GenPrompt {
  checkText(caption, vocab, 'textToImagePrompt: the caption', true);
  const ids = [...retrievalPrefix(o.retrieved ?? [], vocab), ...caption, vocab.brk];
  return { ids, uncond: maskedUncond(ids, vocab, o), constraint: imageGrid(vocab, { close: o.close }) };
}

/** Image→text: cm3.ts captionPrompt after the retrieval prefix; text until <eos>. */
export function captioningPrompt(
  image: readonly number[], vocab: Vocab, o: RetrievalOptions & { template?: CaptionTemplate; maxTokens: number },
): GenPrompt {
  const ids = [...retrievalPrefix(o.retrieved ?? [], vocab), ...captionPrompt(image, vocab, o.template)];
  return { ids, uncond: null, constraint: textOnly(vocab, { maxTokens: o.maxTokens }) };
}

/** One text span between `before` and `after` (optionally of a `text <break> image` document). */
export function textInfillPrompt(
  parts: { before: readonly number[]; after: readonly number[]; image?: readonly number[] }, vocab: Vocab,
  o: RetrievalOptions & { maxTokens: number },
): GenPrompt {
  checkText(parts.before, vocab, 'textInfillPrompt: before');
  checkText(parts.after, vocab, 'textInfillPrompt: after');
  const doc = parts.image
    ? captionPrompt(parts.image, vocab, { before: parts.before, after: parts.after })
    : [...parts.before, vocab.mask(0), ...parts.after, vocab.infill, vocab.mask(0)];
  return { ids: [...retrievalPrefix(o.retrieved ?? [], vocab), ...doc], uncond: null, constraint: textOnly(vocab, { maxTokens: o.maxTokens }) };
}

/** Grid cells of a box (in cells, clipped to the grid) as a raster-order region mask. */
export function boxRegion(grid: { width: number; height: number }, box: { x: number; y: number; w: number; h: number }): boolean[] {
  const out = new Array<boolean>(grid.width * grid.height).fill(false);
  for (let y = Math.max(0, box.y); y < Math.min(grid.height, box.y + box.h); y++) {
    for (let x = Math.max(0, box.x); x < Math.min(grid.width, box.x + box.w); x++) out[y * grid.width + x] = true;
  }
  return out;
}

/** Maximal raster runs [start, end) of region cells. */
export function regionRuns(region: readonly boolean[]): { start: number; end: number }[] {
  const runs: { start: number; end: number }[] = [];
  region.forEach((on, i) => {
    if (!on) return;
    if (runs.length > 0 && runs[runs.length - 1].end === i) runs[runs.length - 1].end = i + 1;
    else runs.push({ start: i, end: i + 1 });
  });
  return runs;
}

export interface ImageInfillOptions extends RetrievalOptions {
  caption?: readonly number[];
  /** 'cm3' (default): regenerate the region with the whole image in view; 'causal': left to right. */
  mode?: 'cm3' | 'causal';
}

/** Regenerate the region of an image (ids, raster order); see the header for both layouts. */
export function imageInfillPrompt(image: readonly number[], region: readonly boolean[], vocab: Vocab, o: ImageInfillOptions = {}): GenPrompt {
  checkImage(image, vocab, 'imageInfillPrompt');
  if (region.length !== image.length) throw new RangeError(`imageInfillPrompt: the region has ${region.length} cells, the image ${image.length}`);
  const runs = regionRuns(region);
  if (runs.length === 0) throw new RangeError('imageInfillPrompt: the region is empty');
  if (o.caption) checkText(o.caption, vocab, 'imageInfillPrompt: the caption', true);
  const prefix = retrievalPrefix(o.retrieved ?? [], vocab), cap = o.caption ? [...o.caption, vocab.brk] : [];
  if ((o.mode ?? 'cm3') === 'causal') {
    const known = image.map((id, i) => (region[i] ? null : vocab.imageCode(id)));
    const ids = [...prefix, ...cap];
    const uncond = o.caption ? [...uncondPrefix(o, vocab), vocab.mask(0), vocab.brk] : null;
    return { ids, uncond, constraint: imageGrid(vocab, { known, close: o.caption ? vocab.eos : null }) };
  }
  const n = runs.length;
  if (n + (o.caption ? 1 : 0) > vocab.config.maskSentinels) {
    throw new RangeError(`imageInfillPrompt: the region is ${n} raster runs${o.caption ? ' + the caption' : ''}, more than the ${vocab.config.maskSentinels} mask sentinels (HINT: use mode 'causal')`);
  }
  const body: number[] = [];
  let pos = 0;
  runs.forEach((r, i) => { body.push(...image.slice(pos, r.start), vocab.mask(i)); pos = r.end; });
  body.push(...image.slice(pos));
  const tail = [vocab.infill, vocab.mask(0)];
  const ids = [...prefix, ...cap, ...body, ...tail];
  const uncond = o.caption ? [...uncondPrefix(o, vocab), ...body, vocab.brk, vocab.mask(n), ...tail] : null;
  return { ids, uncond, constraint: infillSpans(vocab, runs.map((r) => r.end - r.start), 'image') };
}

/**
 * The infilled image (ids): the generated image codes, in order, go to the region cells ('cm3':
 * one per cell) or replace the whole grid ('causal': imageTokens codes, known ones were forced).
 */
export function fillRegion(image: readonly number[], region: readonly boolean[], generated: readonly number[], vocab: Vocab): number[] {
  const codes = generated.filter((id) => vocab.isImage(id)), cells = region.filter(Boolean).length;
  if (codes.length === image.length) return codes;
  if (codes.length !== cells) throw new RangeError(`fillRegion: ${codes.length} generated codes for a region of ${cells} cells (an unfinished sample?)`);
  let k = 0;
  return image.map((id, i) => (region[i] ? codes[k++] : id));
}
