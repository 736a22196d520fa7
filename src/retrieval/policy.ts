/**
 * retrieval/policy.ts — which retrieved documents a query gets (paper §3, "three properties"):
 *
 * - relevance: candidates ranked by their inner-product score against the query;
 * - diversity: skip candidates scoring above `maxScore` (0.9 in the paper: near-copies of the
 *   query itself), and candidates whose embedding has an inner product above `dedup` with one
 *   already chosen (near-copies of each other);
 * - never the query document itself at training time (`excludeIds`);
 * - training samples k = 3 documents at random from the top `pool` survivors ("3 retrieved
 *   samples chosen at random"); inference takes the top k (0–2 in the paper's Table 1);
 * - query dropout: 20% of the query's tokens are dropped before it is embedded for retrieval
 *   at training time (`dropQueryTokens`).
 *
 * Pure functions: all randomness comes from a seeded `Rng`, so results are fixed by the seed.
 */
import { dot } from './metrics.js';
import { ConfigError, mergeConfig } from '../config/config.js';
import type { Rng } from '../tensor/index.js';

export type RetrievalMode = 'train' | 'infer';

export type RetrievalConfig = {
  mode: RetrievalMode;
  /** Documents to return. */
  k: number;
  /** Train mode: sample k from this many top survivors. */
  pool: number;
  /** Skip candidates scoring above this against the query. */
  maxScore: number;
  /** Skip a candidate whose inner product with an already chosen one is above this. */
  dedup: number;
  /** Fraction of query tokens dropped at training time. */
  queryDropout: number;
};

export const RETRIEVAL_DEFAULTS: Readonly<RetrievalConfig> = Object.freeze({
  mode: 'train',
  k: 3,
  pool: 10,
  maxScore: 0.9,
  dedup: 0.95,
  queryDropout: 0.2,
});

const MODES: readonly RetrievalMode[] = ['train', 'infer'];

/** The defaults with `patch` applied; unknown keys, wrong types and out-of-range values throw. */
export function retrievalConfig(patch: Record<string, unknown> = {}): RetrievalConfig {
  const c = mergeConfig<RetrievalConfig>({ ...RETRIEVAL_DEFAULTS }, patch, 'retrieval');
  if (!MODES.includes(c.mode)) throw new ConfigError(`retrieval key "mode" must be one of ${MODES.join(', ')}, got "${c.mode}"`);
  if (!Number.isInteger(c.k) || c.k < 0) throw new ConfigError(`retrieval key "k" must be an integer >= 0, got ${c.k}`);
  if (!Number.isInteger(c.pool) || c.pool < c.k) throw new ConfigError(`retrieval key "pool" must be an integer >= k (${c.k}), got ${c.pool}`);
  checkDropRate(c.queryDropout, 'retrieval key "queryDropout"');
  return c;
}

function checkDropRate(rate: number, what: string): void {
  if (!(rate >= 0 && rate < 1)) throw new ConfigError(`${what} must be in [0, 1), got ${rate}`);
}

export interface Candidate {
  id: string;
  /** Inner product with the query. */
  score: number;
  embedding: ArrayLike<number>;
}

export interface SelectOptions extends Partial<RetrievalConfig> {
  excludeIds?: Iterable<string>;
  /** Required in train mode. */
  rng?: Rng;
}

/**
 * The documents to prepend to a query, best score first. Fewer than k come back when fewer
 * candidates survive the rules.
 */
export function selectDocuments<C extends Candidate>(candidates: readonly C[], opts: SelectOptions = {}): C[] {
  const { excludeIds, rng, ...patch } = opts;
  const cfg = retrievalConfig(patch);
  if (cfg.mode === 'train' && !rng) throw new Error('selectDocuments in train mode samples at random: pass rng (a seeded Rng)');
  for (const c of candidates) {
    if (!Number.isFinite(c.score)) throw new RangeError(`candidate "${c.id}" has score ${c.score} (must be finite)`);
  }
  const exclude = new Set(excludeIds ?? []);
  const ranked = [...candidates].sort((a, b) => b.score - a.score || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  const want = cfg.mode === 'train' ? cfg.pool : cfg.k;
  const survivors: C[] = [];
  for (const c of ranked) {
    if (survivors.length >= want) break;
    if (exclude.has(c.id) || c.score > cfg.maxScore) continue;
    if (survivors.some((s) => s.id === c.id || dot(s.embedding, c.embedding) > cfg.dedup)) continue;
    survivors.push(c);
  }
  if (cfg.mode === 'infer' || survivors.length <= cfg.k) return survivors.slice(0, cfg.k);
  // Partial Fisher–Yates: k distinct survivors, uniformly at random.
  const order = survivors.map((_, i) => i);
  for (let i = 0; i < cfg.k; i++) {
    const j = i + rng!.int(order.length - i);
    [order[i], order[j]] = [order[j], order[i]];
  }
  return order.slice(0, cfg.k).sort((a, b) => a - b).map((i) => survivors[i]);
}

/**
 * Query dropout: each token is dropped independently with probability `rate` (paper: 20%), the
 * order of the rest kept. Never drops every token (one is kept at random); rate 0 is the identity.
 */
export function dropQueryTokens(ids: readonly number[], rate: number = RETRIEVAL_DEFAULTS.queryDropout, rng: Rng): number[] {
  checkDropRate(rate, 'dropQueryTokens rate');
  if (rate === 0 || ids.length === 0) return [...ids];
  const kept = ids.filter(() => rng.uniform() >= rate);
  return kept.length > 0 ? kept : [ids[rng.int(ids.length)]];
}
