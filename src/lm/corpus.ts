/**
 * lm/corpus.ts — the prepared pretraining corpus: every document of a dataset split tokenized once
 * (caption BPE ids, image codes from the image tokenizer), its retriever embedding, and its
 * top-M retrieval candidates from a memory (the training set itself, as in the paper; for held-out
 * documents, the training memory). Candidates of a training document are searched with a
 * query-dropout query (20% of caption tokens dropped, seeded per document: the query dropout of
 * §3, drawn once per document at preparation time); the per-step policy (threshold, dedup,
 * self-exclusion, k of the top pool at random) runs in lm/batches.ts.
 * Stored as one safetensors file (written atomically).
 */
import { readSafetensors, writeSafetensors, type SafeEntry } from '../io/safetensors.js';
import { dropQueryTokens } from '../retrieval/policy.js';
import type { Retriever } from '../retrieval/retriever.js';
import { matmul, noGrad, Rng, tensor, tidy, transpose } from '../tensor/index.js';
import type { ImageTokenizer } from '../tokenizer/image/tokenizer.js';
import type { TextTokenizer } from '../tokenizer/text/index.js';

export const CORPUS_FORMAT = 'cm3leon-corpus-v1';

/** Caption ids are cut to this many tokens, in training and in generation prompts alike. */
export const MAX_CAPTION_TOKENS = 48;

export interface CorpusDoc { id: string; concept: string; captions: number[][]; codes: number[] }

export interface Corpus {
  docs: CorpusDoc[];
  /** Document vectors (N x dim): (unit text + unit image) / 2. */
  embeddings: Float32Array;
  dim: number;
  /** Candidates per document (N x m), indices into the memory's docs, best first; -1 = none. */
  neighbours: Int32Array;
  scores: Float32Array;
  m: number;
  /** Ids of the tokenizers/retriever that made it, checked at training time. */
  meta: Record<string, string>;
}

export interface SourceDoc { id: string; concept: string; captions: string[]; image: Uint8Array }

export interface PrepareOptions {
  text: TextTokenizer;
  image: ImageTokenizer;
  retriever: Retriever;
  /** Caption ids are cut to this many tokens. */
  maxCaptionTokens: number;
  /** Candidates kept per document. */
  m: number;
  queryDropout: number;
  seed: number;
  /** Search this memory instead of the corpus itself (held-out documents -> training memory). */
  memory?: Corpus;
  onProgress?: (stage: string, done: number, total: number) => void;
}

/** Top-m inner products of each query against all keys, exact, via the engine's GEMM in chunks. */
export function exactTopM(queries: Float32Array, keys: Float32Array, dim: number, m: number): { idx: Int32Array; score: Float32Array } {
  const Q = queries.length / dim, N = keys.length / dim, chunk = 512;
  const idx = new Int32Array(Q * m).fill(-1), score = new Float32Array(Q * m).fill(-Infinity);
  const K = tensor(keys, [N, dim]);
  for (let q0 = 0; q0 < Q; q0 += chunk) {
    const rows = Math.min(chunk, Q - q0);
    const s = noGrad(() => tidy(() => matmul(tensor(queries.subarray(q0 * dim, (q0 + rows) * dim), [rows, dim]), transpose(K, 0, 1)).flat().slice()));
    for (let r = 0; r < rows; r++) {
      const base = (q0 + r) * m;
      for (let j = 0; j < N; j++) {
        const v = s[r * N + j];
        if (v <= score[base + m - 1]) continue;
        let p = m - 1;
        while (p > 0 && score[base + p - 1] < v) { score[base + p] = score[base + p - 1]; idx[base + p] = idx[base + p - 1]; p--; }
        score[base + p] = v;
        idx[base + p] = j;
      }
    }
  }
  return { idx, score };
}

