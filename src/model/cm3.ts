/**
 * model/cm3.ts — the CM3 causally-masked objective on ONE document's ids (paper §2; CM3,
 * Aghajanyan et al. 2022). Pure functions; all randomness comes from the caller's seeded `Rng`.
 *
 * Input: a plain document, segments joined by <break> (`caption <break> image`, image first, or
 * text only). It may not hold <pad>, <eos>, <infill> or <mask:i> (those belong to sequences and
 * to this transform). Each segment is all text ids or all image ids.
 *
 * Sampling: with probability `maskedFraction` the document is transformed, else it stays plain
 * causal LM. n = clamp(Poisson(poissonRate), 1, maxSpans) spans; each span lies inside ONE segment
 * (CM3Leon: never across <break>, so it never contains one), is non-empty, and spans neither
 * overlap nor touch (at least one kept token between two spans, else they would be one span
 * split at an arbitrary point). Spans are drawn one after another from the free room: the free
 * intervals are the eligible segments minus earlier spans and the token on each side of them.
 * The first endpoint is uniform over all free positions (a segment is hit in proportion to its
 * length), the second uniform in the free interval holding the first; the span is [min, max]
 * inclusive ("few, relatively long spans": mean ≈ 1/3 of the interval). So n spans are placed
 * whenever there is room; a document too short for n gets fewer (never 0 if anything is
 * eligible). `modality` restricts the eligible segments to text or image ones.
 *
 * Layout (paper's `Image of <mask>: [image] <infill> a chameleon`, with CM3's enumerated masks):
 *   body: the document with span i replaced IN PLACE by the single id <mask:i> (ordered by
 *         position; no extra <break>s, so the segment structure is unchanged);
 *   tail: <infill> <mask:0> span0 <mask:1> span1 … <mask:n-1> span(n-1)
 *   ids = body ++ tail. The last span is ended by the sequence's closing <eos> (CM3's "unique
 *   end-of-document token"), added by sequence.ts.
 * Example (text ids a b c, image ids I1..I4):  a b c <break> I1 I2 I3 I4, spans [1,3) and [5,7)
 *   → a <mask:0> <break> I1 <mask:1> I4 <infill> <mask:0> b c <mask:1> I2 I3
 * Loss weights (per token; weights[t] = weight of predicting ids[t]): 0 where ids[t] is a
 * <mask:i> (in the body and in the tail), 1 elsewhere. `uncm3` inverts the transform exactly.
 *
 * Captioning (image→text) prompt: the caption span is the whole text segment, so the prompt is
 * the transform of `caption <break> image` cut after `<infill> <mask:0>`:
 *   [before] <mask:0> [after] <break> image <infill> <mask:0>   → the model writes the caption,
 * then <eos>. The prompt ends with <mask:0> because sentinel targets carry loss 0: the model is
 * never taught to emit them, so prompts must supply them.
 */
import { mergeConfig } from '../config/config.js';
import type { Rng } from '../tensor/index.js';
import type { Vocab } from '../tokenizer/vocab.js';

export type SpanModality = 'any' | 'text' | 'image';

export type Cm3Options = {
  /** Probability that a document is transformed at all; the rest stay plain causal LM. */
  maskedFraction: number;
  /** Upper clamp on the number of spans (CM3: 16); at most the vocabulary's mask sentinels. */
  maxSpans: number;
  /** Poisson rate of the span count before clamping to [1, maxSpans] (CM3: 1). */
  poissonRate: number;
  /** Which segments spans may fall in: any, text only (captioning), image only (image infilling). */
  modality: SpanModality;
};

/**
 * maskedFraction 0.5 [INF — neither paper gives an untransformed share]: CM3Leon's main use is
 * left-to-right text→image from `<eos> text <break>`, which only unmasked text-first documents
 * train directly, while captioning and infilling need masked ones; an even split gives the causal
 * and the infilling modes equal exposure. The trainer can move it either way.
 */
export const CM3_DEFAULTS: Readonly<Cm3Options> = Object.freeze({
  maskedFraction: 0.5,
  maxSpans: 16,
  poissonRate: 1,
  modality: 'any',
});

const MODALITIES: readonly SpanModality[] = ['any', 'text', 'image'];

/** A span of the original document: ids [start, end), end exclusive, inside one segment. */
export interface Span { start: number; end: number }

export interface Cm3Result {
  ids: number[];
  /** Per-token loss weight of predicting ids[t]. */
  weights: number[];
  masked: boolean;
  /** Spans of the original document, ordered by position (span i ↔ <mask:i>). */
  spans: Span[];
  /** Why an unmasked document was left alone: the maskedFraction coin, or no eligible segment. */
  skipped?: 'fraction' | 'no-room';
}

