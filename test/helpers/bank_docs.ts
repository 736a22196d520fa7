/**
 * Deterministic documents for the memory-bank tests (and the child process of the atomicity
 * test): ids `<prefix><i>`, tiny fake PNG bytes, a few codes, embeddings given or clustered.
 */
import type { BankDocument } from '../../src/retrieval/bank.js';
import { makeCentroids, sampleClustered, type ClusterSpec } from '../../src/retrieval/synthetic.js';
import { Rng } from '../../src/tensor/index.js';

/** Documents whose embeddings are the rows of `vectors` (n × dim). */
export function docsFrom(vectors: Float32Array, dim: number, prefix = 'doc', imageBytes = 8): BankDocument[] {
  const n = vectors.length / dim;
  return Array.from({ length: n }, (_, i) => ({
    id: `${prefix}${i}`,
    caption: `caption of ${prefix}${i}`,
    image: new Uint8Array(imageBytes).fill(i % 251),
    codes: i % 3 === 0 ? [] : [i, i + 1, 4095],
    source: i % 2 ? 'emoji' : 'scene',
    licence: '{"spdx":"CC-BY-4.0"}',
    embedding: vectors.subarray(i * dim, (i + 1) * dim),
  }));
}

/** n clustered unit vectors and their documents, fixed by the seed. */
export function clusteredDocs(n: number, spec: ClusterSpec, seed: number, prefix = 'doc'): { vectors: Float32Array; docs: BankDocument[]; centroids: Float32Array } {
  const rng = new Rng(seed);
  const centroids = makeCentroids(spec, rng);
  const vectors = sampleClustered(centroids, spec, n, rng);
  return { vectors, docs: docsFrom(vectors, spec.dim, prefix), centroids };
}