export function prepareCorpus(src: readonly SourceDoc[], o: PrepareOptions): Corpus {
  const N = src.length, E = o.retriever.dim, step = 256;
  const docs: CorpusDoc[] = [];
  const embeddings = new Float32Array(N * E), queries = new Float32Array(N * E);
  const c = o.retriever.config;
  for (let i = 0; i < N; i += step) {
    const part = src.slice(i, i + step);
    const codes = o.image.encode(part.map((d) => d.image));
    const img = o.retriever.embedImages(part.map((d) => d.image));
    const captionIds = part.map((d) => d.captions.map((t) => o.text.encode(t).slice(0, o.maxCaptionTokens)).filter((ids) => ids.length > 0));
    captionIds.forEach((ids, k) => { if (ids.length === 0) throw new RangeError(`document ${part[k].id}: no caption tokens`); });
    const first = captionIds.map((ids) => ids[0].slice(0, c.maxTextLen));
    const dropped = first.map((ids, k) => dropQueryTokens(ids, o.queryDropout, new Rng(o.seed * 1_000_003 + i + k)));
    const t = o.retriever.embedTextIds(first), tq = o.retriever.embedTextIds(dropped);
    part.forEach((d, k) => {
      docs.push({ id: d.id, concept: d.concept, captions: captionIds[k], codes: codes[k] });
      for (let j = 0; j < E; j++) {
        embeddings[(i + k) * E + j] = (t[k][j] + img[k][j]) / 2;
        queries[(i + k) * E + j] = (tq[k][j] + img[k][j]) / 2;
      }
    });
    o.onProgress?.('encode', Math.min(N, i + step), N);
  }
  const memory = o.memory ?? { embeddings, dim: E };
  if (memory.dim !== E) throw new RangeError(`memory dim ${memory.dim} != retriever dim ${E}`);
  o.onProgress?.('search', 0, N);
  const { idx, score } = exactTopM(queries, memory.embeddings, E, o.m);
  o.onProgress?.('search', N, N);
  return { docs, embeddings, dim: E, neighbours: idx, scores: score, m: o.m, meta: {} };
}

export function saveCorpus(path: string, c: Corpus): void {
  const N = c.docs.length;
  const capCounts: number[] = [], capLens: number[] = [], capIds: number[] = [], codes: number[] = [];
  for (const d of c.docs) {
    capCounts.push(d.captions.length);
    for (const ids of d.captions) { capLens.push(ids.length); capIds.push(...ids); }
    codes.push(...d.codes);
  }
  const t: Record<string, SafeEntry> = {
    embeddings: { dtype: 'F32', shape: [N, c.dim], data: c.embeddings },
    neighbours: { dtype: 'I32', shape: [N, c.m], data: c.neighbours },
    scores: { dtype: 'F32', shape: [N, c.m], data: c.scores },
    codes: { dtype: 'I32', shape: [N, codes.length / Math.max(1, N)], data: Int32Array.from(codes) },
    caption_counts: { dtype: 'I32', shape: [N], data: Int32Array.from(capCounts) },
    caption_lengths: { dtype: 'I32', shape: [capLens.length], data: Int32Array.from(capLens) },
    caption_ids: { dtype: 'I32', shape: [capIds.length], data: Int32Array.from(capIds) },
  };
  writeSafetensors(path, t, { ...c.meta, format: CORPUS_FORMAT, ids: JSON.stringify(c.docs.map((d) => d.id)), concepts: JSON.stringify(c.docs.map((d) => d.concept)) });
}

export function loadCorpus(path: string): Corpus {
  const f = readSafetensors(path);
  if (f.metadata.format !== CORPUS_FORMAT) throw new RangeError(`${path}: not a cm3leon corpus (format "${f.metadata.format ?? 'none'}")`);
  const get = (k: string) => {
    const e = f.tensors.get(k);
    if (!e) throw new RangeError(`${path}: missing tensor "${k}"`);
    return e;
  };
  const ids = JSON.parse(f.metadata.ids) as string[], concepts = JSON.parse(f.metadata.concepts) as string[];
  const emb = get('embeddings'), nb = get('neighbours'), codes = get('codes');
  const counts = get('caption_counts').data as Int32Array, lens = get('caption_lengths').data as Int32Array, capIds = get('caption_ids').data as Int32Array;
  const G = codes.shape[1], codeData = codes.data as Int32Array;
  let li = 0, pos = 0;
  const docs = ids.map((id, i) => {
    const captions: number[][] = [];
    for (let k = 0; k < counts[i]; k++) { captions.push(Array.from(capIds.subarray(pos, pos + lens[li]))); pos += lens[li++]; }
    return { id, concept: concepts[i], captions, codes: Array.from(codeData.subarray(i * G, (i + 1) * G)) };
  });
  const { format: _f, ids: _i, concepts: _c, ...meta } = f.metadata;
  return {
    docs, embeddings: emb.data as Float32Array, dim: emb.shape[1], neighbours: nb.data as Int32Array,
    scores: get('scores').data as Float32Array, m: nb.shape[1], meta,
  };
}