/** Defaults with `patch` applied; unknown keys/wrong types throw ConfigError, bad values RangeError. */
export function cm3Options(vocab: Vocab, patch: Record<string, unknown> = {}): Cm3Options {
  const o = mergeConfig<Cm3Options>({ ...CM3_DEFAULTS }, patch, 'cm3');
  if (!(o.maskedFraction >= 0 && o.maskedFraction <= 1)) throw new RangeError(`cm3: maskedFraction must be in [0, 1], got ${o.maskedFraction}`);
  if (!Number.isInteger(o.maxSpans) || o.maxSpans < 1) throw new RangeError(`cm3: maxSpans must be an integer >= 1, got ${o.maxSpans}`);
  if (o.maxSpans > vocab.config.maskSentinels) {
    throw new RangeError(`cm3: maxSpans ${o.maxSpans} exceeds the vocabulary's ${vocab.config.maskSentinels} mask sentinels`);
  }
  if (!(o.poissonRate >= 0)) throw new RangeError(`cm3: poissonRate must be >= 0, got ${o.poissonRate}`);
  if (!MODALITIES.includes(o.modality)) throw new RangeError(`cm3: modality must be one of ${MODALITIES.join(', ')}, got "${o.modality}"`);
  return o;
}

/** Loss weights of a (possibly transformed) document: 0 on <mask:i> targets, 1 elsewhere. */
export function cm3Weights(ids: readonly number[], vocab: Vocab): number[] {
  return ids.map((id) => (vocab.isMask(id) ? 0 : 1));
}

/** A <break>-separated segment [start, end) of a plain document; `image` if it holds image ids. */
export interface DocSegment { start: number; end: number; image: boolean }

/** The <break>-separated segments of a plain document (validated; empty segments are kept). */
export function segments(doc: readonly number[], vocab: Vocab): DocSegment[] {
  const out: DocSegment[] = [];
  let start = 0;
  for (let i = 0; i <= doc.length; i++) {
    const id = doc[i];
    if (i < doc.length && id !== vocab.brk) {
      if (!vocab.isText(id) && !vocab.isImage(id)) {
        throw new RangeError(`cm3: position ${i} holds ${vocab.describe(id)}; a plain document has only text, image and <break> ids`);
      }
      if (i > start && vocab.isImage(id) !== vocab.isImage(doc[start])) {
        throw new RangeError(`cm3: position ${i} holds ${vocab.describe(id)} in a segment that starts with ${vocab.describe(doc[start])} (text and image need a <break> between them)`);
      }
      continue;
    }
    out.push({ start, end: i, image: i > start && vocab.isImage(doc[start]) });
    start = i + 1;
  }
  return out;
}

/** Sample spans for a plain document (may be empty when no segment is eligible). */
export function sampleSpans(doc: readonly number[], vocab: Vocab, rng: Rng, opts: Cm3Options): Span[] {
  const eligible = segments(doc, vocab).filter((s) => s.end > s.start
    && (opts.modality === 'any' || (opts.modality === 'image') === s.image));
  const n = Math.min(opts.maxSpans, Math.max(1, rng.poisson(opts.poissonRate)));
  const free = eligible.map((s) => ({ start: s.start, end: s.end }));
  const spans: Span[] = [];
  while (spans.length < n) {
    const total = free.reduce((m, f) => m + f.end - f.start, 0);
    if (total === 0) break;
    let p = rng.int(total), k = 0;
    while (p >= free[k].end - free[k].start) { p -= free[k].end - free[k].start; k++; }
    const f = free[k], a = f.start + p, b = f.start + rng.int(f.end - f.start);
    const span = { start: Math.min(a, b), end: Math.max(a, b) + 1 };
    spans.push(span);
    // Keep one token clear on either side so spans never touch.
    free.splice(k, 1, { start: f.start, end: span.start - 1 }, { start: span.end + 1, end: f.end });
    for (let i = free.length - 1; i >= 0; i--) if (free[i].end <= free[i].start) free.splice(i, 1);
  }
  return spans.sort((x, y) => x.start - y.start);
}

