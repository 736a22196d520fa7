/**
 * model/sequence.ts — retrieval-augmented training sequences and their packing into fixed rows
 * (paper §1, §2, §3). Pure and deterministic; the one random choice (pair order) takes a seeded Rng.
 *
 * Pair order: `caption <break> image` (text→image) or `image <break> caption` (image→text as
 * plain causal LM), image first with probability `imageFirstProb`.
 *
 * RA sequence (the layout of tokenizer/document.ts's encodeSequence), k retrieved documents
 * before the query:
 *   ids:     <eos> r1 <eos> r2 <eos> … rk <eos> q <eos>
 *   weights:  0    w  w    w  w        w  w    Q  1        (per token: weight of predicting it)
 * w = retrievedWeight on every token of a retrieved document and its closing <eos> (times 0 on
 * any <mask:i>); Q = the query's own weights from cm3.ts (0 on mask sentinels); the query's
 * closing <eos> weighs 1 (it ends the last infill span). The opening <eos> weighs 0: it is a frame
 * that, once packed, always follows another <eos>, so there is nothing to learn in predicting it.
 * retrievedWeight defaults to 1: CM3Leon removed RA-CM3's query weighting (RA-CM3: 0.1).
 * With maxLength > 0, retrieved documents are dropped from the END of the list (the list is taken
 * as best first) until the sequence fits; a query that alone exceeds it is left to `pack`.
 *
 * Packing: rows of contextLength+1 tokens (inputs = row[0..L), targets = row[1..L+1), weights =
 * weight of each target). Sequences go in order, whole, into the open row while they fit; one that
 * does not fit closes the row (padded) and opens the next, so a sequence never straddles two rows
 * and its query keeps its retrieved documents in context. A sequence longer than L+1 (only when
 * its query alone overflows) is cut into chunks overlapping by one token — chunk j covers
 * [jL, jL+L+1) — so every token after its first is a target exactly once; the last chunk opens
 * the next row. Padding is <pad> with weight 0, so pad targets never count. Row position 0 is
 * never a target (it is a sequence's opening <eos> or a chunk's overlap token).
 * Example, L = 7, sequences A = e a1 a2 e (weights 0 1 1 1) and B = e b1 e (0 1 1):
 *   row:     e a1 a2 e  e  b1 e  <pad>
 *   ids      e a1 a2 e  e  b1 e ; targets a1 a2 e e b1 e <pad> ; weights 1 1 1 0 1 1 0
 */
import { mergeConfig } from '../config/config.js';
import type { Rng } from '../tensor/index.js';
import type { Vocab } from '../tokenizer/vocab.js';
import { cm3Weights } from './cm3.js';

/** Ids with a per-token loss weight (weights[t] = weight of predicting ids[t]). */
export interface Weighted { ids: number[]; weights: number[] }

export type RaOptions = {
  /** Loss weight of retrieved documents' tokens (CM3Leon 1; RA-CM3 0.1). */
  retrievedWeight: number;
  /** Longest sequence in tokens; 0 = no limit. Drops retrieved documents from the end of the list. */
  maxLength: number;
};

export const RA_DEFAULTS: Readonly<RaOptions> = Object.freeze({ retrievedWeight: 1, maxLength: 0 });

export type PairOptions = {
  /** Probability of `image <break> caption` (else `caption <break> image`). */
  imageFirstProb: number;
};

/**
 * 0.5 [INF]: the paper's pairs are text first (Fig. 8); image first makes captioning a plain
 * causal task too. An even split gives both directions equal exposure; the trainer may lower it.
 */
export const PAIR_DEFAULTS: Readonly<PairOptions> = Object.freeze({ imageFirstProb: 0.5 });

export interface RaSequence extends Weighted {
  /** How many retrieved documents made it in (fewer than given when maxLength dropped some). */
  retrievedKept: number;
}

export interface PackedRow {
  /** Inputs, length contextLength. */
  ids: number[];
  /** Next tokens, length contextLength. */
  targets: number[];
  /** Loss weight of each target; 0 on <pad>. */
  weights: number[];
}

function checkDoc(ids: readonly number[], vocab: Vocab, what: string): void {
  if (ids.length === 0) throw new RangeError(`${what} is empty`);
  ids.forEach((id, i) => {
    if (!vocab.isValid(id) || id === vocab.eos || id === vocab.pad) {
      throw new RangeError(`${what}: position ${i} holds ${vocab.describe(id)}, which cannot be inside a document`);
    }
  });
}

function checkWeights(w: readonly number[], n: number, what: string): void {
  if (w.length !== n) throw new RangeError(`${what}: ${w.length} weights for ${n} ids`);
  w.forEach((x, i) => {
    if (!(x >= 0) || !Number.isFinite(x)) throw new RangeError(`${what}: weight ${i} must be finite and >= 0, got ${x}`);
  });
}

