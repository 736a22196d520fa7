/**
 * retrieval/bank_index.ts — when and how the memory bank gets its ANN index.
 *
 * Below `exactThreshold` rows the bank has no vector index and every search is an exact (flat)
 * inner-product scan. From there on it has one IVF_PQ index on `embedding`, trained with the dot
 * distance (the retriever's relevance is an inner product of normalised vectors). PQ codes alone
 * rank poorly (recall@10 ≈ 0.3 measured on 100k × 512-d), so queries re-rank `refineFactor × k`
 * PQ candidates with the full vectors. How many is enough depends on how tightly the neighbours
 * crowd: with clustered 256-d data whose top-10 are near-ties inside a cluster (bench/retrieval.ts,
 * 20k docs, all partitions probed) recall@10 was 0.73 / 0.97 / 1.00 at refine ×10 / ×20 / ×30 with
 * 16-d sub-vectors (0.90 at ×10 with 8-d ones, which double the index build time); ×30 costs
 * ~1–2 ms more per query than ×10 there.
 *
 * The index is retrained when the bank has grown `rebuildGrowth`× since it was trained (its IVF
 * centroids and PQ codebooks no longer fit the data); smaller additions are folded into the
 * existing index by `optimize()`. Rows not yet indexed are still searched, by a flat scan.
 */
import type { Table } from '@lancedb/lancedb';
import { Index } from '@lancedb/lancedb';
import { ConfigError, mergeConfig } from '../config/config.js';
import { EMBEDDING_COLUMN } from './bank_schema.js';

export type BankIndexConfig = {
  /** Below this many rows: no index, exact search. */
  exactThreshold: number;
  /** Target rows per IVF partition (partitions = rows / this). */
  rowsPerPartition: number;
  /** Dimensions per PQ sub-vector (8 or 16 keep Lance's SIMD kernels; 8 = finer codes, twice the build time). */
  subvectorDims: number;
  /** Partitions probed per query: max(minNprobes, ceil(probeFraction × partitions)). */
  minNprobes: number;
  probeFraction: number;
  /** PQ candidates re-ranked with the full vectors, as a multiple of k. */
  refineFactor: number;
  /** Retrain the index once the bank has this many times the rows it was trained on. */
  rebuildGrowth: number;
};

export const BANK_INDEX_DEFAULTS: Readonly<BankIndexConfig> = Object.freeze({
  exactThreshold: 20_000,
  rowsPerPartition: 4096,
  subvectorDims: 16,
  minNprobes: 20,
  probeFraction: 0.05,
  refineFactor: 30,
  rebuildGrowth: 2,
});

/** k-means wants this many training rows per centroid (Lance warns below it); PQ codebooks have 2^8 = 256 centroids. */
const KMEANS_ROWS_PER_CENTROID = 256;
const PQ_CENTROIDS = 256;
/** Index names record what the index was trained on: `embedding_ivfpq_r<rows>_p<partitions>`. */
const INDEX_NAME = /^embedding_ivfpq_r(\d+)_p(\d+)$/;

export function bankIndexConfig(patch: Record<string, unknown> = {}): BankIndexConfig {
  const c = mergeConfig({ ...BANK_INDEX_DEFAULTS }, patch, 'bank index');
  const positiveInt = ['exactThreshold', 'rowsPerPartition', 'subvectorDims', 'minNprobes', 'refineFactor'] as const;
  for (const k of positiveInt) {
    if (!Number.isInteger(c[k]) || c[k] < 1) throw new ConfigError(`bank index key "${k}" must be a positive integer, got ${c[k]}`);
  }
  if (!(c.probeFraction > 0 && c.probeFraction <= 1)) throw new ConfigError(`bank index key "probeFraction" must be in (0, 1], got ${c.probeFraction}`);
  if (!(c.rebuildGrowth > 1)) throw new ConfigError(`bank index key "rebuildGrowth" must be > 1, got ${c.rebuildGrowth}`);
  return c;
}

export interface IndexState {
  name: string;
  /** Rows the index was trained on. */
  trainedRows: number;
  partitions: number;
}

/** IVF partitions and PQ sub-vectors for `rows` vectors of `dim`; sub-vectors are the widest ≤ subvectorDims that divide dim. */
export function indexShape(rows: number, dim: number, cfg: BankIndexConfig): { partitions: number; subVectors: number } {
  const partitions = Math.max(1, Math.min(Math.round(rows / cfg.rowsPerPartition), Math.floor(rows / KMEANS_ROWS_PER_CENTROID)));
  let width = Math.min(cfg.subvectorDims, dim);
  while (dim % width !== 0) width--;
  return { partitions, subVectors: dim / width };
}

export function nprobesFor(partitions: number, cfg: BankIndexConfig): number {
  return Math.min(partitions, Math.max(cfg.minNprobes, Math.ceil(cfg.probeFraction * partitions)));
}

/** All of our IVF_PQ indices on `embedding`, newest training (most rows) first, with their unindexed row counts. */
async function ourIndices(table: Table): Promise<(IndexState & { unindexedRows?: number })[]> {
  const out: (IndexState & { unindexedRows?: number })[] = [];
  for (const ix of await table.listIndices()) {
    const m = INDEX_NAME.exec(ix.name);
    if (m && ix.columns[0] === EMBEDDING_COLUMN) {
      out.push({ name: ix.name, trainedRows: Number(m[1]), partitions: Number(m[2]), unindexedRows: ix.numUnindexedRows });
    }
  }
  return out.sort((a, b) => b.trainedRows - a.trainedRows);
}

export async function readIndexState(table: Table): Promise<IndexState | null> {
  const newest = (await ourIndices(table))[0];
  return newest ? { name: newest.name, trainedRows: newest.trainedRows, partitions: newest.partitions } : null;
}

export type IndexAction = 'exact' | 'built' | 'rebuilt' | 'updated' | 'unchanged';

/**
 * Bring the index in line with the table's size (see the file comment). Each step is its own
 * Lance commit; if interrupted, the documents are intact and rows not yet indexed are searched
 * flat, so the bank stays correct and the next call finishes the job.
 */
export async function maintainIndex(table: Table, dim: number, cfg: BankIndexConfig): Promise<IndexAction> {
  const rows = await table.countRows();
  if (rows < Math.max(cfg.exactThreshold, PQ_CENTROIDS)) return 'exact';
  const all = await ourIndices(table);
  const current = all[0];
  if (!current || rows >= current.trainedRows * cfg.rebuildGrowth) {
    const { partitions, subVectors } = indexShape(rows, dim, cfg);
    await table.createIndex(EMBEDDING_COLUMN, {
      name: `embedding_ivfpq_r${rows}_p${partitions}`,
      config: Index.ivfPq({ numPartitions: partitions, numSubVectors: subVectors, distanceType: 'dot' }),
    });
    for (const old of all) await table.dropIndex(old.name);  // the new index serves from here on
    return current ? 'rebuilt' : 'built';
  }
  for (const stale of all.slice(1)) await table.dropIndex(stale.name);  // left by an interrupted rebuild
  const unindexed = current.unindexedRows ?? (await table.indexStats(current.name))?.numUnindexedRows ?? 0;
  if (unindexed > 0) {
    await table.optimize();  // compacts small fragments and adds the new rows to the index
    return 'updated';
  }
  return 'unchanged';
}