/** The deterministic core: move `spans` (sorted, disjoint, each inside one segment) to the end. */
export function applySpans(doc: readonly number[], spans: readonly Span[], vocab: Vocab): number[] {
  const segs = segments(doc, vocab);
  if (spans.length > vocab.config.maskSentinels) throw new RangeError(`cm3: ${spans.length} spans but only ${vocab.config.maskSentinels} mask sentinels`);
  const body: number[] = [], tail: number[] = [vocab.infill];
  let pos = 0;
  spans.forEach((s, i) => {
    if (!Number.isInteger(s.start) || !Number.isInteger(s.end) || s.start < pos || s.end <= s.start) {
      throw new RangeError(`cm3: span ${i} [${s.start}, ${s.end}) is empty, unsorted or overlaps the previous one`);
    }
    if (!segs.some((g) => s.start >= g.start && s.end <= g.end)) {
      throw new RangeError(`cm3: span ${i} [${s.start}, ${s.end}) is not inside one segment (it crosses a <break> or the end)`);
    }
    body.push(...doc.slice(pos, s.start), vocab.mask(i));
    tail.push(vocab.mask(i), ...doc.slice(s.start, s.end));
    pos = s.end;
  });
  body.push(...doc.slice(pos));
  return spans.length === 0 ? body : [...body, ...tail];
}

/** The CM3 transform of one plain document, with its per-token loss weights. */
export function cm3(doc: readonly number[], vocab: Vocab, rng: Rng, patch: Partial<Cm3Options> = {}): Cm3Result {
  const opts = cm3Options(vocab, patch);
  const plain = (skipped: 'fraction' | 'no-room'): Cm3Result => {
    segments(doc, vocab); // validate even when not transforming
    return { ids: [...doc], weights: doc.map(() => 1), masked: false, spans: [], skipped };
  };
  if (rng.uniform() >= opts.maskedFraction) return plain('fraction');
  const spans = sampleSpans(doc, vocab, rng, opts);
  if (spans.length === 0) return plain('no-room');
  const ids = applySpans(doc, spans, vocab);
  return { ids, weights: cm3Weights(ids, vocab), masked: true, spans };
}

/** Restore the original document from CM3 ids (identity on ids without <infill>). */
export function uncm3(ids: readonly number[], vocab: Vocab): number[] {
  const k = ids.indexOf(vocab.infill);
  const bodyEnd = k < 0 ? ids.length : k;
  const spans: number[][] = [];
  for (let i = bodyEnd + 1; i < ids.length; i++) {
    const id = ids[i];
    if (vocab.isMask(id)) {
      if (vocab.maskIndex(id) !== spans.length) throw new RangeError(`uncm3: position ${i}: expected <mask:${spans.length}>, got ${vocab.describe(id)}`);
      spans.push([]);
    } else if (spans.length === 0 || id === vocab.infill || id === vocab.eos || id === vocab.pad) {
      throw new RangeError(`uncm3: position ${i}: unexpected ${vocab.describe(id)} in the infill tail`);
    } else {
      spans[spans.length - 1].push(id);
    }
  }
  if (spans.some((s) => s.length === 0)) throw new RangeError('uncm3: an infill span is empty');
  const out: number[] = [];
  let used = 0;
  for (let i = 0; i < bodyEnd; i++) {
    const id = ids[i];
    if (!vocab.isMask(id)) { out.push(id); continue; }
    if (vocab.maskIndex(id) !== used || used >= spans.length) {
      throw new RangeError(`uncm3: position ${i}: ${vocab.describe(id)} has no matching span (expected <mask:${used}> of ${spans.length})`);
    }
    out.push(...spans[used++]);
  }
  if (used !== spans.length) throw new RangeError(`uncm3: the body has ${used} masks but the tail ${spans.length} spans`);
  return out;
}

export interface CaptionTemplate {
  /** Text ids before the caption mask (e.g. "Image of "). */
  before?: readonly number[];
  /** Text ids after it (e.g. ":"). */
  after?: readonly number[];
}

/** The image→text prompt `[before] <mask:0> [after] <break> image <infill> <mask:0>`. */
export function captionPrompt(image: readonly number[], vocab: Vocab, template: CaptionTemplate = {}): number[] {
  if (vocab.config.maskSentinels < 1) throw new RangeError('captionPrompt: the vocabulary has no mask sentinels');
  if (image.length !== vocab.imageTokens) throw new RangeError(`captionPrompt: an image needs ${vocab.imageTokens} ids, got ${image.length}`);
  image.forEach((id, i) => {
    if (!vocab.isImage(id)) throw new RangeError(`captionPrompt: image position ${i} holds ${vocab.describe(id)}`);
  });
  const text = [...(template.before ?? []), ...(template.after ?? [])];
  text.forEach((id) => {
    if (!vocab.isText(id)) throw new RangeError(`captionPrompt: template holds ${vocab.describe(id)}, not a text id`);
  });
  return [...(template.before ?? []), vocab.mask(0), ...(template.after ?? []), vocab.brk, ...image, vocab.infill, vocab.mask(0)];
}