/** Defaults with `patch` applied; unknown keys/wrong types throw ConfigError, bad values RangeError. */
export function raOptions(patch: Record<string, unknown> = {}): RaOptions {
  const o = mergeConfig<RaOptions>({ ...RA_DEFAULTS }, patch, 'ra');
  if (!(o.retrievedWeight >= 0)) throw new RangeError(`ra: retrievedWeight must be >= 0, got ${o.retrievedWeight}`);
  if (!Number.isInteger(o.maxLength) || o.maxLength < 0) throw new RangeError(`ra: maxLength must be an integer >= 0 (0 = no limit), got ${o.maxLength}`);
  return o;
}

/** `<eos> r1 <eos> … rk <eos> query <eos>` with per-token loss weights (see the header). */
export function buildRaSequence(
  query: readonly number[] | Weighted, retrieved: readonly (readonly number[])[], vocab: Vocab, patch: Partial<RaOptions> = {},
): RaSequence {
  const o = raOptions(patch);
  const q: Weighted = 'ids' in query ? { ids: [...query.ids], weights: [...query.weights] } : { ids: [...query], weights: cm3Weights(query, vocab) };
  checkDoc(q.ids, vocab, 'buildRaSequence: the query');
  checkWeights(q.weights, q.ids.length, 'buildRaSequence: the query');
  retrieved.forEach((r, i) => checkDoc(r, vocab, `buildRaSequence: retrieved document ${i}`));
  let k = retrieved.length;
  const length = (m: number) => 2 + q.ids.length + retrieved.slice(0, m).reduce((n, r) => n + r.length + 1, 0);
  if (o.maxLength > 0) while (k > 0 && length(k) > o.maxLength) k--;
  const ids = [vocab.eos], weights = [0];
  for (const r of retrieved.slice(0, k)) {
    ids.push(...r, vocab.eos);
    weights.push(...cm3Weights(r, vocab).map((w) => w * o.retrievedWeight), o.retrievedWeight);
  }
  ids.push(...q.ids, vocab.eos);
  weights.push(...q.weights, 1);
  return { ids, weights, retrievedKept: k };
}

/** A (caption, image) pair as one document, text or image first by a seeded coin. */
export function orderPair(
  caption: readonly number[], image: readonly number[], vocab: Vocab, rng: Rng, patch: Partial<PairOptions> = {},
): { ids: number[]; imageFirst: boolean } {
  const o = mergeConfig<PairOptions>({ ...PAIR_DEFAULTS }, patch, 'pair');
  if (!(o.imageFirstProb >= 0 && o.imageFirstProb <= 1)) throw new RangeError(`pair: imageFirstProb must be in [0, 1], got ${o.imageFirstProb}`);
  if (caption.length === 0) throw new RangeError('orderPair: the caption is empty');
  caption.forEach((id, i) => { if (!vocab.isText(id)) throw new RangeError(`orderPair: caption position ${i} holds ${vocab.describe(id)}, not a text id`); });
  if (image.length !== vocab.imageTokens) throw new RangeError(`orderPair: an image needs ${vocab.imageTokens} ids, got ${image.length}`);
  image.forEach((id, i) => { if (!vocab.isImage(id)) throw new RangeError(`orderPair: image position ${i} holds ${vocab.describe(id)}, not an image code`); });
  const imageFirst = rng.uniform() < o.imageFirstProb;
  const ids = imageFirst ? [...image, vocab.brk, ...caption] : [...caption, vocab.brk, ...image];
  return { ids, imageFirst };
}

/** Pack weighted sequences into rows of contextLength inputs/targets/weights (see the header). */
export function pack(sequences: readonly Weighted[], contextLength: number, vocab: Vocab): PackedRow[] {
  if (!Number.isInteger(contextLength) || contextLength < 1) throw new RangeError(`pack: contextLength must be an integer >= 1, got ${contextLength}`);
  const L = contextLength, rows: PackedRow[] = [];
  let bufIds: number[] = [], bufW: number[] = [];
  const emit = (ids: readonly number[], w: readonly number[]) => {
    const padN = L + 1 - ids.length;
    const r = [...ids, ...new Array<number>(padN).fill(vocab.pad)], rw = [...w, ...new Array<number>(padN).fill(0)];
    rows.push({ ids: r.slice(0, L), targets: r.slice(1), weights: rw.slice(1) });
  };
  const flush = () => {
    if (bufIds.length > 0) emit(bufIds, bufW);
    bufIds = []; bufW = [];
  };
  sequences.forEach((s, i) => {
    if (s.ids.length < 2) throw new RangeError(`pack: sequence ${i} has ${s.ids.length} tokens; it needs at least 2 (one target)`);
    checkWeights(s.weights, s.ids.length, `pack: sequence ${i}`);
    s.ids.forEach((id, t) => { if (!vocab.isValid(id)) throw new RangeError(`pack: sequence ${i} position ${t} holds ${vocab.describe(id)}`); });
    if (bufIds.length + s.ids.length > L + 1) flush();
    let pos = 0;
    while (s.ids.length - pos > L + 1) {
      emit(s.ids.slice(pos, pos + L + 1), s.weights.slice(pos, pos + L + 1));
      pos += L;
    }
    bufIds.push(...s.ids.slice(pos));
    bufW.push(...s.weights.slice(pos));
  });
  flush();
  return rows;
}
