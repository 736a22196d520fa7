/**
 * generate/constraints.ts — the grammar of mixed-modal output as per-step rules. A Constraint
 * looks at the ids generated so far (and the prompt) and says what the next position may hold:
 *   { allow }  sample among these ids      { force }  emit this id, no sampling (still fed to the model)
 *   { stop }   the sample is finished (nothing more is emitted)
 * Constraints are pure functions of (generated, prompt): forked samples need no shared state.
 *
 * Layout decisions (spec §1, sequence.ts: a query document `caption <break> image <eos>`):
 *  - imageGrid: exactly vocab.imageTokens image codes (known ones forced: image infilling with
 *    the rest copied), then the CLOSE token, then stop. close defaults to <eos>, which ends the
 *    query document after `caption <break> image`; pass vocab.brk for image-first layouts
 *    (`image <break> caption`), or null to stop right after the last code.
 *  - textOnly: text ids until <eos> (emitted, finish 'eos'), or maxTokens text ids (finish
 *    'length'). Captioning and text infilling (the CM3 tail `<infill> <mask:0> span <eos>`).
 *  - infillSpans: the CM3 tail for KNOWN span lengths (image regions): after the prompt's
 *    `<infill> <mask:0>`, span 0's ids, forced <mask:1>, span 1, …, then forced <eos>. The model
 *    never learns to emit sentinels (loss weight 0), so they are always forced.
 *  - mixedModal: free documents — text segments end with <break> or <eos>; a segment after a
 *    text segment's <break> is an image of exactly imageTokens codes, after which only <break>
 *    or <eos> (afterImage) may follow; a segment after an image is text; <eos> ends the sample.
 */
import type { IdRange, Vocab } from '../tokenizer/vocab.js';
import type { Allowed } from './logits.js';

export type Finish = 'eos' | 'complete' | 'length';
export type StepRule = { allow: Allowed } | { force: number } | { stop: Finish };

export interface ConstraintContext {
  /** The conditional prompt's ids (retrieved documents included). */
  prompt: readonly number[];
  promptIndex: number;
  sample: number;
}

export interface Constraint {
  /** Most ids this constraint ever emits (sizes the KV cache); undefined = until the context is full. */
  readonly maxTokens?: number;
  next(generated: readonly number[], ctx: ConstraintContext): StepRule;
}

/** One position of a fixed-length schedule. */
export type Slot = { allow: Allowed } | { force: number };

const range = (r: IdRange): Allowed => ({ ranges: [r] });

/** A fixed schedule of positions, then stop('complete'). */
export function scheduled(slots: readonly Slot[]): Constraint {
  return {
    maxTokens: slots.length,
    next: (gen) => (gen.length < slots.length ? slots[gen.length] : { stop: 'complete' }),
  };
}

export interface ImageGridOptions {
  /** Per grid position (raster order): a known image CODE (0 .. imageCodes-1) to copy, or null to generate. */
  known?: readonly (number | null)[];
  /** The id after the last code (<eos> by default, see the header); null = stop after the codes. */
  close?: number | null;
}

/** Exactly imageTokens image codes (known ones forced), then the close token. */
export function imageGrid(vocab: Vocab, o: ImageGridOptions = {}): Constraint {
  const n = vocab.imageTokens, known = o.known, close = o.close === undefined ? vocab.eos : o.close;
  if (known && known.length !== n) throw new RangeError(`imageGrid: known needs ${n} entries (one per grid position), got ${known.length}`);
  const codes = range(vocab.images);
  const slots: Slot[] = Array.from({ length: n }, (_, i) => {
    const c = known?.[i];
    return c === null || c === undefined ? { allow: codes } : { force: vocab.image(c) };
  });
  if (close !== null) {
    if (!vocab.isValid(close) || vocab.isImage(close)) throw new RangeError(`imageGrid: close must be a non-image id, got ${vocab.describe(close)}`);
    slots.push({ force: close });
  }
  return scheduled(slots);
}

