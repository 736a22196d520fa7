/**
 * lm/batches.ts — training and evaluation rows from a prepared corpus. A training sequence is one
 * query document (a random caption and its image, text or image first, CM3-transformed) with k
 * retrieved documents before it, chosen by the retrieval policy from the document's candidates
 * (never itself, none scoring > maxScore against the query, no near-duplicates, k at random from
 * the top pool). A batch is a deterministic function of (seed, step), so resuming at a step
 * replays exactly the batches an uninterrupted run would have seen.
 */
import { mergeConfig } from '../config/config.js';
import { cm3, CM3_DEFAULTS } from '../model/cm3.js';
import { buildRaSequence, orderPair, pack, type PackedRow, type Weighted } from '../model/sequence.js';
import { selectDocuments, type Candidate } from '../retrieval/policy.js';
import { Rng, Tensor } from '../tensor/index.js';
import type { Vocab } from '../tokenizer/vocab.js';
import type { Corpus, CorpusDoc } from './corpus.js';

export type LmDataConfig = {
  contextLength: number;
  /** Retrieved documents per training sequence (paper: 3). */
  retrieved: number;
  /** Training samples `retrieved` of this many top candidates. */
  pool: number;
  maxScore: number;
  dedup: number;
  /** Loss weight of retrieved documents' tokens (1: CM3Leon; RA-CM3 used 0.1). */
  retrievedWeight: number;
  /** Share of query documents given the CM3 span transform. */
  maskedFraction: number;
  /** Share of query documents ordered image first (image -> text). */
  imageFirstProb: number;
  /** Retrieved documents in evaluation sequences (inference uses 0-2; default 2). */
  evalRetrieved: number;
};

/**
 * maxScore 0.95, not the paper's 0.9: the paper's threshold is on CLIP ViT-B/32 scores; our
 * retriever's scores are compressed (top-16 candidates of a training document: p50 0.879, p90
 * 0.930), so 0.9 left 27.5% of training queries with no retrieved document at all, while 0.95
 * gives 99.6% of them all three and still skips the top ~5% (near-copies: other styles of the
 * same emoji with the same caption). Generation uses the same value (generate/pipeline.ts).
 */
export const LM_DATA_DEFAULTS: Readonly<LmDataConfig> = Object.freeze({
  contextLength: 384, retrieved: 3, pool: 10, maxScore: 0.95, dedup: 0.95, retrievedWeight: 1, maskedFraction: 0.5,
  imageFirstProb: 0.5, evalRetrieved: 2,
});

export function lmDataConfig(patch: Record<string, unknown> = {}): LmDataConfig {
  return mergeConfig<LmDataConfig>({ ...LM_DATA_DEFAULTS }, patch, 'lm data');
}

/** Text and image ids of a document's caption `c` and its image. */
function parts(d: CorpusDoc, c: number, vocab: Vocab): { caption: number[]; image: number[] } {
  return { caption: d.captions[c], image: d.codes.map((x) => vocab.image(x)) };
}

/** A retrieved (memory) document: text first, first caption. */
export function memoryDocIds(d: CorpusDoc, vocab: Vocab): number[] {
  const p = parts(d, 0, vocab);
  return [...p.caption, vocab.brk, ...p.image];
}

const indexCache = new WeakMap<Corpus, Map<string, number>>();

/** Position of each document id in a corpus (cached per corpus). */
function indexOf(c: Corpus): Map<string, number> {
  let m = indexCache.get(c);
  if (!m) indexCache.set(c, (m = new Map(c.docs.map((d, n) => [d.id, n]))));
  return m;
}

function candidates(corpus: Corpus, memory: Corpus, i: number): Candidate[] {
  const out: Candidate[] = [], E = memory.dim;
  for (let j = 0; j < corpus.m; j++) {
    const n = corpus.neighbours[i * corpus.m + j];
    if (n < 0) continue;
    out.push({ id: memory.docs[n].id, score: corpus.scores[i * corpus.m + j], embedding: memory.embeddings.subarray(n * E, (n + 1) * E) });
  }
  return out;
}

