/**
 * eval/clipscore.ts — CLIP score of text→image generations from precomputed embeddings (e.g.
 * `Retriever.embedTexts(prompts)` and `Retriever.embedImages(images)`, index i pairing prompt i
 * with image i).
 *
 *   score = mean_i  w · max(cos(tᵢ, vᵢ), 0)
 *
 * Convention: w = 100 by default, the "CLIP score" of text-to-image papers and of torchmetrics'
 * `CLIPScore` (range 0..100). Hessel et al. 2021, "CLIPScore: A Reference-free Evaluation Metric
 * for Image Captioning", use w = 2.5 (`HESSEL_CLIPS_WEIGHT`) to stretch the typical cosine range
 * of ViT-B/32; pass it as `weight` for CLIP-S. Either way the numbers depend on the embedding
 * model: ours is the small retriever, not OpenAI CLIP, so they are comparable only with each
 * other. Cosines are computed from the raw vectors (not assuming unit norm).
 */
import type { Vector } from './features.js';

/** Weight of the text-to-image "CLIP score" convention (torchmetrics CLIPScore): 0..100. */
export const CLIP_SCORE_WEIGHT = 100;
/** Hessel et al. 2021's CLIP-S weight w. */
export const HESSEL_CLIPS_WEIGHT = 2.5;

export interface ClipScoreResult {
  /** Mean over pairs of weight · max(cos, 0). */
  readonly mean: number;
  /** Per-pair scores, in input order. */
  readonly scores: Float64Array;
}

/** Cosine similarity of two same-length, finite, non-zero vectors (names used in errors). */
export function cosine(a: Vector, b: Vector, nameA = 'a', nameB = 'b'): number {
  if (a.length !== b.length) throw new RangeError(`cosine: ${nameA} has ${a.length} entries, ${nameB} has ${b.length}`);
  if (a.length === 0) throw new RangeError(`cosine: ${nameA} and ${nameB} are empty`);
  let dot = 0, na = 0, nb = 0;
  for (let i = 0; i < a.length; i++) {
    const x = a[i], y = b[i];
    if (!Number.isFinite(x)) throw new RangeError(`cosine: ${nameA}[${i}] is ${x}`);
    if (!Number.isFinite(y)) throw new RangeError(`cosine: ${nameB}[${i}] is ${y}`);
    dot += x * y; na += x * x; nb += y * y;
  }
  if (na === 0) throw new RangeError(`cosine: ${nameA} is the zero vector`);
  if (nb === 0) throw new RangeError(`cosine: ${nameB} is the zero vector`);
  // Rounding can push |cos| of (anti)parallel vectors a hair past 1.
  return Math.max(-1, Math.min(1, dot / Math.sqrt(na * nb)));
}

/**
 * CLIP score of aligned (text, image) embedding pairs: per pair w·max(cos, 0), and their mean.
 * `weight` defaults to 100 (see the file header; 2.5 gives Hessel et al.'s CLIP-S).
 */
export function clipScore(textEmbeddings: readonly Vector[], imageEmbeddings: readonly Vector[],
  weight = CLIP_SCORE_WEIGHT): ClipScoreResult {
  if (textEmbeddings.length === 0) throw new RangeError('clipScore: textEmbeddings is empty');
  if (textEmbeddings.length !== imageEmbeddings.length) {
    throw new RangeError(`clipScore: ${textEmbeddings.length} text embeddings but ${imageEmbeddings.length} image embeddings`);
  }
  if (!(weight > 0) || !Number.isFinite(weight)) throw new RangeError(`clipScore: weight must be a finite number > 0, got ${weight}`);
  const scores = new Float64Array(textEmbeddings.length);
  let sum = 0;
  for (let i = 0; i < scores.length; i++) {
    scores[i] = weight * Math.max(cosine(textEmbeddings[i], imageEmbeddings[i], `textEmbeddings[${i}]`, `imageEmbeddings[${i}]`), 0);
    sum += scores[i];
  }
  return { mean: sum / scores.length, scores };
}