/** The CM3 infill tail for spans of known lengths (after the prompt's `<infill> <mask:0>`). */
export function infillSpans(vocab: Vocab, lengths: readonly number[], modality: 'image' | 'text' = 'image'): Constraint {
  if (lengths.length === 0) throw new RangeError('infillSpans: needs at least one span');
  if (lengths.length > vocab.config.maskSentinels) throw new RangeError(`infillSpans: ${lengths.length} spans but only ${vocab.config.maskSentinels} mask sentinels`);
  const allow = range(modality === 'image' ? vocab.images : vocab.text), slots: Slot[] = [];
  lengths.forEach((len, i) => {
    if (!Number.isInteger(len) || len < 1) throw new RangeError(`infillSpans: span ${i} length must be an integer >= 1, got ${len}`);
    if (i > 0) slots.push({ force: vocab.mask(i) });
    for (let j = 0; j < len; j++) slots.push({ allow });
  });
  slots.push({ force: vocab.eos });
  return scheduled(slots);
}

/** Text ids (and the end token) until the end token or maxTokens text ids. */
export function textOnly(vocab: Vocab, o: { maxTokens: number; end?: number }): Constraint {
  const end = o.end ?? vocab.eos;
  if (!Number.isInteger(o.maxTokens) || o.maxTokens < 1) throw new RangeError(`textOnly: maxTokens must be an integer >= 1, got ${o.maxTokens}`);
  const allow: Allowed = { ranges: [vocab.text], ids: [end] };
  return {
    maxTokens: o.maxTokens + 1,
    next: (gen) => {
      if (gen.length > 0 && gen[gen.length - 1] === end) return { stop: 'eos' };
      return gen.length >= o.maxTokens ? { stop: 'length' } : { allow };
    },
  };
}

/** Any valid id but <pad> until <eos> (or maxTokens). */
export function untilEos(vocab: Vocab, o: { maxTokens?: number } = {}): Constraint {
  const allow: Allowed = { ranges: [{ start: 0, end: vocab.pad }, { start: vocab.pad + 1, end: vocab.size }] };
  const max = o.maxTokens ?? Infinity;
  return {
    maxTokens: o.maxTokens,
    next: (gen) => {
      if (gen.length > 0 && gen[gen.length - 1] === vocab.eos) return { stop: 'eos' };
      return gen.length >= max ? { stop: 'length' } : { allow };
    },
  };
}

export interface MixedModalOptions {
  maxTokens?: number;
  /** What may follow an image's last code: <break> or <eos> (either), or one of them forced. */
  afterImage?: 'either' | 'eos' | 'break';
}

/** The free mixed-modal grammar (see the header); the prompt's open segment is continued. */
export function mixedModal(vocab: Vocab, o: MixedModalOptions = {}): Constraint {
  const max = o.maxTokens ?? Infinity, N = vocab.imageTokens, after = o.afterImage ?? 'either';
  const text: Allowed = { ranges: [vocab.text] }, images = range(vocab.images);
  const textOrEnd: Allowed = { ranges: [vocab.text], ids: [vocab.brk, vocab.eos] };
  const anyStart: Allowed = { ranges: [vocab.text, vocab.images] };
  const endImage: StepRule = after === 'either' ? { allow: { ids: [vocab.brk, vocab.eos] } } : { force: after === 'eos' ? vocab.eos : vocab.brk };
  const isEdge = (id: number) => id === vocab.brk || id === vocab.eos || id === vocab.infill || vocab.isMask(id);
  return {
    maxTokens: o.maxTokens,
    next: (gen, ctx) => {
      if (gen.length > 0 && gen[gen.length - 1] === vocab.eos) return { stop: 'eos' };
      if (gen.length >= max) return { stop: 'length' };
      const P = ctx.prompt.length, at = (j: number) => (j < P ? ctx.prompt[j] : gen[j - P]);
      let j = P + gen.length - 1, count = 0, image = false;
      for (; j >= 0 && !isEdge(at(j)); j--, count++) image = vocab.isImage(at(j));
      if (count > 0) {
        if (!image) return { allow: textOrEnd };
        if (count < N) return { allow: images };
        if (count === N) return endImage;
        throw new RangeError(`mixedModal: an image segment of ${count} codes (an image has ${N})`);
      }
      if (j < 0 || at(j) !== vocab.brk) return { allow: anyStart }; // a new document or a CM3 span
      const prev = j > 0 ? at(j - 1) : -1;
      if (vocab.isImage(prev)) return { allow: text };
      return vocab.isText(prev) ? { allow: images } : { allow: anyStart };
    },
  };
}
