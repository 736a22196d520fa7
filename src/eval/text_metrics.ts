/**
 * eval/text_metrics.ts — caption metrics for image→text evaluation.
 *
 * tokenize        NFKD, strip combining marks, lowercase, split on runs of non-letters/digits.
 *                 (The COCO toolkit uses the PTB tokenizer; ours is simpler, so scores are close
 *                 to, not identical with, published ones.)
 * bleu            corpus BLEU (Papineni et al. 2002, "BLEU: a Method for Automatic Evaluation of
 *                 Machine Translation"): clipped n-gram counts summed over the corpus, geometric
 *                 mean of p₁..p₄, brevity penalty exp(1 − r/c) when c ≤ r, r the sum of the
 *                 reference lengths closest to each candidate (ties: the shorter, as coco-caption).
 *                 Smoothing 'exp' (default) = Chen & Cherry 2014 method 3, sacrebleu's default:
 *                 the k-th order with zero matches gets p = 1/(2^k · total). No match at all
 *                 scores 0, and orders no candidate is long enough to have are left out of the
 *                 mean (sacrebleu's "effective order"). 'none' = the original, 0 on any zero p.
 *                 Scores are in [0, 1] (not ×100).
 * ciderD          CIDEr-D (Vedantam et al. 2015, "CIDEr: Consensus-based Image Description
 *                 Evaluation", and the coco-caption `ciderD` scorer): per n = 1..4, tf-idf vectors
 *                 g = tf · (log |I| − log max(1, df)) with df = number of images whose references
 *                 contain the n-gram; sim = Σ min(g_c, g_r)·g_r / (‖g_c‖‖g_r‖) (the clipping),
 *                 times the Gaussian length penalty exp(−(l_c − l_r)²/(2σ²)), σ = 6; averaged over
 *                 n and over the references, ×10. Corpus score = mean over candidates. The idf
 *                 comes from the references passed in, so a single image (log |I| = 0) scores 0.
 * containsConcept whether a caption contains a concept name (or an alias) as a contiguous token
 *                 sequence after tokenisation: "a red-apple!" contains "Red apple", "pineapple"
 *                 does not contain "apple". No stemming: "apples" does not contain "apple".
 */

/** BLEU's maximum n-gram order. */
export const BLEU_MAX_ORDER = 4;
/** CIDEr's maximum n-gram order. */
export const CIDER_MAX_ORDER = 4;
/** σ of CIDEr-D's Gaussian length penalty (in tokens). */
export const CIDER_D_SIGMA = 6;
/** CIDEr's output scale (coco-caption multiplies by 10). */
export const CIDER_SCALE = 10;

export type BleuSmoothing = 'exp' | 'none';
/** Per candidate: one reference string or several. */
export type References = readonly (string | readonly string[])[];

export function tokenize(text: string): string[] {
  if (typeof text !== 'string') throw new RangeError(`tokenize expects a string, got ${typeof text}`);
  return text.normalize('NFKD').replace(/\p{M}+/gu, '').toLowerCase().split(/[^\p{L}\p{N}]+/u).filter((t) => t.length > 0);
}

/** Counts of the n-grams of one order (keys joined by ' '; tokens never contain spaces). */
function ngrams(tokens: readonly string[], n: number): Map<string, number> {
  const out = new Map<string, number>();
  for (let i = 0; i + n <= tokens.length; i++) {
    const key = tokens.slice(i, i + n).join(' ');
    out.set(key, (out.get(key) ?? 0) + 1);
  }
  return out;
}

