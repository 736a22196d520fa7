/**
 * retrieval/metrics.ts — recall@k for paired embeddings by exact (brute-force) inner-product search.
 * Pair i's text and image are each other's only correct answer ("strict"); the concept variant
 * counts any item of the same concept (another style of the same emoji) as a hit. The random
 * baselines are the expected recalls of a uniformly random ranking.
 */

export interface RecallReport {
  n: number;
  t2i: Record<number, number>;
  i2t: Record<number, number>;
  t2iConcept: Record<number, number>;
  i2tConcept: Record<number, number>;
  random: Record<number, number>;
  randomConcept: Record<number, number>;
}

/** Inner product of two equal-length vectors (the retrieval score). */
export function dot(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) throw new RangeError(`vectors differ in length (${a.length} vs ${b.length})`);
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] * b[i];
  return s;
}

/** For each query q: strict rank of item q and the best rank of an item sharing q's concept. */
function ranks(queries: readonly Float32Array[], items: readonly Float32Array[], concepts: readonly string[]): { strict: number[]; concept: number[] } {
  const strict: number[] = [], concept: number[] = [];
  const scores = new Float64Array(items.length);
  queries.forEach((q, i) => {
    for (let j = 0; j < items.length; j++) scores[j] = dot(q, items[j]);
    let sameMax = -Infinity;
    for (let j = 0; j < items.length; j++) if (concepts[j] === concepts[i]) sameMax = Math.max(sameMax, scores[j]);
    let above = 0, aboveSame = 0;
    for (let j = 0; j < items.length; j++) {
      if (scores[j] > scores[i]) above++;
      if (scores[j] > sameMax) aboveSame++;
    }
    strict.push(above);
    concept.push(aboveSame);
  });
  return { strict, concept };
}

export function recallAtK(texts: readonly Float32Array[], images: readonly Float32Array[], concepts: readonly string[], ks: readonly number[]): RecallReport {
  const n = texts.length;
  if (images.length !== n || concepts.length !== n || n === 0) throw new RangeError(`recallAtK: needs equal, non-zero counts (${n} texts, ${images.length} images, ${concepts.length} concepts)`);
  const t = ranks(texts, images, concepts), v = ranks(images, texts, concepts);
  const frac = (rs: number[], k: number) => rs.filter((r) => r < k).length / n;
  const counts = new Map<string, number>();
  for (const c of concepts) counts.set(c, (counts.get(c) ?? 0) + 1);
  const rep: RecallReport = { n, t2i: {}, i2t: {}, t2iConcept: {}, i2tConcept: {}, random: {}, randomConcept: {} };
  for (const k of ks) {
    rep.t2i[k] = frac(t.strict, k);
    rep.i2t[k] = frac(v.strict, k);
    rep.t2iConcept[k] = frac(t.concept, k);
    rep.i2tConcept[k] = frac(v.concept, k);
    rep.random[k] = Math.min(1, k / n);
    let rc = 0;
    for (const c of concepts) {
      const m = counts.get(c)!;
      let miss = 1;
      for (let i = 0; i < k; i++) miss *= Math.max(0, n - m - i) / (n - i);
      rc += 1 - miss;
    }
    rep.randomConcept[k] = rc / n;
  }
  return rep;
}
