/**
 * retrieval/synthetic.ts — structured synthetic embeddings for testing and benchmarking the
 * memory bank, and exact top-k by brute force as the ground truth for ANN recall.
 *
 * Real retriever embeddings are clustered (concepts, styles); uniform random vectors in high
 * dimension are all nearly orthogonal, which no ANN index can rank, so recall measured on them
 * says nothing. Here: a mixture of gaussian clusters around random unit centroids, normalised.
 */
import type { Rng } from '../tensor/index.js';

export interface ClusterSpec {
  dim: number;
  clusters: number;
  /** Norm of a point's offset from its centroid, relative to the unit centroid (0.8: members have cosine ≈ 0.6). */
  spread: number;
}

function normalise(v: Float32Array, off: number, dim: number): void {
  let s = 0;
  for (let i = 0; i < dim; i++) s += v[off + i] * v[off + i];
  const inv = 1 / Math.sqrt(s);
  for (let i = 0; i < dim; i++) v[off + i] *= inv;
}

/** `clusters` random unit centroids, row-major (clusters × dim). */
export function makeCentroids(spec: ClusterSpec, rng: Rng): Float32Array {
  const c = new Float32Array(spec.clusters * spec.dim);
  for (let i = 0; i < c.length; i++) c[i] = rng.normal();
  for (let j = 0; j < spec.clusters; j++) normalise(c, j * spec.dim, spec.dim);
  return c;
}

/** n unit vectors (n × dim, row-major), each from a uniformly chosen cluster. */
export function sampleClustered(centroids: Float32Array, spec: ClusterSpec, n: number, rng: Rng): Float32Array {
  const { dim } = spec;
  const out = new Float32Array(n * dim);
  const sigma = spec.spread / Math.sqrt(dim);
  for (let r = 0; r < n; r++) {
    const c = rng.int(spec.clusters) * dim, off = r * dim;
    for (let i = 0; i < dim; i++) out[off + i] = centroids[c + i] + sigma * rng.normal();
    normalise(out, off, dim);
  }
  return out;
}

/** Row indices of the k largest inner products of each query with the base vectors, best first. */
export function exactTopK(base: Float32Array, queries: Float32Array, dim: number, k: number): number[][] {
  const n = base.length / dim, nq = queries.length / dim;
  const best = Array.from({ length: nq }, () => ({ idx: [] as number[], score: [] as number[] }));
  const scores = new Float64Array(nq);
  for (let r = 0; r < n; r++) {
    const off = r * dim;
    for (let q = 0; q < nq; q++) {
      let s = 0;
      const qo = q * dim;
      for (let i = 0; i < dim; i++) s += base[off + i] * queries[qo + i];
      scores[q] = s;
    }
    for (let q = 0; q < nq; q++) {
      const b = best[q], s = scores[q];
      if (b.idx.length === k && s <= b.score[k - 1]) continue;
      let p = b.idx.length === k ? k - 1 : b.idx.length;
      while (p > 0 && b.score[p - 1] < s) { b.score[p] = b.score[p - 1]; b.idx[p] = b.idx[p - 1]; p--; }
      b.score[p] = s; b.idx[p] = r;
    }
  }
  return best.map((b) => b.idx);
}

/** Mean fraction of each exact top-k list found in the matching approximate list. */
export function recallAtK(approx: readonly (readonly string[])[], exact: readonly (readonly string[])[]): number {
  let hit = 0, total = 0;
  exact.forEach((truth, q) => {
    const got = new Set(approx[q]);
    for (const id of truth) if (got.has(id)) hit++;
    total += truth.length;
  });
  return total === 0 ? 1 : hit / total;
}