/** Tokenised candidates and reference sets, checked: same count, >= 1 candidate, >= 1 reference each. */
function prepare(fn: string, candidates: readonly string[], references: References): { cands: string[][]; refs: string[][][] } {
  if (candidates.length === 0) throw new RangeError(`${fn}: candidates is empty`);
  if (candidates.length !== references.length) {
    throw new RangeError(`${fn}: ${candidates.length} candidates but ${references.length} reference sets`);
  }
  const refs = references.map((r, i) => {
    const list = typeof r === 'string' ? [r] : r;
    if (list.length === 0) throw new RangeError(`${fn}: references[${i}] is empty`);
    return list.map((s, j) => {
      if (typeof s !== 'string') throw new RangeError(`${fn}: references[${i}][${j}] is not a string`);
      return tokenize(s);
    });
  });
  const cands = candidates.map((c, i) => {
    if (typeof c !== 'string') throw new RangeError(`${fn}: candidates[${i}] is not a string`);
    return tokenize(c);
  });
  return { cands, refs };
}

function checkOrder(fn: string, n: number): number {
  if (!Number.isInteger(n) || n < 1) throw new RangeError(`${fn}: maxOrder must be an integer >= 1, got ${n}`);
  return n;
}

export interface BleuOptions { maxOrder?: number; smoothing?: BleuSmoothing }

export interface BleuResult {
  /** Corpus BLEU in [0, 1]. */
  readonly score: number;
  /** p₁..p_N after smoothing (0 for orders left out of the mean). */
  readonly precisions: readonly number[];
  /** Clipped matches and candidate n-gram totals per order, summed over the corpus. */
  readonly matches: readonly number[];
  readonly totals: readonly number[];
  readonly brevityPenalty: number;
  /** c: total candidate tokens; r: total closest-reference tokens. */
  readonly candidateLength: number;
  readonly referenceLength: number;
}

/** Corpus-level BLEU of `candidates[i]` against `references[i]` (one string or several). */
export function bleu(candidates: readonly string[], references: References, options: BleuOptions = {}): BleuResult {
  const N = checkOrder('bleu', options.maxOrder ?? BLEU_MAX_ORDER);
  const smoothing = options.smoothing ?? 'exp';
  if (smoothing !== 'exp' && smoothing !== 'none') throw new RangeError(`bleu: smoothing must be 'exp' or 'none', got ${String(smoothing)}`);
  const { cands, refs } = prepare('bleu', candidates, references);
  const matches = new Array<number>(N).fill(0), totals = new Array<number>(N).fill(0);
  let c = 0, r = 0;
  cands.forEach((cand, i) => {
    c += cand.length;
    let best = refs[i][0].length;
    for (const ref of refs[i]) {
      const d = Math.abs(ref.length - cand.length), dBest = Math.abs(best - cand.length);
      if (d < dBest || (d === dBest && ref.length < best)) best = ref.length;
    }
    r += best;
    for (let n = 1; n <= N; n++) {
      const maxRef = new Map<string, number>();
      for (const ref of refs[i]) for (const [g, k] of ngrams(ref, n)) maxRef.set(g, Math.max(maxRef.get(g) ?? 0, k));
      for (const [g, k] of ngrams(cand, n)) matches[n - 1] += Math.min(k, maxRef.get(g) ?? 0);
      totals[n - 1] += Math.max(0, cand.length - n + 1);
    }
  });
  const brevityPenalty = c === 0 ? 0 : c > r ? 1 : Math.exp(1 - r / c);
  const precisions = new Array<number>(N).fill(0);
  const result = (score: number): BleuResult =>
    ({ score, precisions, matches, totals, brevityPenalty, candidateLength: c, referenceLength: r });
  if (c === 0 || matches.every((m) => m === 0)) return result(0);
  let logSum = 0, order = 0, halvings = 1;
  for (let n = 0; n < N; n++) {
    if (totals[n] === 0) {
      if (smoothing === 'none') return result(0);
      break; // no candidate has n+1 tokens: effective order n
    }
    if (matches[n] === 0) {
      if (smoothing === 'none') return result(0);
      halvings *= 2;
      precisions[n] = 1 / (halvings * totals[n]);
    } else {
      precisions[n] = matches[n] / totals[n];
    }
    logSum += Math.log(precisions[n]);
    order++;
  }
  return result(brevityPenalty * Math.exp(logSum / order));
}

export interface CiderOptions { maxOrder?: number; sigma?: number }