/** The retrieved documents' ids for document i of `corpus`, searched in `memory`. */
export function retrievedFor(corpus: Corpus, memory: Corpus, i: number, vocab: Vocab, mode: 'train' | 'infer', k: number, cfg: LmDataConfig, rng?: Rng): number[][] {
  if (k === 0) return [];
  const byId = indexOf(memory);
  const chosen = selectDocuments(candidates(corpus, memory, i), {
    mode, k, pool: Math.max(k, cfg.pool), maxScore: cfg.maxScore, dedup: cfg.dedup, excludeIds: [corpus.docs[i].id], rng,
  });
  return chosen.map((c) => memoryDocIds(memory.docs[byId.get(c.id)!], vocab));
}

export function trainingSequence(corpus: Corpus, i: number, vocab: Vocab, cfg: LmDataConfig, rng: Rng): Weighted {
  const d = corpus.docs[i];
  const p = parts(d, rng.int(d.captions.length), vocab);
  const pair = orderPair(p.caption, p.image, vocab, rng, { imageFirstProb: cfg.imageFirstProb });
  const q = cm3(pair.ids, vocab, rng, { maskedFraction: cfg.maskedFraction, maxSpans: Math.min(CM3_DEFAULTS.maxSpans, vocab.config.maskSentinels) });
  const retrieved = retrievedFor(corpus, corpus, i, vocab, 'train', cfg.retrieved, cfg, rng);
  return buildRaSequence({ ids: q.ids, weights: q.weights }, retrieved, vocab, { retrievedWeight: cfg.retrievedWeight, maxLength: cfg.contextLength + 1 });
}

/** Seed of the batch at `step`: batches depend only on (seed, step). */
export function stepSeed(seed: number, step: number): number {
  return (Math.imul(seed ^ 0x9e3779b9, 0x85ebca6b) + Math.imul(step + 1, 0xc2b2ae35)) >>> 0;
}

export function trainingBatch(corpus: Corpus, vocab: Vocab, cfg: LmDataConfig, seed: number, step: number, rows: number): PackedRow[] {
  const rng = new Rng(stepSeed(seed, step));
  const seqs: Weighted[] = [];
  let packed: PackedRow[] = [];
  while (packed.length < rows) {
    for (let s = 0; s < rows; s++) seqs.push(trainingSequence(corpus, rng.int(corpus.docs.length), vocab, cfg, rng));
    packed = pack(seqs, cfg.contextLength, vocab);
  }
  return packed.slice(0, rows);
}

/**
 * Evaluation rows: each held-out document text first, unmasked, with the top evalRetrieved
 * documents from the training memory (inference-mode policy), packed.
 */
export function evalRows(evalCorpus: Corpus, memory: Corpus, vocab: Vocab, cfg: LmDataConfig, limit: number): PackedRow[] {
  const seqs: Weighted[] = [];
  for (let i = 0; i < Math.min(limit, evalCorpus.docs.length); i++) {
    const p = parts(evalCorpus.docs[i], 0, vocab);
    const doc = [...p.caption, vocab.brk, ...p.image];
    const retrieved = retrievedFor(evalCorpus, memory, i, vocab, 'infer', cfg.evalRetrieved, cfg);
    seqs.push(buildRaSequence(doc, retrieved, vocab, { maxLength: cfg.contextLength + 1 }));
  }
  return pack(seqs, cfg.contextLength, vocab);
}

/** Rows -> (B, T) ids and targets (i32) and weights (f32). */
export function rowTensors(rows: readonly PackedRow[]): { ids: Tensor; targets: Tensor; weights: Tensor } {
  const B = rows.length, T = rows[0].ids.length;
  const ids = Tensor.empty([B, T], 'i32'), targets = Tensor.empty([B, T], 'i32'), weights = Tensor.empty([B, T]);
  rows.forEach((r, b) => {
    ids.data.set(r.ids, b * T);
    targets.data.set(r.targets, b * T);
    weights.data.set(r.weights, b * T);
  });
  return { ids, targets, weights };
}
