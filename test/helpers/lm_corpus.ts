/** A small synthetic pretraining corpus for the tiny model (test/lm, test/backend/webgpu_train). */
import { exactTopM, type Corpus } from '../../src/lm/corpus.js';
import { Rng } from '../../src/tensor/index.js';

/** N documents in 8 topics; a topic fixes caption words and image codes; embeddings cluster by topic. */
export function topicCorpus(n: number, seed: number, memory?: Corpus): Corpus {
  const rng = new Rng(seed), E = 8;
  const docs = Array.from({ length: n }, (_, i) => {
    const t = rng.int(8);
    return { id: `d${seed}-${i}`, concept: `t${t}`, captions: [[t + 1, 20 + t, 30 + rng.int(10)], [t + 1, 9, 20 + t]], codes: [t, t, (t + 1) % 16, rng.int(16)] };
  });
  const embeddings = new Float32Array(n * E);
  docs.forEach((d, i) => { const t = Number(d.concept.slice(1)); for (let j = 0; j < E; j++) embeddings[i * E + j] = (j === t ? 0.8 : 0) + 0.1 * rng.normal(); });
  const mem = memory ?? { embeddings, dim: E };
  const { idx, score } = exactTopM(embeddings, mem.embeddings, E, 6);
  return { docs, embeddings, dim: E, neighbours: idx, scores: score, m: 6, meta: { test: 'yes' } };
}