export interface CiderResult {
  /** Corpus CIDEr-D: mean of `scores`. */
  readonly score: number;
  /** Per-candidate CIDEr-D (0..10 when every reference equals the candidate). */
  readonly scores: Float64Array;
}

interface TfIdf { vec: Map<string, number>[]; norm: number[]; length: number }

/** CIDEr-D of `candidates[i]` against `references[i]`, idf over all reference sets passed. */
export function ciderD(candidates: readonly string[], references: References, options: CiderOptions = {}): CiderResult {
  const N = checkOrder('ciderD', options.maxOrder ?? CIDER_MAX_ORDER);
  const sigma = options.sigma ?? CIDER_D_SIGMA;
  if (!(sigma > 0) || !Number.isFinite(sigma)) throw new RangeError(`ciderD: sigma must be a finite number > 0, got ${sigma}`);
  const { cands, refs } = prepare('ciderD', candidates, references);
  const df = new Map<string, number>();
  for (const set of refs) {
    const seen = new Set<string>();
    for (const ref of set) for (let n = 1; n <= N; n++) for (const g of ngrams(ref, n).keys()) seen.add(g);
    for (const g of seen) df.set(g, (df.get(g) ?? 0) + 1);
  }
  const logImages = Math.log(refs.length);
  const tfidf = (tokens: readonly string[]): TfIdf => {
    const vec: Map<string, number>[] = [], norm: number[] = [];
    for (let n = 1; n <= N; n++) {
      const v = new Map<string, number>();
      let sq = 0;
      for (const [g, tf] of ngrams(tokens, n)) {
        const w = tf * (logImages - Math.log(Math.max(1, df.get(g) ?? 0)));
        v.set(g, w);
        sq += w * w;
      }
      vec.push(v); norm.push(Math.sqrt(sq));
    }
    return { vec, norm, length: tokens.length };
  };
  const scores = Float64Array.from(cands, (cand, i) => {
    const h = tfidf(cand);
    let total = 0;
    for (const ref of refs[i]) {
      const g = tfidf(ref);
      const penalty = Math.exp(-((h.length - g.length) ** 2) / (2 * sigma * sigma));
      for (let n = 0; n < N; n++) {
        let val = 0;
        for (const [key, wh] of h.vec[n]) {
          const wr = g.vec[n].get(key) ?? 0;
          val += Math.min(wh, wr) * wr;
        }
        if (h.norm[n] !== 0 && g.norm[n] !== 0) val /= h.norm[n] * g.norm[n];
        total += val * penalty;
      }
    }
    return (CIDER_SCALE * total) / (N * refs[i].length);
  });
  let sum = 0;
  for (const s of scores) sum += s;
  return { score: sum / scores.length, scores };
}

/** Whether `caption` contains the concept name (or any of its aliases) as a token sequence. */
export function containsConcept(caption: string, concept: string | readonly string[]): boolean {
  const words = tokenize(caption);
  const names = typeof concept === 'string' ? [concept] : concept;
  if (names.length === 0) throw new RangeError('containsConcept: no concept name given');
  return names.some((name) => {
    const want = tokenize(name);
    if (want.length === 0) throw new RangeError(`containsConcept: concept name ${JSON.stringify(name)} has no letters or digits`);
    for (let i = 0; i + want.length <= words.length; i++) {
      if (want.every((w, k) => words[i + k] === w)) return true;
    }
    return false;
  });
}

/** Exact-concept accuracy: the fraction of captions containing their concept (see containsConcept). */
export function conceptAccuracy(captions: readonly string[], concepts: readonly (string | readonly string[])[]): number {
  if (captions.length === 0) throw new RangeError('conceptAccuracy: captions is empty');
  if (captions.length !== concepts.length) {
    throw new RangeError(`conceptAccuracy: ${captions.length} captions but ${concepts.length} concepts`);
  }
  let hits = 0;
  captions.forEach((c, i) => { if (containsConcept(c, concepts[i])) hits++; });
  return hits / captions.length;
}
